// WasmDatabase: the object the Embind binding exposes as `Database`. One per
// open database; the TypeScript package is its only intended caller.
//
// Calling convention (chosen so that a call moves no JS objects through
// Embind, which costs more than the engine call itself):
// - Arguments: the caller asks Scratch(n) for a buffer of at least n bytes
//   in wasm memory, writes key/value bytes there, and passes their lengths.
//   Keys come first, then the value (or the second key).
// - Results: a method that returns bytes leaves them in memory this object
//   owns and writes {pointer, length} as two uintptr_t at Descriptor()
//   (two little-endian uint32 in wasm32). They stay valid until the next
//   call. TakeChanges and TakeEvents write theirs in the next two words, so
//   that reading the events between a call and its result (as the package
//   does after every call) leaves that result in place; that text stays
//   valid until the next TakeChanges or TakeEvents.
// - Every method returns a Status code (status.h: 0 ok, 1 not found, ...);
//   LastError() holds the message of the last failure.
//
// Every argument is validated here too: the binding must not trap whatever
// the caller passes.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "byte_sink.h"
#include "commit_env.h"
#include "compaction_executor.h"
#include "event_queue.h"
#include "package_limits.h"
#include "strata/db.h"

namespace strata {

struct OpenConfig {
  double write_buffer_bytes = kMemtableBytes.fallback;
  double block_cache_bytes = kBlockCacheBytes.fallback;
  int bloom_bits_per_key = static_cast<int>(kBloomBitsPerKey.fallback);
  bool compression = true;  // zlib in L2 and deeper (the engine default)
  int zlib_level = static_cast<int>(kZlibLevel.fallback);
  bool paranoid_checks = true;
  bool create_if_missing = true;
  bool error_if_exists = false;
  // Compaction jobs wait for JavaScript to run them elsewhere (in a
  // compaction worker) instead of running inside RunPendingWork.
  bool deferred_compaction = false;
  // Where such jobs run ("worker", "instance"), as compaction events say.
  std::string compaction_runner = "worker";
};

class WasmDatabase {
 public:
  WasmDatabase();
  ~WasmDatabase();

  // Opens the database in dir (creating it).
  int Open(const std::string& dir, const OpenConfig& config);
  int Close();

  // This object's address, for the plain C exports of the hot calls
  // (bindings.cc).
  uintptr_t Handle() { return reinterpret_cast<uintptr_t>(this); }

  uintptr_t Scratch(uint32_t size);
  uintptr_t Descriptor() const { return reinterpret_cast<uintptr_t>(descriptor_); }
  std::string LastError() const { return last_error_; }
  // The code of the last failure (for the calls that answer an id, 0 on error).
  int LastCode() const { return last_code_; }

  int Put(uint32_t key_size, uint32_t value_size);
  int Delete(uint32_t key_size);
  // The scratch holds `size` bytes of entries, each
  //   u8 op (1 put, 0 delete) | u32 key size | key | [u32 value size | value]
  // with little-endian sizes. Applied atomically.
  int Write(uint32_t size);
  // Result: the value. Code 1 (not found) when absent.
  int Get(uint32_t key_size, uint32_t snapshot_id);
  // The scratch holds `size` bytes of keys, each u32 key size | key. All
  // are read at one point in time (the snapshot, or now). Result, read by
  // wasm/src/value-list.ts:
  //   u32 count
  //   u32 flags (kChunkValuesUtf8: every value is well-formed UTF-8)
  //   count x (u32 value bytes, 0xffffffff when absent; u32 value UTF-16
  //            units, meaningful only with the flag)
  //   the values' bytes, one after another
  // Without values every size is 0 or 0xffffffff and no bytes follow.
  // utf8_wanted (kChunkValuesUtf8 or 0) asks for the check and the units.
  int GetMany(uint32_t size, uint32_t snapshot_id, bool with_values, uint32_t utf8_wanted);

  // Snapshot ids are > 0; 0 means "the latest state" wherever one is taken.
  // Returns 0 (and sets LastError) when the database is closed.
  uint32_t NewSnapshot();
  int ReleaseSnapshot(uint32_t id);

  // A cursor over the range given by the bounds in the scratch (lower bound
  // first, then upper); reverse walks from the upper end. Returns its id
  // (> 0), or 0 on error.
  uint32_t NewCursor(bool has_lower, uint32_t lower_size, bool lower_inclusive, bool has_upper,
                     uint32_t upper_size, bool upper_inclusive, bool reverse, uint32_t snapshot_id);
  // Result: a chunk of up to max_entries entries (at least one if any
  // remain, then until about max_bytes), read by wasm/src/entry-chunk.ts:
  //   u32 count (0: the cursor is exhausted)
  //   u32 flags (kChunk*)
  //   count x (u32 key bytes, u32 value bytes, u32 key UTF-16 units,
  //            u32 value UTF-16 units; units mean something only when
  //            their flag is set)
  //   the keys' bytes, one after another; then the values' bytes
  // utf8_wanted holds kChunkKeysUtf8 and/or kChunkValuesUtf8: only those
  // are checked and counted (a reader of bytes needs neither), so a flag
  // left out of it is never set in the chunk.
  static constexpr uint32_t kChunkKeysUtf8 = 1;    // every key is well-formed UTF-8
  static constexpr uint32_t kChunkValuesUtf8 = 2;  // every value is well-formed UTF-8
  static constexpr uint32_t kChunkAtEnd = 4;       // the cursor has no more (until a seek)
  int CursorNext(uint32_t id, uint32_t max_entries, uint32_t max_bytes, uint32_t utf8_wanted);
  // Moves the cursor to the first key at or after the target in the scratch
  // (at or before it when reverse), staying inside the cursor's bounds.
  int CursorSeek(uint32_t id, uint32_t target_size);
  int CloseCursor(uint32_t id);

  int Sync();
  int Flush();
  // Freezes the memtable for the flush steps to write (DB::Flush without
  // waiting); FlushUnderWay is true until that flush is done, and then
  // FlushesDone counts it.
  int FreezeMemtable();
  bool FlushUnderWay();
  double FlushesDone();
  // Bounds in the scratch, like NewCursor (inclusive). At most max_jobs
  // jobs (0: no limit); CompactFinished says whether the call went to the
  // end, and one with resume goes on where the last stopped
  // (CompactRangeOptions).
  int Compact(bool has_begin, uint32_t begin_size, bool has_end, uint32_t end_size, uint32_t max_jobs,
              bool resume);
  bool CompactFinished() const { return compact_finished_; }
  bool HasPendingWork();
  // A deferred compaction job waits to be taken.
  bool HasCompactionJob() const { return compactions_ && compactions_->HasJob(); }
  int RunPendingWork();

  // Text result (Descriptor() + 2 words): the paths written, renamed or
  // removed since the last call, each ending in '\n' (names never contain
  // one). Not a returned std::string: Embind decodes those with a
  // TextDecoder call, which costs Chromium microseconds, and this is read
  // at every commit.
  int TakeChanges();
  // Whether TakeChanges() would name a path (say, tables an iterator kept
  // alive and the engine deleted when it closed).
  bool HasChanges() { return env_ && env_->HasChanges(); }

  // Deferred compaction (OpenConfig::deferred_compaction): takes the job
  // that waits. Result: its envelope (DeferredCompactionExecutor::TakeJob);
  // code 1 (not found) when none waits. Its input paths, '\n'-terminated,
  // are then in CompactionInputs(), and the paths of the tables it may
  // write (one per reserved number) in CompactionReservedOutputs().
  int TakeCompactionJob();
  std::string CompactionInputs() const { return compaction_inputs_; }
  std::string CompactionReservedOutputs() const { return compaction_outputs_; }
  // The engine's id of the job taken (or waiting); 0 when none. A double:
  // exact to 2^53, and Embind passes no 64-bit integers without BigInt.
  double CompactionJobId() const { return compactions_ ? static_cast<double>(compactions_->JobId()) : 0; }
  // Adds a compaction output to the database directory through the
  // engine's Env (CommitEnv::AddFile), so that the next commit stores it:
  // make(path) creates the file (the browser build's adopts the buffer the
  // runner sent as the file, bindings.cc). path must name a table file
  // (NNNNNN.sst) in the open database's directory: JavaScript never writes
  // there itself.
  int AddCompactionOutput(const std::string& path,
                          const std::function<Status(const std::string& path)>& make);
  // Delivers the encoded result (in the scratch) of the taken job.
  int CompleteCompaction(uint32_t size);
  // Runs the waiting or taken job here instead.
  int RunCompactionInline();
  // Text result, as TakeChanges': the engine's events since the last call,
  // as JSON lines (event_queue.h).
  bool HasEvents() { return events_ && events_->HasEvents(); }
  int TakeEvents();
  std::string StatsJson();
  std::string Metrics();

 private:
  struct Cursor;

  // The code of s; records its message unless it is ok.
  int Fail(const Status& s);
  bool ScratchHolds(uint64_t size);
  int CheckOpen();
  const Snapshot* FindSnapshot(uint32_t id, int* code);
  void SetResult(const char* data, size_t size);
  void SetTextResult(const std::string& text);
  uint32_t NewId();

  std::unique_ptr<CommitEnv> env_;
  std::shared_ptr<EventQueue> events_;
  std::string dir_;                                          // of the open database
  std::shared_ptr<DeferredCompactionExecutor> compactions_;  // when deferred
  std::string compaction_inputs_;
  std::string compaction_outputs_;
  bool compact_finished_ = false;  // the last Compact's
  std::unique_ptr<DB> db_;
  std::string scratch_;
  std::string result_;
  std::string text_;  // TakeChanges' and TakeEvents' result
  // GetMany's and CursorNext's result, and the keys and values they gather
  // before appending them to it (database.cc: StartChunk, FinishChunk).
  ByteSink chunk_, chunk_keys_, chunk_values_;
  void StartChunk();
  int FinishChunk(uint32_t count, uint32_t flags);
  uintptr_t descriptor_[4] = {0, 0, 0, 0};  // the result, then TakeChanges' or TakeEvents'
  std::string last_error_;
  int last_code_ = 0;
  uint32_t next_id_ = 1;
  std::map<uint32_t, const Snapshot*> snapshots_;
  std::map<uint32_t, std::unique_ptr<Cursor>> cursors_;
};

}  // namespace strata
