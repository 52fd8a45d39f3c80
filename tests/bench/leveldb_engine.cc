// LevelDB adapter (Debian's libleveldb-dev).
//
// EngineConfig -> leveldb::Options: write_buffer_size, block_size,
// max_open_files, max_file_size (= target_file_size), a bloom filter
// (NewBloomFilterPolicy(bits)) and an LRU block cache of block_cache_size.
// LevelDB's LSM shape is fixed at what EngineConfig's defaults describe
// (L1 10 MiB, x10 per level, L0 triggers 4/8/12). LevelDB has no zlib:
// Supports(kZlib) is false and the benchmark skips it in that mode.
#include <leveldb/cache.h>
#include <leveldb/db.h>
#include <leveldb/filter_policy.h>
#include <leveldb/write_batch.h>

#include <memory>

#include "bench_engine.h"

namespace strata {
namespace bench {

namespace {

leveldb::Slice ToSlice(std::string_view s) {
  return leveldb::Slice(s.data(), s.size());
}
std::string_view ToView(const leveldb::Slice& s) {
  return std::string_view(s.data(), s.size());
}

BenchStatus Convert(const leveldb::Status& s) {
  return s.ok() ? BenchStatus::OK() : BenchStatus::Error(s.ToString());
}

class LevelDBIterator : public BenchIterator {
 public:
  explicit LevelDBIterator(leveldb::Iterator* it) : it_(it) {}
  void SeekToFirst() override { it_->SeekToFirst(); }
  void Seek(std::string_view target) override { it_->Seek(ToSlice(target)); }
  bool Valid() const override { return it_->Valid(); }
  void Next() override { it_->Next(); }
  std::string_view key() const override { return ToView(it_->key()); }
  std::string_view value() const override { return ToView(it_->value()); }
  BenchStatus status() const override { return Convert(it_->status()); }

 private:
  std::unique_ptr<leveldb::Iterator> it_;
};

class LevelDBEngine : public BenchEngine {
 public:
  ~LevelDBEngine() override { static_cast<void>(Close()); }  // nobody to report to

  const char* name() const override { return "leveldb"; }
  bool Supports(BenchCompression c) const override { return c == BenchCompression::kNone; }

  BenchStatus Open(const std::string& dir, const EngineConfig& config) override {
    if (!Supports(config.compression)) return BenchStatus::Error("leveldb has no zlib compression");
    cache_.reset(leveldb::NewLRUCache(config.block_cache_size));
    filter_.reset(leveldb::NewBloomFilterPolicy(config.bloom_bits_per_key));
    leveldb::Options options;
    options.create_if_missing = true;
    options.error_if_exists = true;
    options.write_buffer_size = config.write_buffer_size;
    options.block_size = config.block_size;
    options.max_open_files = config.max_open_files;
    options.max_file_size = config.target_file_size;
    options.block_cache = cache_.get();
    options.filter_policy = filter_.get();
    options.compression = leveldb::kNoCompression;
    leveldb::DB* db = nullptr;
    leveldb::Status s = leveldb::DB::Open(options, dir, &db);
    db_.reset(db);
    return Convert(s);
  }

  BenchStatus Put(std::string_view key, std::string_view value, bool sync) override {
    leveldb::WriteOptions options;
    options.sync = sync;
    return Convert(db_->Put(options, ToSlice(key), ToSlice(value)));
  }

  BenchStatus Write(const std::vector<KeyValue>& entries, bool sync) override {
    batch_.Clear();
    for (const auto& [key, value] : entries) batch_.Put(ToSlice(key), ToSlice(value));
    leveldb::WriteOptions options;
    options.sync = sync;
    return Convert(db_->Write(options, &batch_));
  }

  BenchStatus Get(std::string_view key, std::string* value, bool* found) override {
    leveldb::Status s = db_->Get(leveldb::ReadOptions(), ToSlice(key), value);
    *found = s.ok();
    return s.IsNotFound() ? BenchStatus::OK() : Convert(s);
  }

  std::unique_ptr<BenchIterator> NewIterator() override {
    return std::make_unique<LevelDBIterator>(db_->NewIterator(leveldb::ReadOptions()));
  }

  BenchStatus CompactAll() override {
    db_->CompactRange(nullptr, nullptr);  // returns nothing
    return BenchStatus::OK();
  }

  BenchStatus Close() override {
    db_.reset();  // LevelDB closes in its destructor
    cache_.reset();
    filter_.reset();
    return BenchStatus::OK();
  }

 private:
  // Destroyed after db_ (declared before it), which uses them.
  std::unique_ptr<leveldb::Cache> cache_;
  std::unique_ptr<const leveldb::FilterPolicy> filter_;
  std::unique_ptr<leveldb::DB> db_;
  leveldb::WriteBatch batch_;
};

}  // namespace

std::unique_ptr<BenchEngine> NewLevelDBEngine() {
  return std::make_unique<LevelDBEngine>();
}

}  // namespace bench
}  // namespace strata
