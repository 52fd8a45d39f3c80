// CommitEnv: the Env a database uses in the browser build. It wraps the file
// system Env (MEMFS under an IDBFS mount) and does two things for the commit
// to IndexedDB:
//
// - Buffers each written file in memory and hands it to the file system
//   whole at Close, through the file maker it was given (the browser build's
//   makes it in MEMFS directly, memfs_files.h) or else in one exact-size
//   write. MEMFS then stores the file in one buffer of its exact size (no
//   growth copies, no spare capacity persisted to IndexedDB), and no commit
//   can see a half-written file.
// - Records which paths changed (a file closed after writing, renamed or
//   removed) since the last TakeChanges(). A commit stores exactly those
//   paths, so its cost grows with what changed, not with the database size.
// - Knows which files it made (written, or added) and that are still there:
//   opened for reading, those say their bytes were made in this process
//   (RandomAccessFile::ContentsMadeInProcess), where the base keeps files in
//   process memory (MEMFS), and a table reads them without verifying its
//   blocks. A file that was there before (loaded from IndexedDB) does not,
//   nor any after ForgetMadeFiles() (a load may have replaced them).
//
// Files are written once (DESIGN.md decision 1), so a closed file never
// changes again and a recorded path's contents at commit time are final.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "strata/env.h"

namespace strata {

class CommitEnv : public EnvWrapper {
 public:
  // Makes a new file whole, or answers nullopt to leave it to the base Env.
  // An error it answers must leave no file behind.
  using FileMaker = std::optional<Status> (*)(const std::string& path, const Slice& contents);

  // base must outlive this Env.
  explicit CommitEnv(Env* base, FileMaker make_file = nullptr) : EnvWrapper(base), make_file_(make_file) {}

  // Paths changed since the previous call, sorted; each is now either a
  // complete file or absent. Clears the record.
  std::vector<std::string> TakeChanges();
  // Whether a path changed since the previous TakeChanges().
  bool HasChanges();
  // From now on no file present counts as made by this Env: storage loaded
  // into the base may have replaced them.
  void ForgetMadeFiles();

  Status NewWritableFile(const std::string& path, std::unique_ptr<WritableFile>* result) override;
  Status NewRandomAccessFile(const std::string& path, std::unique_ptr<RandomAccessFile>* result) override;
  Status RemoveFile(const std::string& path) override;
  Status RenameFile(const std::string& from, const std::string& to) override;
  Status SyncDir(const std::string& dir) override { return Status::OK(); }  // the commit syncs
  // A sync here stores whole files in IndexedDB (see Env).
  bool SyncedAppendsAreCheap() const override { return false; }

  // Creates path holding contents, whole or not at all (a failed write
  // removes what it left), and records the change. Written files call it at
  // their Close.
  Status WriteWholeFile(const std::string& path, const Slice& contents);

  // Has make create path whole, from bytes that are not in this Env's
  // memory (a compaction output that arrived as a JavaScript buffer, which
  // the browser build adopts as the file: memfs_files.h), and records the
  // change. An error make answers must leave no file behind.
  Status AddFile(const std::string& path, const std::function<Status(const std::string& path)>& make);

 private:
  void RecordChange(const std::string& path);
  void SetMade(const std::string& path, bool made);

  const FileMaker make_file_;
  std::mutex mu_;
  std::set<std::string> changed_;
  std::set<std::string> made_;  // files this Env made that are still there
};

}  // namespace strata
