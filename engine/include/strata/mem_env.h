// An in-memory Env for tests and tools, which can simulate a machine crash:
// it then forgets every byte and every directory change that was not synced.
#pragma once

#include <memory>

#include "strata/env.h"

namespace strata {

class MemEnv : public Env {
 public:
  // Forgets what a machine crash may lose, as strictly as POSIX allows:
  // every file is cut back to the length it had at its last
  // WritableFile::Sync() (never synced: empty), and every directory goes
  // back to the entries it had at its last SyncDir(): files created or
  // renamed into it since are gone, files removed or renamed away since are
  // back (with their synced bytes). Directories themselves are durable at
  // once. Open WritableFiles must not be used afterwards.
  virtual void SimulateCrash() = 0;

  // While set, every Append, Sync and NewWritableFile fails with IOError.
  virtual void SetWriteErrors(bool fail) = 0;

  // What SyncedAppendsAreCheap() answers: false (the default) as in the
  // browser build, true as on a POSIX file system, so that tests cover the
  // WAL's policy of each.
  virtual void SetSyncedAppendsAreCheap(bool cheap) = 0;

  // What ContentsInProcessMemory() answers for files opened from then on:
  // false (the default) as for a file read with system calls, true as in
  // Emscripten's in-memory file system.
  virtual void SetContentsInProcessMemory(bool in_memory) = 0;

  // Counts of calls, for tests that check what the engine did.
  virtual uint64_t SyncCount() const = 0;
  virtual uint64_t FilesCreated() const = 0;
};

// base_env supplies the clock; may be Env::Default().
std::unique_ptr<MemEnv> NewMemEnv(Env* base_env);

}  // namespace strata
