// StrataDB adapter: uses only the public API (strata/db.h).
//
// EngineConfig -> strata::Options: write_buffer_size, block_size,
// bloom_bits_per_key, block_cache_capacity, max_open_tables,
// target_file_size, max_bytes_for_level_base, level_size_multiplier and the
// L0 triggers map one to one; compression applies to every level
// (compression_per_level = {kNone} or {kZlib}) with zlib_level. A background
// thread flushes and compacts, as in the other engines.
#include <memory>

#include "bench_engine.h"
#include "strata/db.h"

namespace strata {
namespace bench {

namespace {

Slice ToSlice(std::string_view s) {
  return Slice(s.data(), s.size());
}
std::string_view ToView(const Slice& s) {
  return std::string_view(s.data(), s.size());
}

BenchStatus Convert(const Status& s) {
  return s.ok() ? BenchStatus::OK() : BenchStatus::Error(s.ToString());
}

class StrataIterator : public BenchIterator {
 public:
  explicit StrataIterator(std::unique_ptr<Iterator> it) : it_(std::move(it)) {}
  void SeekToFirst() override { it_->SeekToFirst(); }
  void Seek(std::string_view target) override { it_->Seek(ToSlice(target)); }
  bool Valid() const override { return it_->Valid(); }
  void Next() override { it_->Next(); }
  std::string_view key() const override { return ToView(it_->key()); }
  std::string_view value() const override { return ToView(it_->value()); }
  BenchStatus status() const override { return Convert(it_->status()); }

 private:
  std::unique_ptr<Iterator> it_;
};

class StrataEngine : public BenchEngine {
 public:
  ~StrataEngine() override { static_cast<void>(Close()); }  // nobody to report to

  const char* name() const override { return "strata"; }
  bool Supports(BenchCompression) const override { return true; }

  BenchStatus Open(const std::string& dir, const EngineConfig& config) override {
    Options options;
    options.create_if_missing = true;
    options.error_if_exists = true;
    options.write_buffer_size = config.write_buffer_size;
    options.block_size = config.block_size;
    options.bloom_bits_per_key = config.bloom_bits_per_key;
    options.compression_per_level = {config.compression == BenchCompression::kZlib ? Compression::kZlib
                                                                                   : Compression::kNone};
    options.zlib_level = config.zlib_level;
    options.block_cache_capacity = config.block_cache_size;
    options.max_open_tables = config.max_open_files;
    options.target_file_size = config.target_file_size;
    options.max_bytes_for_level_base = config.max_bytes_for_level_base;
    options.level_size_multiplier = config.level_size_multiplier;
    options.l0_compaction_trigger = config.l0_compaction_trigger;
    options.l0_slowdown_writes_trigger = config.l0_slowdown_writes_trigger;
    options.l0_stop_writes_trigger = config.l0_stop_writes_trigger;
    options.background_thread = true;
    return Convert(DB::Open(options, dir, &db_));
  }

  BenchStatus Put(std::string_view key, std::string_view value, bool sync) override {
    WriteOptions options;
    options.sync = sync;
    return Convert(db_->Put(options, ToSlice(key), ToSlice(value)));
  }

  BenchStatus Write(const std::vector<KeyValue>& entries, bool sync) override {
    batch_.Clear();
    for (const auto& [key, value] : entries) batch_.Put(ToSlice(key), ToSlice(value));
    WriteOptions options;
    options.sync = sync;
    return Convert(db_->Write(options, batch_));
  }

  BenchStatus Get(std::string_view key, std::string* value, bool* found) override {
    Status s = db_->Get(ReadOptions(), ToSlice(key), value);
    *found = s.ok();
    return s.IsNotFound() ? BenchStatus::OK() : Convert(s);
  }

  std::unique_ptr<BenchIterator> NewIterator() override {
    return std::make_unique<StrataIterator>(db_->NewIterator(ReadOptions()));
  }

  BenchStatus CompactAll() override { return Convert(db_->CompactRange(nullptr, nullptr)); }

  BenchStatus Close() override {
    if (db_ == nullptr) return BenchStatus::OK();
    Status s = db_->Close();
    db_.reset();
    return Convert(s);
  }

 private:
  std::unique_ptr<DB> db_;
  WriteBatch batch_;  // reused, as db_bench does
};

}  // namespace

std::unique_ptr<BenchEngine> NewStrataEngine() {
  return std::make_unique<StrataEngine>();
}

}  // namespace bench
}  // namespace strata
