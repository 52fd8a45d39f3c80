// DBImpl: the engine behind the DB interface.
//
// Locking: mutex_ guards every member marked "mu". write_mutex_ serializes
// writers, so one writer at a time appends to the WAL and inserts into the
// memtable without holding mutex_ (readers are never blocked by a write's
// I/O). Order: write_mutex_ before mutex_. The memtable's skip list allows
// readers concurrent with the single writer.
//
// Background work (memtable flush, compaction) runs on one background
// thread, or, with Options::background_thread = false, in RunPendingWork()
// and inline in writes that must wait for it. Compaction jobs themselves
// run on a CompactionExecutor (natively a thread of their own, so flushes go
// on meanwhile); one job is outstanding at a time.
#pragma once

#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>

#include "cache/lru_cache.h"
#include "compaction/compaction_picker.h"
#include "db/dbformat.h"
#include "db/memtable_flush.h"
#include "db/table_cache.h"
#include "memtable/memtable.h"
#include "stats/histogram.h"
#include "strata/compaction.h"
#include "strata/db.h"
#include "strata/listener.h"
#include "table/read_counters.h"
#include "version/version_set.h"
#include "wal/log_writer.h"

namespace strata {

class DBImpl final : public DB {
 public:
  DBImpl(const Options& options, std::string dir);
  ~DBImpl() override;

  // Locks the directory, recovers the manifest and WAL, starts background work.
  Status Open();

  Status Put(const WriteOptions& options, const Slice& key, const Slice& value) override;
  Status Delete(const WriteOptions& options, const Slice& key) override;
  Status Write(const WriteOptions& options, const WriteBatch& batch) override;
  Status Get(const ReadOptions& options, const Slice& key, std::string* value) override;
  std::unique_ptr<Iterator> NewIterator(const ReadOptions& options) override;
  Status Scan(const ReadOptions& options, const Slice& start, const Slice& end, size_t limit,
              std::vector<std::pair<std::string, std::string>>* out) override;
  const Snapshot* GetSnapshot() override;
  void ReleaseSnapshot(const Snapshot* snapshot) override;
  Status Sync() override;
  using DB::Flush;
  Status Flush(const FlushOptions& options) override;
  using DB::CompactRange;
  Status CompactRange(const CompactRangeOptions& options, const Slice* begin, const Slice* end,
                      bool* finished) override;
  Stats GetStats() override;
  bool HasPendingWork() override;
  Status RunPendingWork() override;
  Status Close() override;

 private:
  class SnapshotImpl;
  struct CompactionTicket;

  // Counters updated without the mutex.
  struct Counters {
    std::atomic<uint64_t> puts{0}, gets{0}, get_hits{0}, deletes{0}, batch_writes{0}, scans{0};
    std::atomic<uint64_t> user_bytes_written{0}, user_bytes_read{0};
    std::atomic<uint64_t> wal_bytes{0}, wal_records{0}, wal_syncs{0}, wal_segments_created{0};
    std::atomic<uint64_t> flushes{0}, flush_bytes_written{0};
    std::atomic<uint64_t> compactions{0}, compaction_bytes_read{0}, compaction_bytes_written{0};
    std::atomic<uint64_t> compaction_micros{0};
    std::atomic<uint64_t> slowdown_writes{0}, stopped_writes{0}, stall_micros{0};
    std::atomic<uint64_t> recovered_wal_segments{0}, recovered_records{0};
    std::atomic<uint64_t> recovery_dropped_records{0}, recovery_dropped_bytes{0};
    uint64_t level_bytes_read[kNumLevels] = {};     // mu
    uint64_t level_bytes_written[kNumLevels] = {};  // mu
  };

  // --- open / recovery (db_impl.cc)
  Status ValidateOptions() const;
  Status Recover();
  // Replays one WAL segment into *mem (flushing it to L0 tables in *edit
  // when full). *next_sequence is the sequence the next batch must carry
  // (0: unknown, from a manifest that predates log_start_sequence): batches
  // are contiguous from the manifest's log_start_sequence on, across
  // segments, so a gap means records or whole segments were lost.
  Status ReplayWal(uint64_t number, bool last_segment, SequenceNumber* next_sequence,
                   SequenceNumber* max_sequence, VersionEdit* edit, MemTable** mem);
  Status CheckOpen() const;  // InvalidArgument once closed

  // --- writes (db_write.cc)
  // Writes batch, stamping its sequence.
  Status WriteInternal(const WriteOptions& options, WriteBatch* batch);
  Status MakeRoomForWrite(std::unique_lock<std::mutex>& lock, bool force);
  // mu; reports a write stall starting (or its cause changing) or ending.
  void SetWriteStall(bool stalled, WriteStallCause cause, size_t l0_files);
  Status OpenWalSegment();  // mu
  // mu; makes the open segment's directory entry durable, once per segment
  // (an empty segment needs none).
  Status SyncWalDirectoryOnce();
  // mu; the durability point after the open segment was synced: closes it,
  // unless the Env says synced appends are cheap (then it stays open).
  Status FinishWalSync();
  // mu; syncs (unless already done) and closes the open segment, if any,
  // then consolidates the memtable's segments when they are many (unless
  // told not to). A failure turns the database read-only
  // (RecordBackgroundError).
  Status CloseWalSegment(bool already_synced = false, bool consolidate = true);
  // mu; while the memtable's newest wal_consolidation_trigger WAL segments
  // share a tier, rewrites them as one segment of the next tier
  // (wal_consolidation.h).
  void ConsolidateWal();
  Status WritableCheck() const;  // mu; ReadOnly once a background error happened

  // --- background work (db_background.cc)
  void MaybeScheduleWork();           // mu
  bool NeedsCompaction() const;       // mu
  bool HasPendingWorkLocked() const;  // mu
  // A lookup read past `file` (Version::SeekCharge); once the file has run
  // out of seeks it is due for compaction (no lock held).
  void ChargeSeek(const Version::SeekCharge& charge);
  // mu; the seek compaction due, if its file is still where it was.
  std::unique_ptr<CompactionPlan> PlanSeekCompactionLocked() const;
  void BackgroundLoop();
  // One step: a flush, or starting (and, with an inline executor,
  // finishing) one compaction.
  void DoPendingWorkStep(std::unique_lock<std::mutex>& lock);
  // One step of flushing imm_: starts the flush (flush_job_), writes
  // options_.flush_step_bytes more of it (all of it with a background
  // thread), and once all is written installs the table and drops imm_.
  Status FlushImmutableStep(std::unique_lock<std::mutex>& lock);
  // mu; a flush under way at Close: its partial table is removed (imm_'s
  // writes are still in the WAL).
  void AbandonFlush();
  TableBuilderOptions TableOptionsFor(int level) const;
  // Writes mem as a table for level (no lock needed); meta->number is 0
  // when mem holds nothing.
  Status BuildTable(MemTable* mem, int level, FileMetaData* meta);
  void StartCompaction(std::unique_lock<std::mutex>& lock, std::unique_ptr<CompactionPlan> plan,
                       bool allow_trivial_move);
  void InstallCompaction(std::unique_lock<std::mutex>& lock, const CompactionPlan& plan,
                         const CompactionResult& result);
  // VersionSet::LogAndApply with the mutex (held through lock) released while
  // the manifest segment is written and synced, so that writes and reads go
  // on meanwhile; edits are installed one at a time.
  Status LogAndApply(std::unique_lock<std::mutex>& lock, VersionEdit* edit);
  void RecordBackgroundError(const Status& s);  // mu
  // mu; calls fn(listener) for each of Options::listeners.
  template <typename F>
  void Notify(F&& fn) const {
    for (const auto& listener : options_.listeners) fn(*listener);
  }
  // After VersionSet::Recover set aside a damaged manifest tail: Corruption
  // if a table no version names holds a sequence at or past replayed_end
  // (the WAL replay's next sequence).
  Status CheckNoTableOutrunsTheWal(const std::vector<uint64_t>& table_numbers, SequenceNumber replayed_end);
  // Writes *mem as an L0 table added to *edit, with flush events (recovery).
  Status RecoveryFlush(MemTable* mem, VersionEdit* edit);
  // mu; deletes the files nothing refers to any more. With lock (holding
  // mu), mu is released while they are removed.
  void DeleteObsoleteFiles(std::unique_lock<std::mutex>* lock = nullptr);
  void WaitForBackgroundWork(std::unique_lock<std::mutex>& lock);
  static void AbandonTicket(const std::shared_ptr<CompactionTicket>& ticket);
  SequenceNumber SmallestSnapshot() const;  // mu
  // Drops a reader's reference to a version; deletes the files that only
  // it kept alive if this was the last one. REQUIRES: mu not held.
  void ReleaseVersion(std::shared_ptr<const Version> version);
  uint64_t ProtectNewFiles();              // mu; returns a handle for Unprotect
  void UnprotectNewFiles(uint64_t floor);  // mu

  const Options options_;
  const std::string dir_;
  Env* const env_;
  // options_.compaction_executor, or with a background thread and none
  // given, a thread of its own; nullptr runs jobs inline.
  std::shared_ptr<CompactionExecutor> executor_;
  std::unique_ptr<LRUCache> block_cache_;
  ReadCounters read_counters_;
  std::unique_ptr<TableCache> table_cache_;
  void* dir_lock_ = nullptr;

  std::mutex write_mutex_;
  mutable std::mutex mutex_;
  std::condition_variable bg_cv_;  // signalled when background work finishes

  bool closed_ = true;                    // mu
  bool shutting_down_ = false;            // mu
  std::unique_ptr<VersionSet> versions_;  // mu (NewFileNumber is thread-safe)
  MemTable* mem_ = nullptr;               // mu
  MemTable* imm_ = nullptr;               // mu; being flushed
  // WAL segments numbered below this hold only imm_'s (or older) data, and
  // imm_'s last sequence is this one: later segments start at the next.
  uint64_t imm_log_limit_ = 0;                                 // mu
  SequenceNumber imm_last_sequence_ = 0;                       // mu
  FlushReason imm_flush_reason_ = FlushReason::kMemtableFull;  // mu
  std::unique_ptr<WritableFile> wal_file_;                     // mu; the open WAL segment
  std::unique_ptr<log::Writer> wal_;                           // mu
  uint64_t wal_number_ = 0;                                    // mu
  uint64_t wal_segment_records_ = 0;                           // mu; records in the open segment
  bool wal_dir_synced_ = false;                                // mu; its directory entry is durable
  Status wal_error_;                                           // mu; a failed append or sync of it
  // mu; on disk, not yet obsolete: segment number -> its consolidation tier
  // (0: written by writes; t + 1: made of wal_consolidation_trigger of tier t)
  std::map<uint64_t, int> live_wal_segments_;
  int mem_wal_segments_ = 0;  // mu; segments opened for mem_

  // The flush of imm_ under way, between the steps that write it.
  struct FlushJob {
    FlushInfo info;
    uint64_t start_micros = 0;
    uint64_t floor = 0;  // ProtectNewFiles handle
    std::shared_ptr<FileMetaData> meta;
    std::unique_ptr<MemTableFlush> writer;
  };
  std::unique_ptr<FlushJob> flush_job_;  // mu

  // Live snapshots, so a released or foreign one is refused, not read.
  std::set<const Snapshot*> snapshots_;                                                 // mu
  Status SnapshotSequence(const ReadOptions& options, SequenceNumber* sequence) const;  // mu
  std::multiset<uint64_t> protected_floors_;  // mu; table numbers >= min are being written

  std::thread bg_thread_;
  bool bg_work_running_ = false;                    // mu
  bool manifest_writing_ = false;                   // mu; an edit is between Prepare and Commit
  bool flush_removing_files_ = false;               // mu; a finished flush removes what it made obsolete
  bool compaction_in_flight_ = false;               // mu
  std::unique_ptr<CompactionPlan> in_flight_plan_;  // mu
  uint64_t in_flight_floor_ = 0;                    // mu; its ProtectNewFiles handle
  uint64_t in_flight_job_id_ = 0;                   // mu
  std::shared_ptr<CompactionTicket> ticket_;        // mu
  // mu; whether CompactRange's last pass, which compacts `level` (the
  // deepest that holds the range, or the one above the last level), into
  // the next, does anything.
  bool DeepestLevelNeedsARewrite(int level, const Slice* begin, const Slice* end);
  // mu; the deepest level, of those deeper than `deeper_than`, with a table
  // overlapping [begin, end]; `deeper_than` if there is none.
  int DeepestLevelHolding(const Slice* begin, const Slice* end, int deeper_than) const;
  // A CompactRange that answered Busy (no background thread, a job out at
  // the executor) or stopped at its max_jobs: the next call with the same
  // range goes on from here.
  struct ManualCompaction {
    std::optional<std::string> begin, end;  // the range; nullopt: unbounded
    int last_pass = 0;                      // the level the last pass compacts (LastLevelToCompact)
    int next_level = 0;
    // Set while next_level's pass goes in jobs (PlanRangeCompaction's
    // more_in_range): the largest user key the last one took, where the
    // next one starts.
    std::optional<std::string> resume_from;
    // The last call stopped at its max_jobs (not Busy): only a call with
    // CompactRangeOptions::resume goes on with it.
    bool stopped_at_max_jobs = false;
  };
  std::unique_ptr<ManualCompaction> manual_;  // mu
  // CompactRange calls running: no automatic compaction starts between
  // their steps (one could move part of the range where they do not look).
  int manual_calls_running_ = 0;  // mu
  // Iterators sample what they read every this many bytes on average
  // (NewDBIterator), each with a seed of its own.
  static constexpr uint64_t kReadSamplePeriod = 1 << 20;
  std::atomic<uint64_t> read_sample_seed_{0};
  // The table whose seeks ran out (ChargeSeek), always one of the current
  // version (LogAndApply drops it when it goes), and its level; 0: none.
  // Written under mu; ChargeSeek reads the number without it.
  std::atomic<uint64_t> seek_compaction_file_{0};
  int seek_compaction_level_ = 0;                           // mu
  uint64_t next_job_id_ = 1;                                // mu
  bool write_stopped_ = false;                              // mu
  bool write_stalled_ = false;                              // mu; a stall was reported begun
  WriteStallCause stall_cause_ = WriteStallCause::kL0Stop;  // mu; its cause
  Status bg_error_;                                         // mu

  Counters counters_;
  Histogram put_latency_, get_latency_, scan_latency_, flush_latency_, compaction_latency_;
  // Where the clock is not cheap, puts and gets are timed one in
  // kLatencySampleEvery (Env::ClockIsCheap): the weight to record this
  // operation with, 0 for an operation not timed. Puts and gets count their
  // own ticks: with one counter, gets and puts in turn would time only one
  // kind (and count it twice).
  static constexpr uint64_t kLatencySampleEvery = 8;
  uint64_t LatencyWeight(std::atomic<uint64_t>& ticks) {
    if (clock_is_cheap_) return 1;
    return ticks.fetch_add(1, std::memory_order_relaxed) % kLatencySampleEvery == 0 ? kLatencySampleEvery : 0;
  }
  const bool clock_is_cheap_;
  std::atomic<uint64_t> put_latency_ticks_{0}, get_latency_ticks_{0};
};

}  // namespace strata
