#include "stats_json.h"

#include "json_writer.h"
#include "table_json.h"

namespace strata {
namespace {

void WriteHistogram(JsonWriter* w, const char* name, const HistogramData& h) {
  w->Key(name);
  w->BeginObject();
  w->Key("count");
  w->Unsigned(h.count);
  w->Key("sumMicros");
  w->Number(h.sum);
  w->Key("minMicros");
  w->Number(h.min);
  w->Key("maxMicros");
  w->Number(h.max);
  w->Key("p50Micros");
  w->Number(h.Percentile(50));
  w->Key("p99Micros");
  w->Number(h.Percentile(99));
  w->Key("bucketBoundsMicros");
  w->BeginArray();
  for (double b : HistogramData::BucketBounds()) w->Number(b);
  w->EndArray();
  w->Key("buckets");
  w->BeginArray();
  for (uint64_t b : h.buckets) w->Unsigned(b);
  w->EndArray();
  w->EndObject();
}

void WriteTable(JsonWriter* w, const TableFileInfo& t) {
  w->BeginObject();
  WriteTableSummary(w, t);
  w->Key("rawKeyBytes");
  w->Unsigned(t.raw_key_bytes);
  w->Key("rawValueBytes");
  w->Unsigned(t.raw_value_bytes);
  w->Key("bloomBitsPerKey");
  w->Int(t.bloom_bits_per_key);
  w->Key("beingCompacted");
  w->Bool(t.being_compacted);
  w->EndObject();
}

void WriteLevel(JsonWriter* w, const LevelStats& l) {
  w->BeginObject();
  w->Key("level");
  w->Int(l.level);
  w->Key("files");
  w->Unsigned(l.files);
  w->Key("bytes");
  w->Unsigned(l.bytes);
  w->Key("targetBytes");
  w->Unsigned(l.target_bytes);
  w->Key("score");
  w->Number(l.score);
  w->Key("smallestKeyHex");
  w->Hex(l.smallest_key);
  w->Key("largestKeyHex");
  w->Hex(l.largest_key);
  w->Key("compactionBytesRead");
  w->Unsigned(l.compaction_bytes_read);
  w->Key("compactionBytesWritten");
  w->Unsigned(l.compaction_bytes_written);
  w->Key("tables");
  w->BeginArray();
  for (const auto& t : l.tables) WriteTable(w, t);
  w->EndArray();
  w->EndObject();
}

}  // namespace

std::string StatsToJson(const Stats& s) {
  JsonWriter w;
  w.BeginObject();
  const std::pair<const char*, uint64_t> counters[] = {
      {"puts", s.puts},
      {"gets", s.gets},
      {"getHits", s.get_hits},
      {"deletes", s.deletes},
      {"batchWrites", s.batch_writes},
      {"scans", s.scans},
      {"userBytesWritten", s.user_bytes_written},
      {"userBytesRead", s.user_bytes_read},
      {"lastSequence", s.last_sequence},
      {"walBytes", s.wal_bytes},
      {"walRecords", s.wal_records},
      {"walSyncs", s.wal_syncs},
      {"walSegmentsCreated", s.wal_segments_created},
      {"walLiveSegments", s.wal_live_segments},
      {"memtableBytes", s.memtable_bytes},
      {"memtableEntries", s.memtable_entries},
      {"memtableLimit", s.memtable_limit},
      {"immutableMemtableBytes", s.immutable_memtable_bytes},
      {"walSegmentLimit", s.wal_segment_limit},
      {"l0CompactionTrigger", s.l0_compaction_trigger},
      {"l0SlowdownTrigger", s.l0_slowdown_trigger},
      {"l0StopTrigger", s.l0_stop_trigger},
      {"flushes", s.flushes},
      {"flushBytesWritten", s.flush_bytes_written},
      {"compactions", s.compactions},
      {"compactionsRunning", s.compactions_running},
      {"compactionBytesRead", s.compaction_bytes_read},
      {"compactionBytesWritten", s.compaction_bytes_written},
      {"compactionMicros", s.compaction_micros},
      {"slowdownWrites", s.slowdown_writes},
      {"stoppedWrites", s.stopped_writes},
      {"stallMicros", s.stall_micros},
      {"bloomChecks", s.bloom_checks},
      {"bloomUseful", s.bloom_useful},
      {"blockCacheHits", s.block_cache_hits},
      {"blockCacheMisses", s.block_cache_misses},
      {"blockCacheUsage", s.block_cache_usage},
      {"blockCacheCapacity", s.block_cache_capacity},
      {"tableCacheHits", s.table_cache_hits},
      {"tableCacheMisses", s.table_cache_misses},
      {"recoveredWalSegments", s.recovered_wal_segments},
      {"recoveredRecords", s.recovered_records},
      {"recoveryDroppedRecords", s.recovery_dropped_records},
      {"recoveryDroppedBytes", s.recovery_dropped_bytes},
  };
  for (const auto& [name, value] : counters) {
    w.Key(name);
    w.Unsigned(value);
  }
  w.Key("immutableMemtable");
  w.Bool(s.immutable_memtable);
  w.Key("writeAmplification");
  w.Number(s.write_amplification);
  w.Key("writeStopped");
  w.Bool(s.write_stopped);
  w.Key("readOnly");
  w.Bool(s.read_only);
  w.Key("readOnlyReason");
  w.String(s.read_only_reason);
  w.Key("levels");
  w.BeginArray();
  for (const auto& l : s.levels) WriteLevel(&w, l);
  w.EndArray();
  WriteHistogram(&w, "putLatency", s.put_latency);
  WriteHistogram(&w, "getLatency", s.get_latency);
  WriteHistogram(&w, "scanLatency", s.scan_latency);
  WriteHistogram(&w, "flushLatency", s.flush_latency);
  WriteHistogram(&w, "compactionLatency", s.compaction_latency);
  w.EndObject();
  return std::move(w.out());
}

}  // namespace strata
