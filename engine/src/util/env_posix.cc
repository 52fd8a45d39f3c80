// The POSIX Env. Under Emscripten the same calls reach MEMFS (with IDBFS
// mounted over the database directory by the binding).
#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <mutex>
#include <set>
#include <thread>

#include "strata/env.h"

namespace strata {
namespace {

#ifdef __EMSCRIPTEN__
constexpr bool kEmscripten = true;  // the file system is MEMFS, in process memory
#else
constexpr bool kEmscripten = false;
#endif

Status PosixError(const std::string& context, int err) {
  std::string msg = context + ": " + strerror(err);
  if (err == ENOENT) return Status::NotFound(msg);
  return Status::IOError(msg);
}

class PosixSequentialFile final : public SequentialFile {
 public:
  PosixSequentialFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  ~PosixSequentialFile() override { close(fd_); }

  Status Read(size_t n, Slice* result, char* scratch) override {
    size_t done = 0;
    while (done < n) {
      ssize_t r = ::read(fd_, scratch + done, n - done);
      if (r < 0) {
        if (errno == EINTR) continue;
        return PosixError(path_, errno);
      }
      if (r == 0) break;
      done += static_cast<size_t>(r);
    }
    *result = Slice(scratch, done);
    return Status::OK();
  }

  Status Skip(uint64_t n) override {
    if (lseek(fd_, static_cast<off_t>(n), SEEK_CUR) == static_cast<off_t>(-1))
      return PosixError(path_, errno);
    return Status::OK();
  }

 private:
  std::string path_;
  int fd_;
};

class PosixRandomAccessFile final : public RandomAccessFile {
 public:
  PosixRandomAccessFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  ~PosixRandomAccessFile() override { close(fd_); }

  Status Read(uint64_t offset, size_t n, Slice* result, char* scratch) const override {
    size_t done = 0;
    while (done < n) {
      ssize_t r = ::pread(fd_, scratch + done, n - done, static_cast<off_t>(offset + done));
      if (r < 0) {
        if (errno == EINTR) continue;
        return PosixError(path_, errno);
      }
      if (r == 0) break;
      done += static_cast<size_t>(r);
    }
    *result = Slice(scratch, done);
    return Status::OK();
  }

  bool ContentsInProcessMemory() const override { return kEmscripten; }

 private:
  std::string path_;
  int fd_;
};

// Reads a mapped file: no system call and no kernel copy per read. Safe
// because the engine never modifies or truncates a file once written (a
// mapping of a shrunken file would fault). Natively only: Emscripten's
// file system is already in memory.
class PosixMmapFile final : public RandomAccessFile {
 public:
  PosixMmapFile(const char* base, size_t length, std::atomic<int>* maps_left)
      : base_(base), length_(length), maps_left_(maps_left) {}
  ~PosixMmapFile() override {
    munmap(const_cast<char*>(base_), length_);
    maps_left_->fetch_add(1);
  }

  Status Read(uint64_t offset, size_t n, Slice* result, char* scratch) const override {
    if (offset > length_) offset = length_;
    if (n > length_ - offset) n = static_cast<size_t>(length_ - offset);
    *result = Slice(base_ + offset, n);
    return Status::OK();
  }

  bool ContentsInProcessMemory() const override { return true; }

 private:
  const char* const base_;
  const size_t length_;
  std::atomic<int>* const maps_left_;
};

// Buffers appends so that small WAL records cost no system call each.
class PosixWritableFile final : public WritableFile {
 public:
  PosixWritableFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  ~PosixWritableFile() override {
    if (fd_ >= 0) Close().IgnoreError();
  }

  Status Append(const Slice& data) override {
    if (buffer_.size() + data.size() > kBufferSize) {
      Status s = FlushBuffer();
      if (!s.ok()) return s;
    }
    if (data.size() >= kBufferSize) return WriteRaw(data.data(), data.size());
    buffer_.append(data.data(), data.size());
    return Status::OK();
  }

  Status Flush() override { return FlushBuffer(); }

  Status Sync() override {
    Status s = FlushBuffer();
    if (!s.ok()) return s;
#if defined(__APPLE__)
    if (fcntl(fd_, F_FULLFSYNC) != 0) return PosixError(path_, errno);
#else
    if (fdatasync(fd_) != 0) return PosixError(path_, errno);
#endif
    return Status::OK();
  }

  Status Close() override {
    if (fd_ < 0) return Status::OK();
    Status s = FlushBuffer();
    if (::close(fd_) != 0 && s.ok()) s = PosixError(path_, errno);
    fd_ = -1;
    return s;
  }

 private:
  static constexpr size_t kBufferSize = 64 * 1024;
  // Written bytes are handed to the disk in steps of this size as they
  // come, so that a sync (of a WAL segment at a memtable switch, of a new
  // table) finds little left to write: RocksDB's bytes_per_sync.
  static constexpr uint64_t kWritebackBytes = 1 << 20;

  Status FlushBuffer() {
    Status s = WriteRaw(buffer_.data(), buffer_.size());
    buffer_.clear();
    return s;
  }

  Status WriteRaw(const char* p, size_t n) {
    if (fd_ < 0) return Status::IOError(path_ + ": write after close");
    while (n > 0) {
      ssize_t r = ::write(fd_, p, n);
      if (r < 0) {
        if (errno == EINTR) continue;
        return PosixError(path_, errno);
      }
      p += r;
      n -= static_cast<size_t>(r);
      written_ += static_cast<uint64_t>(r);
    }
    StartWriteback();
    return Status::OK();
  }

  // A hint: errors of the writeback it starts are reported by the next sync.
  void StartWriteback() {
#if defined(__linux__) && !defined(__EMSCRIPTEN__)
    if (written_ - writeback_from_ < kWritebackBytes) return;
    ::sync_file_range(fd_, static_cast<off_t>(writeback_from_),
                      static_cast<off_t>(written_ - writeback_from_), SYNC_FILE_RANGE_WRITE);
    writeback_from_ = written_;
#endif
  }

  std::string path_;
  int fd_;
  std::string buffer_;
  uint64_t written_ = 0;         // bytes written to fd_
  uint64_t writeback_from_ = 0;  // where StartWriteback's next range begins
};

class PosixEnv final : public Env {
 public:
  Status NewSequentialFile(const std::string& path, std::unique_ptr<SequentialFile>* result) override {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return PosixError(path, errno);
    result->reset(new PosixSequentialFile(path, fd));
    return Status::OK();
  }

  Status NewRandomAccessFile(const std::string& path, std::unique_ptr<RandomAccessFile>* result) override {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return PosixError(path, errno);
    struct stat st;
    const bool mappable = sizeof(void*) >= 8 && ::fstat(fd, &st) == 0 && st.st_size > 0;
    if (mappable && maps_left_.fetch_sub(1) > 0) {
      void* base = ::mmap(nullptr, static_cast<size_t>(st.st_size), PROT_READ, MAP_SHARED, fd, 0);
      if (base != MAP_FAILED) {
        ::close(fd);
        result->reset(
            new PosixMmapFile(static_cast<const char*>(base), static_cast<size_t>(st.st_size), &maps_left_));
        return Status::OK();
      }
      maps_left_.fetch_add(1);
    } else if (mappable) {
      maps_left_.fetch_add(1);  // the fetch_sub found none left: give it back
    }
    result->reset(new PosixRandomAccessFile(path, fd));
    return Status::OK();
  }

  Status NewWritableFile(const std::string& path, std::unique_ptr<WritableFile>* result) override {
    int fd = ::open(path.c_str(), O_TRUNC | O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return PosixError(path, errno);
    result->reset(new PosixWritableFile(path, fd));
    return Status::OK();
  }

  bool FileExists(const std::string& path) override { return ::access(path.c_str(), F_OK) == 0; }

  Status GetChildren(const std::string& dir, std::vector<std::string>* result) override {
    result->clear();
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr) return PosixError(dir, errno);
    while (struct dirent* entry = ::readdir(d)) {
      if (strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0) continue;
      result->emplace_back(entry->d_name);
    }
    ::closedir(d);
    return Status::OK();
  }

  Status RemoveFile(const std::string& path) override {
    if (::unlink(path.c_str()) != 0) return PosixError(path, errno);
    return Status::OK();
  }

  Status CreateDir(const std::string& dir) override {
    if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) return PosixError(dir, errno);
    return Status::OK();
  }

  Status RemoveDir(const std::string& dir) override {
    if (::rmdir(dir.c_str()) != 0) return PosixError(dir, errno);
    return Status::OK();
  }

  Status GetFileSize(const std::string& path, uint64_t* size) override {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) {
      *size = 0;
      return PosixError(path, errno);
    }
    *size = static_cast<uint64_t>(st.st_size);
    return Status::OK();
  }

  Status RenameFile(const std::string& from, const std::string& to) override {
    if (::rename(from.c_str(), to.c_str()) != 0) return PosixError(from + " -> " + to, errno);
    return Status::OK();
  }

  Status SyncDir(const std::string& dir) override {
    int fd = ::open(dir.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return PosixError(dir, errno);
    Status s;
    if (::fsync(fd) != 0 && errno != EINVAL) s = PosixError(dir, errno);
    ::close(fd);
    return s;
  }

  // Natively a WAL segment stays open across syncs; under Emscripten the
  // file system is the browser build's, whose syncs store whole files.
  bool SyncedAppendsAreCheap() const override { return !kEmscripten; }
  bool ClockIsCheap() const override { return !kEmscripten; }

  Status LockFile(const std::string& path, void** lock) override {
    *lock = nullptr;
    std::lock_guard<std::mutex> guard(mu_);
    // flock does not exclude a second open within this process; a set does.
    if (locked_.count(path)) return Status::Busy(path + ": database is already open in this process");
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return PosixError(path, errno);
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      int err = errno;
      ::close(fd);
      if (err == EWOULDBLOCK) return Status::Busy(path + ": database is open in another process");
      return PosixError(path, err);
    }
    locked_.insert(path);
    *lock = new FileLock{fd, path};
    return Status::OK();
  }

  Status UnlockFile(void* lock) override {
    auto* l = static_cast<FileLock*>(lock);
    {
      std::lock_guard<std::mutex> guard(mu_);
      locked_.erase(l->path);
    }
    ::flock(l->fd, LOCK_UN);
    ::close(l->fd);
    delete l;
    return Status::OK();
  }

  uint64_t NowMicros() override {
    using namespace std::chrono;
    return duration_cast<microseconds>(steady_clock::now().time_since_epoch()).count();
  }

  void SleepMicros(int micros) override { std::this_thread::sleep_for(std::chrono::microseconds(micros)); }

 private:
  struct FileLock {
    int fd;
    std::string path;
  };
  std::mutex mu_;
  std::set<std::string> locked_;
  // Mapped files at most (address space and map-count limits); the rest read
  // with pread.
  std::atomic<int> maps_left_{1000};
};

}  // namespace

Env* Env::Default() {
  static PosixEnv* env = new PosixEnv();
  return env;
}

}  // namespace strata
