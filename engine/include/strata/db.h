// DB: an LSM-tree key-value store over one directory.
//
// Keys are 0..kMaxKeySize bytes (the empty key is a key, first in order),
// values 0..kMaxValueSize bytes, both arbitrary, ordered bytewise. All methods are thread-safe. Every method
// validates its arguments and answers bad input with InvalidArgument; after
// Close() every method answers InvalidArgument("database is closed").
//
// Durability. What survives depends on the write mode and on what crashes:
//
//   WriteOptions::sync = false (the default): the write returns once its
//     WAL record has been handed to the Env's file system (natively the
//     operating system, with write(2)) and applied to the memtable. It
//     survives a crash of the process (SIGKILL, abort); it survives a crash
//     of the machine (power loss, kernel panic) only once a later
//     durability point has passed: a synced write, Sync(), Flush(), a
//     memtable switch or Close(). Unsynced writes lost to a machine crash
//     are always a suffix of whole batches.
//   WriteOptions::sync = true: the write returns once its WAL segment has
//     been synced (fdatasync natively), and the directory synced for a new
//     segment: a durability point. It survives any crash, and so does every
//     write acknowledged before it. It becomes visible to readers only
//     then. With Env::Default() natively the segment stays open for the
//     next writes; where a sync stores whole files (an Env whose
//     SyncedAppendsAreCheap() is false: the browser build's, and any Env
//     that does not say) it is closed, and the next write starts a new one.
//
// In the browser build the Env's "file system" is the process's own memory
// (CommitEnv buffers each file until it is closed), so an unsynced write
// survives neither a killed page nor a crash until a durability point has
// been committed to IndexedDB; the package's durability modes say when.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "strata/iterator.h"
#include "strata/options.h"
#include "strata/slice.h"
#include "strata/stats.h"
#include "strata/status.h"
#include "strata/write_batch.h"

namespace strata {

// A point in time to read at. Obtained from DB::GetSnapshot and given back
// with DB::ReleaseSnapshot.
class Snapshot {
 protected:
  virtual ~Snapshot() = default;
};

class DB {
 public:
  // Opens (creating if options allow) the database in dir, recovering any
  // WAL segments. Busy if another DB object or process has it open.
  static Status Open(const Options& options, const std::string& dir, std::unique_ptr<DB>* db);

  // Removes every file of the database in dir and the dir itself.
  static Status Destroy(const Options& options, const std::string& dir);

  DB() = default;
  DB(const DB&) = delete;
  DB& operator=(const DB&) = delete;
  // Closes the database if still open.
  virtual ~DB() = default;

  virtual Status Put(const WriteOptions& options, const Slice& key, const Slice& value) = 0;
  virtual Status Delete(const WriteOptions& options, const Slice& key) = 0;
  // Applies the batch atomically.
  virtual Status Write(const WriteOptions& options, const WriteBatch& batch) = 0;

  // NotFound if the key has no value (status only: not an error).
  virtual Status Get(const ReadOptions& options, const Slice& key, std::string* value) = 0;

  // An iterator over a consistent view (options.snapshot, or the state at
  // creation). The caller deletes it before closing the DB. Its status()
  // reports InvalidArgument if the DB is closed.
  virtual std::unique_ptr<Iterator> NewIterator(const ReadOptions& options) = 0;

  // Up to `limit` entries (0: no limit) with start <= key < end, in order.
  // An empty end means no upper bound.
  virtual Status Scan(const ReadOptions& options, const Slice& start, const Slice& end, size_t limit,
                      std::vector<std::pair<std::string, std::string>>* out) = 0;

  // nullptr if the DB is closed.
  virtual const Snapshot* GetSnapshot() = 0;
  virtual void ReleaseSnapshot(const Snapshot* snapshot) = 0;

  // Makes every write so far durable (a durability point).
  virtual Status Sync() = 0;
  // Writes the memtable to an L0 table and waits for it (also a durability
  // point: the WAL segment is closed when the memtable is frozen); with
  // options.wait false, freezes it and leaves the flush to the background
  // work (RunPendingWork without a background thread).
  virtual Status Flush(const FlushOptions& options) = 0;
  Status Flush() { return Flush(FlushOptions()); }
  // Flushes, then rewrites every table overlapping [begin, end] (nullptr:
  // unbounded) level by level down to the deepest level holding part of the
  // range, and that level into the next where it still holds what can go
  // (or is stored otherwise than its level asks): afterwards the range
  // lives in one level, with no version or tombstone that no snapshot
  // needs. Waits for it; no automatic compaction starts meanwhile, and data that one moved deeper
  // while this waited for it is compacted too. Below L0 a level's part of
  // the range goes in jobs of about ten target files each. Calls from
  // several threads run one after another. Returns the error that
  // stopped a compaction (say, Corruption). Without
  // a background thread, its jobs go to the executor like any other; while
  // one is out it answers Busy, and calling it again with the same range
  // goes on with the next job (see RunPendingWork); so does a call with
  // options.resume after one that stopped at options.max_jobs. *finished
  // (if not nullptr) says whether this call went to the end: true only
  // with an OK status.
  virtual Status CompactRange(const CompactRangeOptions& options, const Slice* begin, const Slice* end,
                              bool* finished) = 0;
  Status CompactRange(const Slice* begin, const Slice* end) {
    return CompactRange(CompactRangeOptions(), begin, end, nullptr);
  }

  virtual Stats GetStats() = 0;

  // Without a background thread (Options::background_thread = false):
  // whether a flush or compaction is waiting, and doing one step of it
  // (a flush, or starting one compaction job on the executor). In that mode
  // a write (or CompactRange) that would have to wait for a job still
  // running on an outside executor answers Busy instead of blocking: retry
  // once the job's completion has been delivered.
  virtual bool HasPendingWork() = 0;
  virtual Status RunPendingWork() = 0;

  // Finishes the running background step (a compaction on an outside
  // executor is abandoned and the outputs it wrote so far are removed),
  // makes all writes durable, removes every file the manifest no longer
  // names, releases the directory. Later calls, Close included, answer
  // InvalidArgument.
  virtual Status Close() = 0;
};

}  // namespace strata
