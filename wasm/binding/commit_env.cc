#include "commit_env.h"

namespace strata {
namespace {

// Collects the whole file and creates it with one Append at Close, so the
// file system never holds a partial file.
class BufferedFile : public WritableFile {
 public:
  BufferedFile(CommitEnv* env, Env* base, std::string path)
      : env_(env), base_(base), path_(std::move(path)) {}

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

  // Creates the file whole, or not at all: a failed write removes what it
  // left. Later calls repeat the first call's answer.
  Status Close() override {
    if (closed_) return close_status_;
    closed_ = true;
    std::unique_ptr<WritableFile> file;
    Status s = base_->NewWritableFile(path_, &file);
    if (s.ok()) {
      if (!buffer_.empty()) s = file->Append(buffer_);
      Status c = file->Close();
      if (s.ok()) s = c;
      if (!s.ok()) base_->RemoveFile(path_).IgnoreError();
    }
    std::string().swap(buffer_);
    env_->RecordChange(path_);
    close_status_ = s;
    return s;
  }

 private:
  CommitEnv* const env_;
  Env* const base_;
  const std::string path_;
  std::string buffer_;
  bool closed_ = false;
  Status close_status_;
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

void CommitEnv::RecordChange(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  changed_.insert(path);
}

Status CommitEnv::NewWritableFile(const std::string& path, std::unique_ptr<WritableFile>* result) {
  *result = std::make_unique<BufferedFile>(this, target(), path);
  return Status::OK();
}

Status CommitEnv::RemoveFile(const std::string& path) {
  Status s = target()->RemoveFile(path);
  if (s.ok()) RecordChange(path);
  return s;
}

Status CommitEnv::RenameFile(const std::string& from, const std::string& to) {
  Status s = target()->RenameFile(from, to);
  if (s.ok()) {
    RecordChange(from);
    RecordChange(to);
  }
  return s;
}

}  // namespace strata
