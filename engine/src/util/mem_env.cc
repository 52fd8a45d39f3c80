// An in-memory Env that can forget unsynced data, for crash tests.
#include "strata/mem_env.h"

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <set>

namespace strata {
namespace {

// One file's bytes. Shared by the Env's directory and any open handles, so
// a removed file stays readable through handles opened before.
struct FileState {
  std::mutex mu;
  std::string data;
  size_t synced_size = 0;
};

class MemSequentialFile final : public SequentialFile {
 public:
  explicit MemSequentialFile(std::shared_ptr<FileState> f) : file_(std::move(f)) {}
  Status Read(size_t n, Slice* result, char* scratch) override {
    std::lock_guard<std::mutex> l(file_->mu);
    size_t avail = pos_ < file_->data.size() ? file_->data.size() - pos_ : 0;
    n = std::min(n, avail);
    if (n > 0) memcpy(scratch, file_->data.data() + pos_, n);
    pos_ += n;
    *result = Slice(scratch, n);
    return Status::OK();
  }
  Status Skip(uint64_t n) override {
    pos_ += n;
    return Status::OK();
  }

 private:
  std::shared_ptr<FileState> file_;
  size_t pos_ = 0;
};

class MemRandomAccessFile final : public RandomAccessFile {
 public:
  MemRandomAccessFile(std::shared_ptr<FileState> f, bool in_process_memory)
      : file_(std::move(f)), in_process_memory_(in_process_memory) {}
  Status Read(uint64_t offset, size_t n, Slice* result, char* scratch) const override {
    std::lock_guard<std::mutex> l(file_->mu);
    size_t size = file_->data.size();
    if (offset > size) offset = size;
    n = std::min<uint64_t>(n, size - offset);
    if (n > 0) memcpy(scratch, file_->data.data() + offset, n);
    *result = Slice(scratch, n);
    return Status::OK();
  }
  bool ContentsInProcessMemory() const override { return in_process_memory_; }

 private:
  std::shared_ptr<FileState> file_;
  const bool in_process_memory_;
};

class MemEnvImpl;

class MemWritableFile final : public WritableFile {
 public:
  MemWritableFile(MemEnvImpl* env, std::shared_ptr<FileState> f) : env_(env), file_(std::move(f)) {}
  Status Append(const Slice& data) override;
  Status Flush() override { return Status::OK(); }
  Status Sync() override;
  Status Close() override { return Status::OK(); }

 private:
  MemEnvImpl* env_;
  std::shared_ptr<FileState> file_;
};

class MemEnvImpl final : public MemEnv {
 public:
  explicit MemEnvImpl(Env* base) : base_(base) {}

  bool write_errors() const { return write_errors_.load(); }
  void CountSync() { syncs_.fetch_add(1); }

  Status NewSequentialFile(const std::string& path, std::unique_ptr<SequentialFile>* result) override {
    auto f = Find(path);
    if (!f) return Status::NotFound(path + ": no such file");
    result->reset(new MemSequentialFile(std::move(f)));
    return Status::OK();
  }

  Status NewRandomAccessFile(const std::string& path, std::unique_ptr<RandomAccessFile>* result) override {
    auto f = Find(path);
    if (!f) return Status::NotFound(path + ": no such file");
    result->reset(new MemRandomAccessFile(std::move(f), contents_in_process_memory_.load()));
    return Status::OK();
  }

  Status NewWritableFile(const std::string& path, std::unique_ptr<WritableFile>* result) override {
    if (write_errors()) return Status::IOError(path + ": injected write error");
    std::lock_guard<std::mutex> l(mu_);
    if (!dirs_.count(Parent(path))) return Status::NotFound(path + ": no such directory");
    auto f = std::make_shared<FileState>();
    files_[path] = f;
    files_created_++;
    result->reset(new MemWritableFile(this, std::move(f)));
    return Status::OK();
  }

  bool FileExists(const std::string& path) override {
    std::lock_guard<std::mutex> l(mu_);
    return files_.count(path) || dirs_.count(path);
  }

  Status GetChildren(const std::string& dir, std::vector<std::string>* result) override {
    result->clear();
    std::lock_guard<std::mutex> l(mu_);
    if (!dirs_.count(dir)) return Status::NotFound(dir + ": no such directory");
    for (const auto& [path, f] : files_) {
      if (Parent(path) == dir) result->push_back(path.substr(dir.size() + 1));
    }
    return Status::OK();
  }

  Status RemoveFile(const std::string& path) override {
    std::lock_guard<std::mutex> l(mu_);
    if (files_.erase(path) == 0) return Status::NotFound(path + ": no such file");
    return Status::OK();
  }

  Status CreateDir(const std::string& dir) override {
    std::lock_guard<std::mutex> l(mu_);
    dirs_.insert(dir);
    return Status::OK();
  }

  Status RemoveDir(const std::string& dir) override {
    std::lock_guard<std::mutex> l(mu_);
    for (const auto& [path, f] : files_) {
      if (Parent(path) == dir) return Status::IOError(dir + ": directory not empty");
    }
    if (dirs_.erase(dir) == 0) return Status::NotFound(dir + ": no such directory");
    return Status::OK();
  }

  Status GetFileSize(const std::string& path, uint64_t* size) override {
    auto f = Find(path);
    if (!f) return Status::NotFound(path + ": no such file");
    std::lock_guard<std::mutex> l(f->mu);
    *size = f->data.size();
    return Status::OK();
  }

  Status RenameFile(const std::string& from, const std::string& to) override {
    std::lock_guard<std::mutex> l(mu_);
    auto it = files_.find(from);
    if (it == files_.end()) return Status::NotFound(from + ": no such file");
    if (from == to) return Status::OK();
    if (!dirs_.count(Parent(to))) return Status::NotFound(to + ": no such directory");
    files_[to] = it->second;
    files_.erase(from);
    return Status::OK();
  }

  Status SyncDir(const std::string& dir) override {
    if (write_errors()) return Status::IOError(dir + ": injected write error");
    std::lock_guard<std::mutex> l(mu_);
    for (auto it = durable_files_.begin(); it != durable_files_.end();) {
      it = Parent(it->first) == dir ? durable_files_.erase(it) : std::next(it);
    }
    for (const auto& [path, f] : files_) {
      if (Parent(path) == dir) durable_files_[path] = f;
    }
    return Status::OK();
  }

  Status LockFile(const std::string& path, void** lock) override {
    std::lock_guard<std::mutex> l(mu_);
    if (!locks_.insert(path).second) return Status::Busy(path + ": database is already open");
    *lock = new std::string(path);
    return Status::OK();
  }

  Status UnlockFile(void* lock) override {
    auto* path = static_cast<std::string*>(lock);
    std::lock_guard<std::mutex> l(mu_);
    locks_.erase(*path);
    delete path;
    return Status::OK();
  }

  uint64_t NowMicros() override { return base_->NowMicros(); }
  void SleepMicros(int micros) override { base_->SleepMicros(micros); }

  void SimulateCrash() override {
    std::lock_guard<std::mutex> l(mu_);
    files_ = durable_files_;
    for (auto& [path, f] : files_) {
      std::lock_guard<std::mutex> fl(f->mu);
      f->data.resize(f->synced_size);
    }
    locks_.clear();  // a crashed process holds no locks
  }

  void SetWriteErrors(bool fail) override { write_errors_.store(fail); }
  void SetSyncedAppendsAreCheap(bool cheap) override { synced_appends_are_cheap_.store(cheap); }
  bool SyncedAppendsAreCheap() const override { return synced_appends_are_cheap_.load(); }
  void SetContentsInProcessMemory(bool in_memory) override { contents_in_process_memory_.store(in_memory); }
  uint64_t SyncCount() const override { return syncs_.load(); }
  uint64_t FilesCreated() const override {
    std::lock_guard<std::mutex> l(mu_);
    return files_created_;
  }

 private:
  static std::string Parent(const std::string& path) {
    size_t slash = path.rfind('/');
    return slash == std::string::npos ? std::string() : path.substr(0, slash);
  }

  std::shared_ptr<FileState> Find(const std::string& path) {
    std::lock_guard<std::mutex> l(mu_);
    auto it = files_.find(path);
    return it == files_.end() ? nullptr : it->second;
  }

  Env* base_;
  mutable std::mutex mu_;
  std::map<std::string, std::shared_ptr<FileState>> files_;
  // The entries each directory had at its last SyncDir: what a crash keeps.
  std::map<std::string, std::shared_ptr<FileState>> durable_files_;
  std::set<std::string> dirs_{""};
  std::set<std::string> locks_;
  uint64_t files_created_ = 0;
  std::atomic<bool> write_errors_{false};
  std::atomic<bool> synced_appends_are_cheap_{false};
  std::atomic<bool> contents_in_process_memory_{false};
  std::atomic<uint64_t> syncs_{0};
};

Status MemWritableFile::Append(const Slice& data) {
  if (env_->write_errors()) return Status::IOError("injected write error");
  std::lock_guard<std::mutex> l(file_->mu);
  file_->data.append(data.data(), data.size());
  return Status::OK();
}

Status MemWritableFile::Sync() {
  if (env_->write_errors()) return Status::IOError("injected write error");
  env_->CountSync();
  std::lock_guard<std::mutex> l(file_->mu);
  file_->synced_size = file_->data.size();
  return Status::OK();
}

}  // namespace

std::unique_ptr<MemEnv> NewMemEnv(Env* base_env) {
  return std::make_unique<MemEnvImpl>(base_env);
}

}  // namespace strata
