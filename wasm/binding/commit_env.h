// CommitEnv: the Env a database uses in the browser build. It wraps the file
// system Env (MEMFS under an IDBFS mount) and does two things for the commit
// to IndexedDB:
//
// - Buffers each written file in memory and hands it to the file system in
//   one exact-size write at Close. MEMFS then stores the file in one buffer
//   of its exact size (no growth copies, no spare capacity persisted to
//   IndexedDB), and no commit can see a half-written file.
// - Records which paths changed (a file closed after writing, renamed or
//   removed) since the last TakeChanges(). A commit stores exactly those
//   paths, so its cost grows with what changed, not with the database size.
//
// Files are written once (DESIGN.md decision 1), so a closed file never
// changes again and a recorded path's contents at commit time are final.
#pragma once

#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "strata/env.h"

namespace strata {

class CommitEnv : public Env {
 public:
  // base must outlive this Env.
  explicit CommitEnv(Env* base) : base_(base) {}

  // Paths changed since the previous call, sorted; each is now either a
  // complete file or absent. Clears the record.
  std::vector<std::string> TakeChanges();
  // Whether a path changed since the previous TakeChanges().
  bool HasChanges();

  Status NewSequentialFile(const std::string& path, std::unique_ptr<SequentialFile>* result) override {
    return base_->NewSequentialFile(path, result);
  }
  Status NewRandomAccessFile(const std::string& path, std::unique_ptr<RandomAccessFile>* result) override {
    return base_->NewRandomAccessFile(path, result);
  }
  Status NewWritableFile(const std::string& path, std::unique_ptr<WritableFile>* result) override;
  bool FileExists(const std::string& path) override { return base_->FileExists(path); }
  Status GetChildren(const std::string& dir, std::vector<std::string>* result) override {
    return base_->GetChildren(dir, result);
  }
  Status RemoveFile(const std::string& path) override;
  Status CreateDir(const std::string& dir) override { return base_->CreateDir(dir); }
  Status RemoveDir(const std::string& dir) override { return base_->RemoveDir(dir); }
  Status GetFileSize(const std::string& path, uint64_t* size) override {
    return base_->GetFileSize(path, size);
  }
  Status RenameFile(const std::string& from, const std::string& to) override;
  Status SyncDir(const std::string& dir) override { return Status::OK(); }  // the commit syncs
  Status LockFile(const std::string& path, void** lock) override { return base_->LockFile(path, lock); }
  Status UnlockFile(void* lock) override { return base_->UnlockFile(lock); }
  uint64_t NowMicros() override { return base_->NowMicros(); }
  void SleepMicros(int micros) override { base_->SleepMicros(micros); }

  // Called by a written file when it is closed.
  void RecordChange(const std::string& path);

 private:
  Env* const base_;
  std::mutex mu_;
  std::set<std::string> changed_;
};

}  // namespace strata
