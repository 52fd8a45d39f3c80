// Env: every file operation the engine performs goes through an Env, so the
// engine cannot tell a POSIX directory, Emscripten's MEMFS under an IDBFS
// mount, and an in-memory test file system apart.
//
// Files are written once: a WritableFile is appended to, optionally synced,
// and closed; it is never reopened for writing. All methods are thread-safe
// unless noted.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "strata/slice.h"
#include "strata/status.h"

namespace strata {

// Read front to back. Not thread-safe.
class SequentialFile {
 public:
  virtual ~SequentialFile() = default;
  // Reads up to n bytes. *result points into scratch (n bytes, caller-owned)
  // or into the file's own memory. A short read means end of file.
  virtual Status Read(size_t n, Slice* result, char* scratch) = 0;
  virtual Status Skip(uint64_t n) = 0;
};

// Read at any offset; safe for concurrent use.
class RandomAccessFile {
 public:
  virtual ~RandomAccessFile() = default;
  // Reads up to n bytes at offset. *result points into scratch or into the
  // file's own memory, valid while this file object lives.
  virtual Status Read(uint64_t offset, size_t n, Slice* result, char* scratch) const = 0;
  // Whether its bytes are in this process's memory for as long as the file
  // is open and nothing rewrites them: Emscripten's in-memory file system,
  // or a file mapped into memory (the engine never rewrites a table). A
  // table verifies each data block there once, the first time it reads it.
  // A file read with a system call each time says no: every read brings
  // its bytes in again, and they are verified again. (A mapped page that
  // the OS drops and later reads back from the disk is not verified again;
  // table_format.md compares this with LevelDB and RocksDB.)
  virtual bool ContentsInProcessMemory() const { return false; }
  // Whether, besides, its bytes are ones this process made and has kept in
  // its memory since, never read back from storage: in the browser build, a
  // file made in this session (a flush's table, a compaction's output), not
  // one loaded from IndexedDB. Nothing a checksum guards against can have
  // changed such bytes, so a table reads its data blocks without verifying
  // them, unless ReadOptions::verify_checksums asks (compaction inputs).
  virtual bool ContentsMadeInProcess() const { return false; }
};

// Append-only. Not thread-safe.
class WritableFile {
 public:
  virtual ~WritableFile() = default;
  virtual Status Append(const Slice& data) = 0;
  // Hands buffered data to the file system (survives a process crash).
  virtual Status Flush() = 0;
  // Makes everything appended so far durable (survives a machine crash).
  virtual Status Sync() = 0;
  virtual Status Close() = 0;
};

class Env {
 public:
  virtual ~Env() = default;

  // The process-wide POSIX Env (Emscripten's file system in the wasm build).
  // Never deleted.
  static Env* Default();

  virtual Status NewSequentialFile(const std::string& path, std::unique_ptr<SequentialFile>* result) = 0;
  virtual Status NewRandomAccessFile(const std::string& path, std::unique_ptr<RandomAccessFile>* result) = 0;
  // Creates (or truncates) path for writing.
  virtual Status NewWritableFile(const std::string& path, std::unique_ptr<WritableFile>* result) = 0;

  virtual bool FileExists(const std::string& path) = 0;
  // File names (not paths) in dir, without "." and "..".
  virtual Status GetChildren(const std::string& dir, std::vector<std::string>* result) = 0;
  virtual Status RemoveFile(const std::string& path) = 0;
  virtual Status CreateDir(const std::string& dir) = 0;  // Ok if it exists
  virtual Status RemoveDir(const std::string& dir) = 0;
  virtual Status GetFileSize(const std::string& path, uint64_t* size) = 0;
  // Atomically replaces `to` with `from`.
  virtual Status RenameFile(const std::string& from, const std::string& to) = 0;
  // Makes file creations, renames and removals in dir durable.
  virtual Status SyncDir(const std::string& dir) = 0;

  // Whether a file may go on being appended to after WritableFile::Sync(),
  // each later Sync() costing about the new bytes and keeping all synced
  // bytes durable (a POSIX file system: fdatasync). Where a sync stores the
  // whole file (the browser build's commits to IndexedDB), appending after
  // a sync would store a growing file again at every durability point:
  // there the WAL closes its segment at each one and starts a new file.
  virtual bool SyncedAppendsAreCheap() const { return false; }

  // Takes an exclusive lock on path (creating it) for this process, so that
  // two processes never open one database. Busy if it is held.
  virtual Status LockFile(const std::string& path, void** lock) = 0;
  virtual Status UnlockFile(void* lock) = 0;

  virtual uint64_t NowMicros() = 0;
  virtual void SleepMicros(int micros) = 0;
  // Whether NowMicros() costs little beside a lookup (natively a vDSO call
  // of ~20 ns). Where it does not (under Emscripten each call goes out to
  // JavaScript), the engine times one put and one get in eight for its
  // latency histograms, each counted eight times (stats.h).
  virtual bool ClockIsCheap() const { return true; }
};

// An Env that forwards every call to another: derive from it to change a
// few (tests that inject faults, the browser build's CommitEnv).
class EnvWrapper : public Env {
 public:
  // target must outlive this Env.
  explicit EnvWrapper(Env* target) : target_(target) {}
  Env* target() const { return target_; }

  Status NewSequentialFile(const std::string& path, std::unique_ptr<SequentialFile>* result) override {
    return target_->NewSequentialFile(path, result);
  }
  Status NewRandomAccessFile(const std::string& path, std::unique_ptr<RandomAccessFile>* result) override {
    return target_->NewRandomAccessFile(path, result);
  }
  Status NewWritableFile(const std::string& path, std::unique_ptr<WritableFile>* result) override {
    return target_->NewWritableFile(path, result);
  }
  bool FileExists(const std::string& path) override { return target_->FileExists(path); }
  Status GetChildren(const std::string& dir, std::vector<std::string>* result) override {
    return target_->GetChildren(dir, result);
  }
  Status RemoveFile(const std::string& path) override { return target_->RemoveFile(path); }
  Status CreateDir(const std::string& dir) override { return target_->CreateDir(dir); }
  Status RemoveDir(const std::string& dir) override { return target_->RemoveDir(dir); }
  Status GetFileSize(const std::string& path, uint64_t* size) override {
    return target_->GetFileSize(path, size);
  }
  Status RenameFile(const std::string& from, const std::string& to) override {
    return target_->RenameFile(from, to);
  }
  Status SyncDir(const std::string& dir) override { return target_->SyncDir(dir); }
  bool SyncedAppendsAreCheap() const override { return target_->SyncedAppendsAreCheap(); }
  Status LockFile(const std::string& path, void** lock) override { return target_->LockFile(path, lock); }
  Status UnlockFile(void* lock) override { return target_->UnlockFile(lock); }
  uint64_t NowMicros() override { return target_->NowMicros(); }
  bool ClockIsCheap() const override { return target_->ClockIsCheap(); }
  void SleepMicros(int micros) override { target_->SleepMicros(micros); }

 private:
  Env* const target_;
};

// Helpers over an Env.
Status WriteStringToFile(Env* env, const Slice& data, const std::string& path, bool sync);
Status ReadFileToString(Env* env, const std::string& path, std::string* data);

}  // namespace strata
