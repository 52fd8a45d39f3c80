// RocksDB adapter (Debian's librocksdb-dev).
//
// EngineConfig -> rocksdb::Options: write_buffer_size, max_open_files,
// target_file_size_base, max_bytes_for_level_base,
// max_bytes_for_level_multiplier and the level0_* triggers are set to
// LevelDB's shape (RocksDB's own defaults, 64 MiB files and a 256 MiB L1,
// would leave a 100 MB benchmark database almost uncompacted); the block-based
// table gets block_size, a full bloom filter (NewBloomFilterPolicy(bits))
// and an LRU block cache. compression (kNoCompression or kZlibCompression
// with compression_opts.level = zlib_level) applies to every level.
// Everything else, e.g. max_background_jobs = 2, is RocksDB's default.
#include <rocksdb/cache.h>
#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/options.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>

#include <memory>

#include "bench_engine.h"

namespace strata {
namespace bench {

namespace {

rocksdb::Slice ToSlice(std::string_view s) {
  return rocksdb::Slice(s.data(), s.size());
}
std::string_view ToView(const rocksdb::Slice& s) {
  return std::string_view(s.data(), s.size());
}

BenchStatus Convert(const rocksdb::Status& s) {
  return s.ok() ? BenchStatus::OK() : BenchStatus::Error(s.ToString());
}

class RocksDBIterator : public BenchIterator {
 public:
  explicit RocksDBIterator(rocksdb::Iterator* it) : it_(it) {}
  void SeekToFirst() override { it_->SeekToFirst(); }
  void Seek(std::string_view target) override { it_->Seek(ToSlice(target)); }
  bool Valid() const override { return it_->Valid(); }
  void Next() override { it_->Next(); }
  std::string_view key() const override { return ToView(it_->key()); }
  std::string_view value() const override { return ToView(it_->value()); }
  BenchStatus status() const override { return Convert(it_->status()); }

 private:
  std::unique_ptr<rocksdb::Iterator> it_;
};

class RocksDBEngine : public BenchEngine {
 public:
  ~RocksDBEngine() override { static_cast<void>(Close()); }  // nobody to report to

  const char* name() const override { return "rocksdb"; }
  bool Supports(BenchCompression) const override { return true; }

  BenchStatus Open(const std::string& dir, const EngineConfig& config) override {
    rocksdb::BlockBasedTableOptions table;
    table.block_size = config.block_size;
    table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(config.bloom_bits_per_key));
    table.block_cache = rocksdb::NewLRUCache(config.block_cache_size);

    rocksdb::Options options;
    options.create_if_missing = true;
    options.error_if_exists = true;
    options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
    options.write_buffer_size = config.write_buffer_size;
    options.max_open_files = config.max_open_files;
    options.target_file_size_base = config.target_file_size;
    options.max_bytes_for_level_base = config.max_bytes_for_level_base;
    options.max_bytes_for_level_multiplier = config.level_size_multiplier;
    options.level0_file_num_compaction_trigger = config.l0_compaction_trigger;
    options.level0_slowdown_writes_trigger = config.l0_slowdown_writes_trigger;
    options.level0_stop_writes_trigger = config.l0_stop_writes_trigger;
    if (config.compression == BenchCompression::kZlib) {
      options.compression = rocksdb::kZlibCompression;
      options.compression_opts.level = config.zlib_level;
    } else {
      options.compression = rocksdb::kNoCompression;
    }
    options.bottommost_compression = rocksdb::kDisableCompressionOption;  // = compression

    rocksdb::DB* db = nullptr;
    rocksdb::Status s = rocksdb::DB::Open(options, dir, &db);
    db_.reset(db);
    return Convert(s);
  }

  BenchStatus Put(std::string_view key, std::string_view value, bool sync) override {
    rocksdb::WriteOptions options;
    options.sync = sync;
    return Convert(db_->Put(options, ToSlice(key), ToSlice(value)));
  }

  BenchStatus Write(const std::vector<KeyValue>& entries, bool sync) override {
    batch_.Clear();
    for (const auto& [key, value] : entries) {
      rocksdb::Status s = batch_.Put(ToSlice(key), ToSlice(value));
      if (!s.ok()) return Convert(s);
    }
    rocksdb::WriteOptions options;
    options.sync = sync;
    return Convert(db_->Write(options, &batch_));
  }

  BenchStatus Get(std::string_view key, std::string* value, bool* found) override {
    rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), ToSlice(key), value);
    *found = s.ok();
    return s.IsNotFound() ? BenchStatus::OK() : Convert(s);
  }

  std::unique_ptr<BenchIterator> NewIterator() override {
    return std::make_unique<RocksDBIterator>(db_->NewIterator(rocksdb::ReadOptions()));
  }

  BenchStatus CompactAll() override {
    return Convert(db_->CompactRange(rocksdb::CompactRangeOptions(), nullptr, nullptr));
  }

  BenchStatus Close() override {
    if (db_ == nullptr) return BenchStatus::OK();
    rocksdb::Status s = db_->Close();
    db_.reset();
    return Convert(s);
  }

 private:
  std::unique_ptr<rocksdb::DB> db_;
  rocksdb::WriteBatch batch_;
};

}  // namespace

std::unique_ptr<BenchEngine> NewRocksDBEngine() {
  return std::make_unique<RocksDBEngine>();
}

}  // namespace bench
}  // namespace strata
