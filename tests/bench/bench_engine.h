// BenchEngine: the one interface strata_bench drives, with an adapter per
// engine (StrataDB, LevelDB, RocksDB), so every workload runs the same code
// against each. Adapters translate EngineConfig into their engine's options
// as faithfully as the engine allows; see each adapter for the mapping.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace strata {
namespace bench {

// An adapter's answer: ok, or an error message from the engine.
class [[nodiscard]] BenchStatus {
 public:
  static BenchStatus OK() { return BenchStatus(); }
  static BenchStatus Error(std::string message) { return BenchStatus(std::move(message)); }

  bool ok() const { return message_.empty(); }
  const std::string& message() const { return message_; }

 private:
  BenchStatus() = default;
  explicit BenchStatus(std::string message)
      : message_(message.empty() ? std::string("unknown error") : std::move(message)) {}

  std::string message_;  // empty when ok
};

enum class BenchCompression { kNone, kZlib };

const char* CompressionName(BenchCompression c);

// Settings shared by all engines so that they compete on equal terms.
struct EngineConfig {
  BenchCompression compression = BenchCompression::kNone;
  int zlib_level = 1;                          // when compression is kZlib
  size_t write_buffer_size = 4 * 1024 * 1024;  // memtable size
  size_t block_size = 4 * 1024;                // uncompressed data block
  int bloom_bits_per_key = 10;
  size_t block_cache_size = 8 * 1024 * 1024;
  int max_open_files = 500;
  // Leveled LSM shape (LevelDB's fixed shape; set on the others to match).
  size_t target_file_size = 2 * 1024 * 1024;
  uint64_t max_bytes_for_level_base = 10 * 1024 * 1024;
  int level_size_multiplier = 10;
  int l0_compaction_trigger = 4;
  int l0_slowdown_writes_trigger = 8;
  int l0_stop_writes_trigger = 12;
};

// A forward cursor. key() and value() are valid until the next move.
class BenchIterator {
 public:
  virtual ~BenchIterator() = default;
  virtual void SeekToFirst() = 0;
  virtual void Seek(std::string_view target) = 0;  // first key >= target
  virtual bool Valid() const = 0;
  virtual void Next() = 0;                   // REQUIRES: Valid()
  virtual std::string_view key() const = 0;  // REQUIRES: Valid()
  virtual std::string_view value() const = 0;
  virtual BenchStatus status() const = 0;
};

using KeyValue = std::pair<std::string_view, std::string_view>;

// One database of one engine. Not thread-safe; the benchmark is single
// threaded, like db_bench's default.
class BenchEngine {
 public:
  virtual ~BenchEngine() = default;

  // "strata", "leveldb" or "rocksdb".
  virtual const char* name() const = 0;
  virtual bool Supports(BenchCompression compression) const = 0;

  // Creates a database in dir, which does not exist yet.
  virtual BenchStatus Open(const std::string& dir, const EngineConfig& config) = 0;
  // sync: the write is durable (fsync or the engine's equivalent) on return.
  virtual BenchStatus Put(std::string_view key, std::string_view value, bool sync) = 0;
  // Applies entries atomically, as the engine's write batch.
  virtual BenchStatus Write(const std::vector<KeyValue>& entries, bool sync) = 0;
  // *found is false (and the status ok) when the key has no value.
  virtual BenchStatus Get(std::string_view key, std::string* value, bool* found) = 0;
  // Delete the iterator before Close().
  virtual std::unique_ptr<BenchIterator> NewIterator() = 0;
  // Compacts the whole key range into the last level and returns when done
  // (the engine's CompactRange over everything).
  virtual BenchStatus CompactAll() = 0;
  // Closes the database; background work may be finished first.
  virtual BenchStatus Close() = 0;
};

// The engines compiled into this binary, in the order they are run.
std::vector<std::string> CompiledEngines();
// nullptr if `name` is not compiled in.
std::unique_ptr<BenchEngine> NewBenchEngine(const std::string& name);

}  // namespace bench
}  // namespace strata
