// VersionEdit: a change to the set of table files (files added to and
// removed from levels) plus counters. A flush or a compaction is installed
// by exactly one edit. Encoded as the protobuf-lite message pb::VersionEdit.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "db/dbformat.h"
#include "proto/table_properties.pb.h"
#include "strata/status.h"

namespace strata {

constexpr int kNumLevels = 7;

// Lookups that had to read on past a file (LevelDB's allowed_seeks): once
// a file has cost this many, compacting it into the next level is cheaper
// than going on reading past it (LevelDB's reckoning: a seek costs about
// what compacting 40 KB costs, so 16 KiB of file per seek is conservative),
// and a read-mostly database gets its files compacted though no level's
// score reaches 1. Readers charge the file of a shared, otherwise immutable
// FileMetaData, so the count is atomic; a copy starts from the count copied.
class SeekCounter {
 public:
  SeekCounter() = default;
  SeekCounter(const SeekCounter& other) : seeks_(other.seeks_.load(std::memory_order_relaxed)) {}
  SeekCounter& operator=(const SeekCounter& other) {
    seeks_.store(other.seeks_.load(std::memory_order_relaxed), std::memory_order_relaxed);
    return *this;
  }

  static uint64_t AllowedSeeks(uint64_t file_size) {
    return std::max<uint64_t>(100, file_size / (16 * 1024));
  }
  // Counts one; true once the file's allowance is used up.
  bool Charge(uint64_t file_size) const {
    return seeks_.fetch_add(1, std::memory_order_relaxed) + 1 >= AllowedSeeks(file_size);
  }
  void Reset() const { seeks_.store(0, std::memory_order_relaxed); }

 private:
  mutable std::atomic<uint64_t> seeks_{0};
};

// One table file as the levels know it.
struct FileMetaData {
  uint64_t number = 0;
  uint64_t file_size = 0;
  InternalKey smallest;
  InternalKey largest;
  SequenceNumber smallest_seq = 0;
  SequenceNumber largest_seq = 0;
  uint64_t entries = 0;
  uint64_t tombstones = 0;
  uint64_t raw_key_bytes = 0;
  uint64_t raw_value_bytes = 0;
  SeekCounter seeks;  // in memory only
  // In memory only: the table's properties block, where this process wrote
  // the table or installed it from a compaction result; otherwise null, and
  // read from the file when needed (TableCache::GetProperties).
  std::shared_ptr<const pb::TableProperties> properties;
};

using FileMetaPtr = std::shared_ptr<const FileMetaData>;

struct VersionEdit {
  std::optional<uint64_t> log_number;
  // One past the last sequence in tables: the first WAL batch at or after
  // log_number must carry it (see manifest.proto).
  std::optional<SequenceNumber> log_start_sequence;
  std::optional<uint64_t> next_file_number;
  std::optional<SequenceNumber> last_sequence;
  std::vector<std::pair<int, uint64_t>> deleted_files;  // (level, number)
  std::vector<std::pair<int, FileMetaPtr>> new_files;
  std::vector<std::pair<int, InternalKey>> compact_pointers;

  void AddFile(int level, FileMetaPtr f) { new_files.emplace_back(level, std::move(f)); }
  void RemoveFile(int level, uint64_t number) { deleted_files.emplace_back(level, number); }

  std::string Encode() const;
  // Corruption naming the problem on malformed input. Nothing decoded is
  // trusted: levels, file numbers (nameable), sequences (56 bits), key
  // sizes, a table's key and sequence order, sizes, duplicates and compact
  // pointers are all checked, so a crafted manifest cannot make later code
  // read out of bounds or build an inverted range.
  Status Decode(const Slice& data);
};

// Version of the manifest encoding written by this build.
constexpr uint32_t kManifestFormatVersion = 1;

}  // namespace strata
