// Stats::ToPrometheus: every numeric and boolean field of Stats as a
// Prometheus metric. Naming follows the Prometheus conventions: strata_
// prefix, base units (seconds, bytes) in the name, counters end in _total,
// booleans are 0/1 gauges. Per-level series carry level="N". The set of
// names is part of the project's interface (dashboards, alerts): add, don't
// rename.
#include <string>

#include "stats/prometheus_writer.h"
#include "strata/stats.h"

namespace strata {

namespace {

constexpr double kMicrosPerSecond = 1e6;

void WriteOperations(const Stats& s, PrometheusWriter* w) {
  w->Counter("strata_puts_total", "Put calls.", s.puts);
  w->Counter("strata_gets_total", "Get calls.", s.gets);
  w->Counter("strata_get_hits_total", "Get calls that found a value.", s.get_hits);
  w->Counter("strata_deletes_total", "Delete calls.", s.deletes);
  w->Counter("strata_batch_writes_total", "Write (batch) calls.", s.batch_writes);
  w->Counter("strata_scans_total", "Scan calls and iterators created.", s.scans);
  w->Counter("strata_user_write_bytes_total", "Key and value bytes given to writes.", s.user_bytes_written);
  w->Counter("strata_user_read_bytes_total", "Key and value bytes returned by reads.", s.user_bytes_read);
  w->Gauge("strata_last_sequence", "Sequence number of the newest write.", s.last_sequence);
}

void WriteWal(const Stats& s, PrometheusWriter* w) {
  w->Counter("strata_wal_write_bytes_total", "Bytes written to the write-ahead log.", s.wal_bytes);
  w->Counter("strata_wal_records_total", "Records written to the write-ahead log.", s.wal_records);
  w->Counter("strata_wal_syncs_total", "Durability points reached (WAL segment synced).", s.wal_syncs);
  w->Counter("strata_wal_segments_created_total", "WAL segments created.", s.wal_segments_created);
  w->Gauge("strata_wal_live_segments", "WAL segments not yet obsolete.", s.wal_live_segments);
}

void WriteMemtables(const Stats& s, PrometheusWriter* w) {
  w->Gauge("strata_memtable_bytes", "Bytes in the active memtable.", s.memtable_bytes);
  w->Gauge("strata_memtable_entries", "Entries in the active memtable.", s.memtable_entries);
  w->Gauge("strata_memtable_limit_bytes", "Memtable size at which it is flushed.", s.memtable_limit);
  w->Gauge("strata_immutable_memtable_bytes", "Bytes in the memtable being flushed (0 when none).",
           s.immutable_memtable_bytes);
  w->Gauge("strata_immutable_memtable", "1 while a frozen memtable waits to be flushed.",
           s.immutable_memtable);
}

void WriteThresholds(const Stats& s, PrometheusWriter* w) {
  w->Gauge("strata_wal_segment_limit", "WAL segments that force a memtable flush (0: no limit).",
           s.wal_segment_limit);
  w->Gauge("strata_l0_compaction_trigger_files", "L0 files that start a compaction.",
           s.l0_compaction_trigger);
  w->Gauge("strata_l0_slowdown_trigger_files", "L0 files at which writes are delayed.",
           s.l0_slowdown_trigger);
  w->Gauge("strata_l0_stop_trigger_files", "L0 files at which writes wait for compaction.",
           s.l0_stop_trigger);
}

// One family per LevelStats field, one series per level. The label is the
// level's position in Stats::levels (LevelStats::level should agree), so the
// series stay unique even if a producer leaves LevelStats::level unset.
template <typename Getter>
void WriteLevelFamily(const Stats& s, const char* name, const char* type, const char* help, Getter get,
                      PrometheusWriter* w) {
  w->BeginFamily(name, type, help);
  for (size_t i = 0; i < s.levels.size(); i++) {
    w->Sample(name, {{"level", std::to_string(i)}}, get(s.levels[i]));
  }
}

void WriteLevels(const Stats& s, PrometheusWriter* w) {
  w->Gauge("strata_levels", "Number of levels.", static_cast<uint64_t>(s.levels.size()));
  WriteLevelFamily(
      s, "strata_level_files", "gauge", "Table files in the level.",
      [](const LevelStats& l) { return l.files; }, w);
  WriteLevelFamily(
      s, "strata_level_bytes", "gauge", "Bytes of the level's table files.",
      [](const LevelStats& l) { return l.bytes; }, w);
  WriteLevelFamily(
      s, "strata_level_target_bytes", "gauge", "Size the level aims for (0 for L0).",
      [](const LevelStats& l) { return l.target_bytes; }, w);
  WriteLevelFamily(
      s, "strata_level_score", "gauge", "Compaction score; >= 1 means the level wants compaction.",
      [](const LevelStats& l) { return l.score; }, w);
  WriteLevelFamily(
      s, "strata_level_compaction_read_bytes_total", "counter", "Bytes read by compactions into the level.",
      [](const LevelStats& l) { return l.compaction_bytes_read; }, w);
  WriteLevelFamily(
      s, "strata_level_compaction_write_bytes_total", "counter",
      "Bytes written by compactions into the level.",
      [](const LevelStats& l) { return l.compaction_bytes_written; }, w);
}

void WriteBackgroundWork(const Stats& s, PrometheusWriter* w) {
  w->Counter("strata_flushes_total", "Memtable flushes to L0.", s.flushes);
  w->Counter("strata_flush_write_bytes_total", "Bytes written by flushes.", s.flush_bytes_written);
  w->Counter("strata_compactions_total", "Compactions finished.", s.compactions);
  w->Gauge("strata_compactions_running", "Compactions running now.", s.compactions_running);
  w->Counter("strata_compaction_read_bytes_total", "Bytes read by compactions.", s.compaction_bytes_read);
  w->Counter("strata_compaction_write_bytes_total", "Bytes written by compactions.",
             s.compaction_bytes_written);
  w->Counter("strata_compaction_seconds_total", "Time spent in compactions.",
             static_cast<double>(s.compaction_micros) / kMicrosPerSecond);
  w->Gauge("strata_write_amplification", "(WAL + flush + compaction bytes written) / user bytes written.",
           s.write_amplification);
}

void WriteStalls(const Stats& s, PrometheusWriter* w) {
  w->Counter("strata_slowdown_writes_total", "Writes delayed at the L0 slowdown trigger.", s.slowdown_writes);
  w->Counter("strata_stopped_writes_total", "Writes that had to wait for a flush or compaction.",
             s.stopped_writes);
  w->Counter("strata_stall_seconds_total", "Time writes spent delayed or stopped.",
             static_cast<double>(s.stall_micros) / kMicrosPerSecond);
  w->Gauge("strata_write_stopped", "1 while a write is waiting for background work.", s.write_stopped);
}

void WriteReadPath(const Stats& s, PrometheusWriter* w) {
  w->Counter("strata_bloom_checks_total", "Bloom filter checks.", s.bloom_checks);
  w->Counter("strata_bloom_useful_total", "Bloom filter checks that skipped a table read.", s.bloom_useful);
  w->Counter("strata_block_cache_hits_total", "Block cache hits.", s.block_cache_hits);
  w->Counter("strata_block_cache_misses_total", "Block cache misses.", s.block_cache_misses);
  w->Gauge("strata_block_cache_usage_bytes", "Bytes held by the block cache.", s.block_cache_usage);
  w->Gauge("strata_block_cache_capacity_bytes", "Capacity of the block cache.", s.block_cache_capacity);
  w->Counter("strata_table_cache_hits_total", "Table cache hits.", s.table_cache_hits);
  w->Counter("strata_table_cache_misses_total", "Table cache misses (table files opened).",
             s.table_cache_misses);
}

void WriteRecoveryAndState(const Stats& s, PrometheusWriter* w) {
  w->Counter("strata_recovered_wal_segments_total", "WAL segments replayed at open.",
             s.recovered_wal_segments);
  w->Counter("strata_recovered_records_total", "WAL records replayed at open.", s.recovered_records);
  w->Counter("strata_recovery_dropped_records_total",
             "WAL records dropped at open (torn tail or skipped corruption).", s.recovery_dropped_records);
  w->Counter("strata_recovery_dropped_bytes_total", "WAL bytes dropped at open.", s.recovery_dropped_bytes);
  w->Gauge("strata_read_only", "1 after an unrecoverable background error made the DB read-only.",
           s.read_only);
  // The reason is text, so it rides in a label of an info metric, present
  // only while the DB is read-only.
  w->BeginFamily("strata_read_only_info", "gauge", "Why the DB is read-only (reason label).");
  if (s.read_only) w->Sample("strata_read_only_info", {{"reason", s.read_only_reason}}, uint64_t{1});
}

void WriteLatencies(const Stats& s, PrometheusWriter* w) {
  w->Histogram("strata_put_latency_seconds", "Latency of write operations.", s.put_latency, kMicrosPerSecond);
  w->Histogram("strata_get_latency_seconds", "Latency of Get calls.", s.get_latency, kMicrosPerSecond);
  w->Histogram("strata_scan_latency_seconds", "Latency of Scan calls.", s.scan_latency, kMicrosPerSecond);
  w->Histogram("strata_flush_latency_seconds", "Duration of memtable flushes.", s.flush_latency,
               kMicrosPerSecond);
  w->Histogram("strata_compaction_latency_seconds", "Duration of compactions.", s.compaction_latency,
               kMicrosPerSecond);
}

}  // namespace

std::string Stats::ToPrometheus() const {
  PrometheusWriter w;
  WriteOperations(*this, &w);
  WriteWal(*this, &w);
  WriteMemtables(*this, &w);
  WriteThresholds(*this, &w);
  WriteLevels(*this, &w);
  WriteBackgroundWork(*this, &w);
  WriteStalls(*this, &w);
  WriteReadPath(*this, &w);
  WriteRecoveryAndState(*this, &w);
  WriteLatencies(*this, &w);
  return w.text();
}

}  // namespace strata
