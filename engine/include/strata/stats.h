// Stats: the engine's counters, gauges and latency histograms, as one value.
//
// Everything the dashboard draws and the Prometheus export prints comes from
// here. Counters only grow for the life of an open DB; gauges are current
// values. Byte counts are bytes, times are microseconds.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace strata {

// A latency distribution in microseconds with fixed bucket bounds.
struct HistogramData {
  // Upper bounds (inclusive) of the buckets, ascending; a last, implicit
  // bucket holds everything larger. Same for every histogram.
  static const std::vector<double>& BucketBounds();

  std::vector<uint64_t> buckets;  // BucketBounds().size() + 1 counts
  uint64_t count = 0;
  double sum = 0;  // microseconds
  double min = 0;
  double max = 0;

  // Estimated percentile (0..100) by interpolation inside its bucket;
  // 0 when empty.
  double Percentile(double p) const;
  double Average() const { return count == 0 ? 0 : sum / count; }
};

// One table file, as the dashboard draws it.
struct TableFileInfo {
  uint64_t number = 0;
  uint64_t size = 0;         // bytes on disk
  std::string smallest_key;  // user keys
  std::string largest_key;
  uint64_t entries = 0;
  uint64_t tombstones = 0;
  uint64_t smallest_seq = 0;
  uint64_t largest_seq = 0;
  uint64_t raw_key_bytes = 0;  // before prefix compression and zlib
  uint64_t raw_value_bytes = 0;
  int bloom_bits_per_key = 0;
  bool being_compacted = false;
};

struct LevelStats {
  int level = 0;
  uint64_t files = 0;
  uint64_t bytes = 0;
  uint64_t target_bytes = 0;  // 0 for L0, which is limited by file count
  double score = 0;           // >= 1 means the level wants compaction
  std::string smallest_key;   // over all files; empty when no files
  std::string largest_key;
  uint64_t compaction_bytes_read = 0;     // by compactions into this level
  uint64_t compaction_bytes_written = 0;  // by compactions into this level
  std::vector<TableFileInfo> tables;
};

struct Stats {
  // User operations.
  uint64_t puts = 0;
  uint64_t gets = 0;
  uint64_t get_hits = 0;
  uint64_t deletes = 0;
  uint64_t batch_writes = 0;        // DB::Write calls
  uint64_t scans = 0;               // DB::Scan calls and iterators created
  uint64_t user_bytes_written = 0;  // keys + values given to writes
  uint64_t user_bytes_read = 0;     // keys + values returned by reads
  uint64_t last_sequence = 0;

  // Write-ahead log.
  uint64_t wal_bytes = 0;
  uint64_t wal_records = 0;
  uint64_t wal_syncs = 0;  // durability points reached
  uint64_t wal_segments_created = 0;
  uint64_t wal_live_segments = 0;

  // Memtables.
  uint64_t memtable_bytes = 0;
  uint64_t memtable_entries = 0;
  uint64_t memtable_limit = 0;
  uint64_t immutable_memtable_bytes = 0;  // 0 when none is being flushed
  bool immutable_memtable = false;

  // Thresholds from Options, for drawing the gauges above against them.
  uint64_t wal_segment_limit = 0;      // WAL segments that force a flush; 0: none
  uint64_t l0_compaction_trigger = 0;  // L0 files that start a compaction
  uint64_t l0_slowdown_trigger = 0;    // L0 files at which writes are delayed
  uint64_t l0_stop_trigger = 0;        // L0 files at which writes wait

  // Levels L0..L(n-1).
  std::vector<LevelStats> levels;

  // Flushes and compactions.
  uint64_t flushes = 0;
  uint64_t flush_bytes_written = 0;
  uint64_t compactions = 0;
  uint64_t compactions_running = 0;
  uint64_t compaction_bytes_read = 0;
  uint64_t compaction_bytes_written = 0;
  uint64_t compaction_micros = 0;
  // (WAL + flush + compaction bytes written) / user bytes written.
  double write_amplification = 0;

  // Write stalls (L0 file count or an unflushed memtable holding writes).
  uint64_t slowdown_writes = 0;  // writes delayed at the slowdown trigger
  uint64_t stopped_writes = 0;   // writes that had to wait for compaction
  uint64_t stall_micros = 0;
  bool write_stopped = false;  // a write is waiting right now

  // Read path.
  uint64_t bloom_checks = 0;
  uint64_t bloom_useful = 0;  // checks that skipped a table read
  uint64_t block_cache_hits = 0;
  uint64_t block_cache_misses = 0;
  uint64_t block_cache_usage = 0;
  uint64_t block_cache_capacity = 0;
  uint64_t table_cache_hits = 0;
  uint64_t table_cache_misses = 0;

  // Recovery at Open.
  uint64_t recovered_wal_segments = 0;
  uint64_t recovered_records = 0;
  uint64_t recovery_dropped_records = 0;  // torn tail or skipped corruption
  uint64_t recovery_dropped_bytes = 0;

  // Read-only state (after an unrecoverable background error).
  bool read_only = false;
  std::string read_only_reason;

  // Where Env::ClockIsCheap() is false, one put (get) in eight is timed and
  // counted eight times: the counts stay those of the operations, in steps
  // of eight, and the distribution is a sample's.
  HistogramData put_latency;
  HistogramData get_latency;
  HistogramData scan_latency;
  HistogramData flush_latency;
  HistogramData compaction_latency;

  // Prometheus text exposition format (version 0.0.4): strata_* counters,
  // gauges and histograms (in seconds), per-level series labelled level="N".
  std::string ToPrometheus() const;
};

}  // namespace strata
