// EventListener: what the engine does, reported as it happens (DESIGN.md
// decision 9; pebble's EventListener, RocksDB's listener.h). Every event is
// complete: a consumer never has to infer a job's inputs, outputs or levels
// from stats.
//
// Set listeners in Options::listeners. Callbacks run on the thread doing the
// work (the writer, the background thread, or whoever calls RunPendingWork)
// with the DB's internal mutex held, in the order things happen: they must
// be quick and must not call back into the DB. Flushes and compactions share
// one job-id counter.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "strata/status.h"

namespace strata {

// One table file.
struct TableInfo {
  uint64_t number = 0;
  int level = 0;
  uint64_t size = 0;         // bytes
  std::string smallest_key;  // user keys
  std::string largest_key;
  uint64_t entries = 0;
  uint64_t tombstones = 0;
  uint64_t smallest_seq = 0;
  uint64_t largest_seq = 0;
};

// Why a memtable was flushed.
enum class FlushReason {
  kMemtableFull,  // write_buffer_size reached
  kWalSegments,   // max_wal_segments_per_memtable reached
  kManual,        // DB::Flush or DB::CompactRange
  kRecovery,      // Open replayed WAL segments into a table
};
const char* FlushReasonName(FlushReason reason);  // "memtable-full", ...

struct FlushInfo {
  uint64_t job_id = 0;
  FlushReason reason = FlushReason::kMemtableFull;
  uint64_t memtable_bytes = 0;
  uint64_t memtable_entries = 0;
  // End only: the L0 table written (has_output false: the memtable held
  // nothing), the time taken (from its first step to its last, with
  // Options::flush_step_bytes), and the outcome.
  bool has_output = false;
  TableInfo output;
  uint64_t micros = 0;
  Status status;
};

enum class CompactionReason {
  kLevelScore,  // the level's score reached 1
  kManual,      // DB::CompactRange
  kSeeks,       // lookups read past one of its files too often (a read-mostly database)
};
const char* CompactionReasonName(CompactionReason reason);  // "score", "manual", "seeks"

struct CompactionInfo {
  uint64_t job_id = 0;
  CompactionReason reason = CompactionReason::kLevelScore;
  double score = 0;  // of the input level when picked (kLevelScore)
  int level = 0;     // input level; the job writes level + 1
  int output_level = 0;
  // A table moved down by a manifest edit alone: no bytes read or written.
  bool trivial_move = false;
  std::vector<TableInfo> inputs;  // each with its level (level or level + 1)
  // End only.
  std::vector<TableInfo> outputs;  // at output_level
  uint64_t bytes_read = 0;
  uint64_t bytes_written = 0;
  uint64_t entries_read = 0;
  uint64_t entries_written = 0;
  uint64_t micros = 0;
  // Where the job ran: the CompactionExecutor's word (CompactionResult::runner).
  std::string runner;
  Status status;  // not ok: the job failed, or was abandoned by Close
};

// A table file entered the current version: written by a flush (or by
// recovery's flush) or as a compaction output.
struct TableCreatedInfo {
  uint64_t job_id = 0;
  bool by_compaction = false;  // else by a flush
  TableInfo table;
};

// A WAL segment was closed (synced, when it held records): a durability
// point. The next write opens a new segment.
struct WalSegmentInfo {
  uint64_t number = 0;
  uint64_t bytes = 0;
  uint64_t records = 0;
};

enum class WriteStallCause {
  kL0Slowdown,       // writes delayed: L0 at l0_slowdown_writes_trigger
  kL0Stop,           // writes wait for a compaction: L0 at l0_stop_writes_trigger
  kMemtableFlushing  // writes wait for the previous memtable's flush
};
const char* WriteStallCauseName(WriteStallCause cause);  // "l0-slowdown", ...

// Writes started or stopped having to wait. One begin and one end per
// stall, however many writes wait in it, strictly alternating: when the
// cause changes, the stall of the old cause ends and one of the new begins.
struct WriteStallInfo {
  bool stalled = false;
  WriteStallCause cause = WriteStallCause::kL0Stop;
  uint64_t l0_files = 0;
};

class EventListener {
 public:
  virtual ~EventListener() = default;
  virtual void OnFlushBegin(const FlushInfo& /*info*/) {}
  virtual void OnFlushEnd(const FlushInfo& /*info*/) {}
  virtual void OnCompactionBegin(const CompactionInfo& /*info*/) {}
  virtual void OnCompactionEnd(const CompactionInfo& /*info*/) {}
  virtual void OnTableCreated(const TableCreatedInfo& /*info*/) {}
  // A table left the directory: nothing names it or reads it any more.
  virtual void OnTableDeleted(uint64_t /*number*/) {}
  virtual void OnWalSegmentClosed(const WalSegmentInfo& /*info*/) {}
  virtual void OnWriteStall(const WriteStallInfo& /*info*/) {}
  // The database turned read-only: writes answer ReadOnly naming this.
  virtual void OnBackgroundError(const Status& /*error*/) {}
};

}  // namespace strata
