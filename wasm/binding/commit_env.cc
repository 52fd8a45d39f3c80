#include "commit_env.h"

namespace strata {
namespace {

// Collects the whole file and has the CommitEnv create it at Close, so the
// file system never holds a partial file.
class BufferedFile : public WritableFile {
 public:
  BufferedFile(CommitEnv* env, std::string path) : env_(env), path_(std::move(path)) {}

  ~BufferedFile() override { (void)Close(); }

  Status Append(const Slice& data) override {
    if (closed_) return Status::IOError(path_ + ": append after close");
    buffer_.append(data.data(), data.size());
    return Status::OK();
  }
  // Nothing written here is durable before the commit that stores the
  // closed file, so there is nothing to flush or sync early.
  Status Flush() override { return closed_ ? Status::IOError(path_ + ": flush after close") : Status::OK(); }
  Status Sync() override { return closed_ ? Status::IOError(path_ + ": sync after close") : Status::OK(); }

  // Later calls repeat the first call's answer.
  Status Close() override {
    if (closed_) return close_status_;
    closed_ = true;
    close_status_ = env_->WriteWholeFile(path_, buffer_);
    std::string().swap(buffer_);
    return close_status_;
  }

 private:
  CommitEnv* const env_;
  const std::string path_;
  std::string buffer_;
  bool closed_ = false;
  Status close_status_;
};

// A file CommitEnv made, read through the base Env's file: the same bytes,
// which this process made and kept in its memory.
class MadeInProcessFile : public RandomAccessFile {
 public:
  explicit MadeInProcessFile(std::unique_ptr<RandomAccessFile> file) : file_(std::move(file)) {}

  Status Read(uint64_t offset, size_t n, Slice* result, char* scratch) const override {
    return file_->Read(offset, n, result, scratch);
  }
  bool ContentsInProcessMemory() const override { return true; }
  bool ContentsMadeInProcess() const override { return true; }

 private:
  const std::unique_ptr<RandomAccessFile> file_;
};

}  // namespace

std::vector<std::string> CommitEnv::TakeChanges() {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::string> paths(changed_.begin(), changed_.end());
  changed_.clear();
  return paths;
}

bool CommitEnv::HasChanges() {
  std::lock_guard<std::mutex> lock(mu_);
  return !changed_.empty();
}

void CommitEnv::ForgetMadeFiles() {
  std::lock_guard<std::mutex> lock(mu_);
  made_.clear();
}

void CommitEnv::SetMade(const std::string& path, bool made) {
  std::lock_guard<std::mutex> lock(mu_);
  if (made) {
    made_.insert(path);
  } else {
    made_.erase(path);
  }
}

Status CommitEnv::WriteWholeFile(const std::string& path, const Slice& contents) {
  return AddFile(path, [this, &contents](const std::string& file) {
    std::optional<Status> made = make_file_ != nullptr ? make_file_(file, contents) : std::nullopt;
    if (made.has_value()) return *made;
    std::unique_ptr<WritableFile> writable;
    Status s = target()->NewWritableFile(file, &writable);
    if (!s.ok()) return s;
    if (!contents.empty()) s = writable->Append(contents);
    Status c = writable->Close();
    if (s.ok()) s = c;
    if (!s.ok()) target()->RemoveFile(file).IgnoreError();
    return s;
  });
}

Status CommitEnv::AddFile(const std::string& path,
                          const std::function<Status(const std::string& path)>& make) {
  // Not made here until it is: a reader opening it meanwhile verifies it,
  // and so does one after a failed make (which may leave a file that was
  // there before).
  SetMade(path, false);
  Status s = make(path);
  RecordChange(path);
  if (s.ok()) SetMade(path, true);
  return s;
}

void CommitEnv::RecordChange(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  changed_.insert(path);
}

Status CommitEnv::NewWritableFile(const std::string& path, std::unique_ptr<WritableFile>* result) {
  *result = std::make_unique<BufferedFile>(this, path);
  return Status::OK();
}

Status CommitEnv::NewRandomAccessFile(const std::string& path, std::unique_ptr<RandomAccessFile>* result) {
  Status s = target()->NewRandomAccessFile(path, result);
  if (!s.ok() || !(*result)->ContentsInProcessMemory()) return s;
  std::lock_guard<std::mutex> lock(mu_);
  if (made_.count(path) != 0) *result = std::make_unique<MadeInProcessFile>(std::move(*result));
  return s;
}

Status CommitEnv::RemoveFile(const std::string& path) {
  Status s = target()->RemoveFile(path);
  if (s.ok()) {
    RecordChange(path);
    SetMade(path, false);
  }
  return s;
}

Status CommitEnv::RenameFile(const std::string& from, const std::string& to) {
  bool made;
  {
    std::lock_guard<std::mutex> lock(mu_);
    made = made_.count(from) != 0;
    made_.erase(to);  // a failed rename leaves it counted as not made: verified, the safe side
  }
  Status s = target()->RenameFile(from, to);
  if (s.ok()) {
    RecordChange(from);
    RecordChange(to);
    SetMade(from, false);
    SetMade(to, made);
  }
  return s;
}

}  // namespace strata
