// DBImpl::GetStats: one consistent picture of the engine's counters.
#include "compaction/compaction_picker.h"
#include "db/db_impl.h"

namespace strata {

Stats DBImpl::GetStats() {
  Stats st;
  const Counters& c = counters_;
  st.puts = c.puts;
  st.gets = c.gets;
  st.get_hits = c.get_hits;
  st.deletes = c.deletes;
  st.batch_writes = c.batch_writes;
  st.scans = c.scans;
  st.user_bytes_written = c.user_bytes_written;
  st.user_bytes_read = c.user_bytes_read;
  st.wal_bytes = c.wal_bytes;
  st.wal_records = c.wal_records;
  st.wal_syncs = c.wal_syncs;
  st.wal_segments_created = c.wal_segments_created;
  st.flushes = c.flushes;
  st.flush_bytes_written = c.flush_bytes_written;
  st.compactions = c.compactions;
  st.compaction_bytes_read = c.compaction_bytes_read;
  st.compaction_bytes_written = c.compaction_bytes_written;
  st.compaction_micros = c.compaction_micros;
  st.slowdown_writes = c.slowdown_writes;
  st.stopped_writes = c.stopped_writes;
  st.stall_micros = c.stall_micros;
  st.recovered_wal_segments = c.recovered_wal_segments;
  st.recovered_records = c.recovered_records;
  st.recovery_dropped_records = c.recovery_dropped_records;
  st.recovery_dropped_bytes = c.recovery_dropped_bytes;
  if (st.user_bytes_written > 0) {
    st.write_amplification =
        static_cast<double>(st.wal_bytes + st.flush_bytes_written + st.compaction_bytes_written) /
        static_cast<double>(st.user_bytes_written);
  }
  st.bloom_checks = read_counters_.bloom_checks;
  st.bloom_useful = read_counters_.bloom_useful;
  st.block_cache_hits = read_counters_.block_cache_hits;
  st.block_cache_misses = read_counters_.block_cache_misses;
  st.block_cache_usage = block_cache_ ? block_cache_->Usage() : 0;
  st.block_cache_capacity = options_.block_cache_capacity;
  if (table_cache_) {
    st.table_cache_hits = table_cache_->hits();
    st.table_cache_misses = table_cache_->misses();
  }
  st.put_latency = put_latency_.Snapshot();
  st.get_latency = get_latency_.Snapshot();
  st.scan_latency = scan_latency_.Snapshot();
  st.flush_latency = flush_latency_.Snapshot();
  st.compaction_latency = compaction_latency_.Snapshot();

  std::lock_guard<std::mutex> lock(mutex_);
  st.memtable_limit = options_.write_buffer_size;
  st.wal_segment_limit = static_cast<uint64_t>(options_.max_wal_segments_per_memtable);
  st.l0_compaction_trigger = static_cast<uint64_t>(options_.l0_compaction_trigger);
  st.l0_slowdown_trigger = static_cast<uint64_t>(options_.l0_slowdown_writes_trigger);
  st.l0_stop_trigger = static_cast<uint64_t>(options_.l0_stop_writes_trigger);
  if (closed_) return st;
  st.last_sequence = versions_->LastSequence();
  st.wal_live_segments = live_wal_segments_.size();
  st.memtable_bytes = mem_->ApproximateMemoryUsage();
  st.memtable_entries = mem_->NumEntries();
  st.immutable_memtable = imm_ != nullptr;
  st.immutable_memtable_bytes = imm_ ? imm_->ApproximateMemoryUsage() : 0;
  st.compactions_running = compaction_in_flight_ ? 1 : 0;
  st.write_stopped = write_stopped_;
  st.read_only = !bg_error_.ok();
  st.read_only_reason = bg_error_.ok() ? std::string() : bg_error_.ToString();

  auto version = versions_->current();
  std::vector<double> scores = ComputeScores(*version, options_);
  for (int level = 0; level < kNumLevels; level++) {
    LevelStats ls;
    ls.level = level;
    ls.files = version->NumFiles(level);
    ls.bytes = version->LevelBytes(level);
    ls.target_bytes = level == 0 ? 0 : MaxBytesForLevel(options_, level);
    ls.score = scores[level];
    ls.compaction_bytes_read = c.level_bytes_read[level];
    ls.compaction_bytes_written = c.level_bytes_written[level];
    for (const auto& f : version->files[level]) {
      TableFileInfo t;
      t.number = f->number;
      t.size = f->file_size;
      t.smallest_key = f->smallest.user_key().ToString();
      t.largest_key = f->largest.user_key().ToString();
      t.entries = f->entries;
      t.tombstones = f->tombstones;
      t.smallest_seq = f->smallest_seq;
      t.largest_seq = f->largest_seq;
      t.raw_key_bytes = f->raw_key_bytes;
      t.raw_value_bytes = f->raw_value_bytes;
      t.bloom_bits_per_key = options_.bloom_bits_per_key;
      if (in_flight_plan_) {
        for (const auto& inputs : in_flight_plan_->inputs) {
          for (const auto& in : inputs) t.being_compacted |= in->number == f->number;
        }
      }
      // (The empty key is a key: the first table sets both bounds.)
      if (ls.tables.empty() || t.smallest_key < ls.smallest_key) ls.smallest_key = t.smallest_key;
      if (ls.tables.empty() || t.largest_key > ls.largest_key) ls.largest_key = t.largest_key;
      ls.tables.push_back(std::move(t));
    }
    st.levels.push_back(std::move(ls));
  }
  return st;
}

}  // namespace strata
