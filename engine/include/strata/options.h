// Options for opening a database, reading and writing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace strata {

class Env;
class CompactionExecutor;
class EventListener;
class Snapshot;

// Size limits enforced with InvalidArgument at every entry point.
constexpr size_t kMaxKeySize = 64 * 1024;            // keys are 0..64 KiB
constexpr size_t kMaxValueSize = 64 * 1024 * 1024;   // values are 0..64 MiB
constexpr size_t kMaxBatchSize = 256 * 1024 * 1024;  // an encoded WriteBatch

// Block compression. Persisted in every block trailer: never renumber.
enum class Compression : uint8_t {
  kNone = 0,
  kZlib = 1,
};

struct Options {
  // Where files live. Default: Env::Default().
  Env* env = nullptr;

  // A missing database is NotFound unless this is on; an existing one is
  // InvalidArgument when error_if_exists is.
  bool create_if_missing = true;
  bool error_if_exists = false;

  // On: corruption found during recovery before the WAL tail fails Open.
  // Off: the damaged records are skipped and counted in the stats.
  bool paranoid_checks = true;

  // Memtable size at which it is frozen and flushed to an L0 table.
  size_t write_buffer_size = 4 * 1024 * 1024;
  // Also freeze and flush the memtable once its writes span this many WAL
  // segments (0: no limit). Where Env::SyncedAppendsAreCheap() is false,
  // every durability point starts a new segment, so without a limit a
  // stream of small synced writes leaves one tiny segment per write for
  // storage to hold and recovery to read. The browser build, where every
  // awaited durable write is a durability point, sets it.
  int max_wal_segments_per_memtable = 0;
  // When the newest this-many WAL segments of the memtable are alike (all
  // written by writes, or all made by one round of this), they are
  // rewritten as one at the durability point that closes the last (0:
  // never; else at least 2). So a stream of small synced writes keeps few
  // files without a flush of a nearly empty memtable, and each record is
  // rewritten once per round (log base trigger of the segments), at most
  // trigger - 1 segments left per round. Only where each durability point
  // closes a segment (Env::SyncedAppendsAreCheap() false): elsewhere one
  // segment serves many durability points.
  int wal_consolidation_trigger = 32;

  // Uncompressed bytes per data block, and keys between restart points.
  size_t block_size = 4 * 1024;
  int block_restart_interval = 16;

  // Bloom filter bits per key; 0 builds no filter.
  int bloom_bits_per_key = 10;

  // Compression of level i's tables; levels past the end use the last
  // entry. A block stays compressed only when it saves >= 12.5%.
  // Default: none for L0 and L1, which are rewritten soon anyway, and zlib
  // for the long-lived deeper levels (see README "Compression").
  std::vector<Compression> compression_per_level = {Compression::kNone, Compression::kNone,
                                                    Compression::kZlib};
  int zlib_level = 1;  // 1 (fast) .. 9 (small)

  // Byte capacity of the LRU cache of uncompressed data blocks; 0 disables.
  size_t block_cache_capacity = 8 * 1024 * 1024;
  // Table readers kept open.
  int max_open_tables = 500;

  // Compaction shape (leveled).
  size_t target_file_size = 2 * 1024 * 1024;
  uint64_t max_bytes_for_level_base = 10 * 1024 * 1024;  // L1 target
  int level_size_multiplier = 10;
  int l0_compaction_trigger = 4;
  int l0_slowdown_writes_trigger = 8;
  int l0_stop_writes_trigger = 12;

  // true: a background thread flushes and compacts. false: no threads at
  // all; the caller drives DB::RunPendingWork() (and writes do the work
  // inline when they must wait for it).
  bool background_thread = true;
  // Without a background thread: the most bytes of keys and values one
  // step (RunPendingWork) writes of a memtable being flushed, so that the
  // caller's thread is held for a fraction of a flush at a time; 0: a whole
  // memtable in one step. A background thread always flushes in one go.
  uint64_t flush_step_bytes = 0;

  // Runs compaction jobs. nullptr: with background_thread, a compaction
  // thread of the DB's own (so flushes go on while a compaction runs);
  // without, inline in RunPendingWork().
  std::shared_ptr<CompactionExecutor> compaction_executor;

  // Told of flushes, compactions, table files, WAL segments, write stalls
  // and background errors as they happen (strata/listener.h).
  std::vector<std::shared_ptr<EventListener>> listeners;
};

struct ReadOptions {
  // Read as of this snapshot; nullptr reads the latest state.
  const Snapshot* snapshot = nullptr;
  // Verify block checksums on every read. Without it a block is verified
  // when it is read from a file with a system call, or the first time an
  // open table reads it from a file in memory (mapped, or Emscripten's
  // MEMFS); blocks in the cache were verified on their way in
  // (engine/src/table/table_format.md).
  bool verify_checksums = false;
  // Put blocks read by this operation into the block cache. Never cached:
  // blocks of a mapped table without compression (read in place), and
  // uncompressed blocks an iterator reads ahead, several per file read, as
  // it goes on through a table in order (a scan's blocks after its first
  // two).
  bool fill_cache = true;
};

struct FlushOptions {
  // true: DB::Flush returns once the memtable is in a table. false: it
  // freezes the memtable (if it holds anything) for the background work to
  // flush and returns; an earlier frozen memtable still being flushed is
  // finished first, as a write that must wait for one would.
  bool wait = true;
};

struct CompactRangeOptions {
  // At most this many compaction jobs in one call (0: no limit). A call
  // that stops with work left sets *finished to false. A caller without a
  // background thread uses it to run a large compaction job by job, with
  // its own work between the calls.
  int max_jobs = 0;
  // Go on with the compaction of the same range that the last call left
  // at its max_jobs, where it stopped: no flush (what was written since is
  // not this compaction's), and the levels it went through are not gone
  // through again. Without it such a compaction is started over. Ignored
  // when none is left. (A call that answered Busy is always gone on with.)
  bool resume = false;
};

struct WriteOptions {
  // true: the write is durable when it returns (the WAL segment is synced:
  // a durability point; see db.h). false: durable at the next durability
  // point (DB::Sync(), a synced write, or a memtable flush).
  bool sync = false;
};

}  // namespace strata
