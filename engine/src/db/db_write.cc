// DBImpl's write path: validation, WAL segments and durability points,
// memtable switches and write stalls.
#include <algorithm>

#include "db/db_impl.h"
#include "db/filename.h"
#include "db/wal_consolidation.h"
#include "db/write_batch_internal.h"

namespace strata {

Status DBImpl::Put(const WriteOptions& options, const Slice& key, const Slice& value) {
  WriteBatch batch;
  batch.Put(key, value);
  if (!batch.status().ok()) return batch.status();
  Status s = WriteInternal(options, &batch);
  if (s.ok()) counters_.puts++;
  return s;
}

Status DBImpl::Delete(const WriteOptions& options, const Slice& key) {
  WriteBatch batch;
  batch.Delete(key);
  if (!batch.status().ok()) return batch.status();
  Status s = WriteInternal(options, &batch);
  if (s.ok()) counters_.deletes++;
  return s;
}

Status DBImpl::Write(const WriteOptions& options, const WriteBatch& batch) {
  if (!batch.status().ok()) return batch.status();
  WriteBatch copy = batch;  // the caller's batch is const; ours gets the sequence
  Status s = WriteInternal(options, &copy);
  if (s.ok()) counters_.batch_writes++;
  return s;
}

Status DBImpl::WritableCheck() const {
  if (closed_) return Status::InvalidArgument("database is closed");
  if (!bg_error_.ok())
    return Status::ReadOnly("database is read-only after an error: " + bg_error_.ToString());
  return Status::OK();
}

Status DBImpl::WriteInternal(const WriteOptions& options, WriteBatch* batch) {
  const uint64_t latency_weight = LatencyWeight(put_latency_ticks_);
  const uint64_t start = latency_weight != 0 ? env_->NowMicros() : 0;
  std::lock_guard<std::mutex> write_lock(write_mutex_);
  std::unique_lock<std::mutex> lock(mutex_);
  Status s = WritableCheck();
  if (!s.ok()) return s;
  const uint32_t count = WriteBatchInternal::Count(batch);
  if (count == 0) return Status::OK();
  s = MakeRoomForWrite(lock, /*force=*/false);
  if (!s.ok()) return s;
  if (!wal_) {
    s = OpenWalSegment();
    if (!s.ok()) return s;
  }

  const SequenceNumber sequence = versions_->LastSequence() + 1;
  WriteBatchInternal::SetSequence(batch, sequence);
  log::Writer* wal = wal_.get();
  WritableFile* wal_file = wal_file_.get();
  MemTable* mem = mem_;

  // Only this writer touches the WAL and the memtable's insert side, so the
  // I/O happens without mutex_ and readers go on meanwhile.
  lock.unlock();
  Slice record = WriteBatchInternal::Contents(batch);
  s = wal->AddRecord(record);
  // A synced write becomes visible only once it is durable. Any other write
  // is handed to the Env's file system before it returns (the OS natively,
  // so a process crash loses nothing acknowledged; see db.h).
  if (s.ok()) s = options.sync ? wal_file->Sync() : wal_file->Flush();
  const bool wal_failed = !s.ok();
  uint64_t user_bytes = 0;
  if (s.ok()) s = WriteBatchInternal::InsertInto(batch, mem, &user_bytes);
  lock.lock();

  if (!s.ok()) {
    // The WAL may now hold part of a record: stop writing to it.
    if (wal_failed) wal_error_ = s;
    RecordBackgroundError(s);
    return s;
  }
  versions_->SetLastSequence(sequence + count - 1);
  wal_segment_records_++;
  counters_.wal_records++;
  counters_.wal_bytes += record.size();
  counters_.user_bytes_written += user_bytes;
  if (options.sync) {
    s = FinishWalSync();  // the durability point
    if (!s.ok()) RecordBackgroundError(s);
  }
  if (latency_weight != 0)
    put_latency_.Record(static_cast<double>(env_->NowMicros() - start), latency_weight);
  return s;
}

Status DBImpl::OpenWalSegment() {
  uint64_t number = versions_->NewFileNumber();
  std::unique_ptr<WritableFile> file;
  Status s = env_->NewWritableFile(WalFileName(dir_, number), &file);
  if (!s.ok()) return s;
  wal_file_ = std::move(file);
  wal_ = std::make_unique<log::Writer>(wal_file_.get());
  wal_number_ = number;
  wal_segment_records_ = 0;
  wal_dir_synced_ = false;
  wal_error_ = Status::OK();
  live_wal_segments_.emplace(number, 0);
  mem_wal_segments_++;
  counters_.wal_segments_created++;
  return Status::OK();
}

Status DBImpl::SyncWalDirectoryOnce() {
  if (wal_dir_synced_ || wal_->BytesWritten() == 0) return Status::OK();
  Status s = env_->SyncDir(dir_);
  wal_dir_synced_ = s.ok();
  return s;
}

Status DBImpl::FinishWalSync() {
  if (!env_->SyncedAppendsAreCheap()) return CloseWalSegment(/*already_synced=*/true);
  // The segment stays open for the next writes, as LevelDB's log does.
  Status s = SyncWalDirectoryOnce();
  if (s.ok()) counters_.wal_syncs++;
  return s;
}

Status DBImpl::CloseWalSegment(bool already_synced, bool consolidate) {
  if (!wal_) return Status::OK();
  // After a failed append or sync the segment may have lost bytes that a
  // later successful sync would not bring back: no durability point then.
  Status s = !wal_error_.ok() ? wal_error_ : already_synced ? Status::OK() : wal_file_->Sync();
  if (s.ok()) s = SyncWalDirectoryOnce();
  Status close = wal_file_->Close();
  if (s.ok()) s = close;
  if (s.ok()) {
    counters_.wal_syncs++;
    const WalSegmentInfo info{wal_number_, wal_->BytesWritten(), wal_segment_records_};
    Notify([&](EventListener& l) { l.OnWalSegmentClosed(info); });
    if (consolidate) ConsolidateWal();
  } else {
    // Acknowledged writes in it may never reach the disk, and a later
    // durability point must not claim otherwise: read-only from here.
    RecordBackgroundError(s.WithContext("closing a WAL segment"));
  }
  wal_.reset();
  wal_file_.reset();
  return s;
}

void DBImpl::ConsolidateWal() {
  const size_t trigger = options_.wal_consolidation_trigger;
  if (trigger <= 1) return;
  // Tiers, as a counter in base `trigger` counts: each record is rewritten
  // once per tier (log base trigger of the memtable's segments), not at
  // every consolidation until the memtable is flushed, and at most
  // trigger - 1 segments of each tier are left.
  while (true) {
    // The memtable's own segments: those of an older one go with its flush.
    const uint64_t floor = std::max(versions_->LogNumber(), imm_log_limit_);
    const auto first = live_wal_segments_.lower_bound(floor);
    if (static_cast<size_t>(std::distance(first, live_wal_segments_.end())) < trigger) return;
    auto newest = std::prev(live_wal_segments_.end(), static_cast<long>(trigger));
    const int tier = newest->second;
    std::vector<uint64_t> olds;
    for (auto it = newest; it != live_wal_segments_.end(); ++it) {
      if (it->second != tier) return;
      olds.push_back(it->first);
    }
    const uint64_t number = versions_->NewFileNumber();
    uint64_t records = 0, bytes = 0;
    Status s = WriteConsolidatedSegment(env_, dir_, olds, number, &records, &bytes);
    // Best effort: if it failed, the old segments stay and serve as before.
    if (!s.ok()) return;
    for (uint64_t old : olds) {
      env_->RemoveFile(WalFileName(dir_, old)).IgnoreError();
      live_wal_segments_.erase(old);
    }
    live_wal_segments_.emplace(number, tier + 1);
    counters_.wal_segments_created++;
    const WalSegmentInfo info{number, bytes, records};
    Notify([&](EventListener& l) { l.OnWalSegmentClosed(info); });
  }
}

Status DBImpl::Sync() {
  std::lock_guard<std::mutex> write_lock(write_mutex_);
  std::lock_guard<std::mutex> lock(mutex_);
  Status s = WritableCheck();
  if (!s.ok() || !wal_) return s;
  if (env_->SyncedAppendsAreCheap()) {
    s = wal_file_->Sync();
    if (s.ok()) {
      s = FinishWalSync();
    } else {
      wal_error_ = s;
    }
  } else {
    s = CloseWalSegment();
  }
  if (!s.ok()) RecordBackgroundError(s);
  return s;
}

void DBImpl::SetWriteStall(bool stalled, WriteStallCause cause, size_t l0_files) {
  if (stalled == write_stalled_ && (!stalled || cause == stall_cause_)) return;
  if (write_stalled_) {
    // Ends the stall (or the stall of the old cause, before the new one).
    write_stalled_ = false;
    const WriteStallInfo end{false, stall_cause_, l0_files};
    Notify([&](EventListener& l) { l.OnWriteStall(end); });
  }
  if (!stalled) return;
  write_stalled_ = true;
  stall_cause_ = cause;
  const WriteStallInfo begin{true, cause, l0_files};
  Notify([&](EventListener& l) { l.OnWriteStall(begin); });
}

// REQUIRES: write_mutex_ and mutex_ (through lock) held.
Status DBImpl::MakeRoomForWrite(std::unique_lock<std::mutex>& lock, bool force) {
  bool allow_delay = !force;
  bool counted_stop = false;
  bool slowed = false;  // this write was delayed at the slowdown trigger
  while (true) {
    Status s = WritableCheck();
    if (!s.ok()) return s;
    const size_t l0_files = versions_->current()->NumFiles(0);
    if (allow_delay && l0_files >= static_cast<size_t>(options_.l0_slowdown_writes_trigger)) {
      // Near the stop trigger: give compaction a millisecond per write rather
      // than stopping writes for seconds later.
      counters_.slowdown_writes++;
      allow_delay = false;
      if (options_.background_thread) {
        SetWriteStall(true, WriteStallCause::kL0Slowdown, l0_files);
        slowed = true;
        const uint64_t start = env_->NowMicros();
        lock.unlock();
        env_->SleepMicros(1000);
        lock.lock();
        counters_.stall_micros += env_->NowMicros() - start;
      }
      continue;
    }
    // This write would open a segment past the memtable's limit.
    const bool wal_segments_full = options_.max_wal_segments_per_memtable > 0 && !wal_ &&
                                   mem_wal_segments_ >= options_.max_wal_segments_per_memtable;
    if (!force && !wal_segments_full && mem_->ApproximateMemoryUsage() < options_.write_buffer_size) {
      // Writes go on: a stall is over, unless they are being slowed (then it
      // lasts until a write goes through undelayed).
      if (slowed) {
        SetWriteStall(true, WriteStallCause::kL0Slowdown, l0_files);
      } else {
        SetWriteStall(false, stall_cause_, l0_files);
      }
      return Status::OK();
    }

    const bool must_wait_for_flush = imm_ != nullptr;
    const bool must_wait_for_compaction =
        !must_wait_for_flush && l0_files >= static_cast<size_t>(options_.l0_stop_writes_trigger);
    if (must_wait_for_flush || must_wait_for_compaction) {
      if (!counted_stop) counters_.stopped_writes++;
      counted_stop = true;
      SetWriteStall(true, must_wait_for_flush ? WriteStallCause::kMemtableFlushing : WriteStallCause::kL0Stop,
                    l0_files);
      const uint64_t start = env_->NowMicros();
      write_stopped_ = true;
      if (options_.background_thread) {
        MaybeScheduleWork();
        bg_cv_.wait(lock);
      } else {
        const bool job_was_in_flight = compaction_in_flight_;
        DoPendingWorkStep(lock);
        if (must_wait_for_compaction && job_was_in_flight && compaction_in_flight_) {
          write_stopped_ = false;
          return Status::Busy("writes are stopped: L0 holds " + std::to_string(l0_files) + " tables (limit " +
                              std::to_string(options_.l0_stop_writes_trigger) +
                              ") until the running compaction finishes");
        }
      }
      write_stopped_ = false;
      counters_.stall_micros += env_->NowMicros() - start;
      continue;
    }

    // Switch to a new memtable; the old one is flushed in the background
    // (its segments go with the flush: nothing to consolidate).
    s = CloseWalSegment(/*already_synced=*/false, /*consolidate=*/false);
    if (!s.ok()) return s;
    imm_flush_reason_ = force               ? FlushReason::kManual
                        : wal_segments_full ? FlushReason::kWalSegments
                                            : FlushReason::kMemtableFull;
    imm_ = mem_;
    imm_log_limit_ = versions_->PeekNextFileNumber();
    imm_last_sequence_ = versions_->LastSequence();
    mem_ = new MemTable();
    mem_->Ref();
    mem_wal_segments_ = 0;
    force = false;
    MaybeScheduleWork();
  }
}

Status DBImpl::Flush(const FlushOptions& options) {
  std::unique_lock<std::mutex> write_lock(write_mutex_);
  std::unique_lock<std::mutex> lock(mutex_);
  Status s = WritableCheck();
  if (!s.ok()) return s;
  if (mem_->NumEntries() > 0) {
    s = MakeRoomForWrite(lock, /*force=*/true);
    if (!s.ok()) return s;
  }
  if (!options.wait) return Status::OK();
  // Wait until the memtable (and any earlier one) is in a table and the
  // WAL segments it no longer needs are gone.
  while ((imm_ != nullptr || flush_removing_files_) && bg_error_.ok()) {
    if (options_.background_thread)
      bg_cv_.wait(lock);
    else
      DoPendingWorkStep(lock);
  }
  return bg_error_.ok() ? Status::OK() : WritableCheck();
}

}  // namespace strata
