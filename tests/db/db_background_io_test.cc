// The background thread's slow file operations do not hold the database's
// mutex: while a manifest segment is being synced (DBImpl::LogAndApply) or
// an obsolete file removed (DeleteObsoleteFiles), writes and reads go on.
// A gate Env holds those operations until the test opens it; with the
// mutex held across them, the write below would wait for the gate.
#include <chrono>
#include <condition_variable>
#include <functional>
#include <future>
#include <mutex>

#include "db_test_util.h"

namespace strata {
namespace {

// Forwards to base; while closed, every operation `held` matches waits.
class GateEnv final : public EnvWrapper {
 public:
  enum class Op { kSync, kRemove };

  GateEnv(Env* base, std::function<bool(Op, const std::string&)> held)
      : EnvWrapper(base), held_(std::move(held)) {}

  void Close() {
    std::lock_guard<std::mutex> lock(mu_);
    open_ = false;
  }
  void Open() {
    std::lock_guard<std::mutex> lock(mu_);
    open_ = true;
    cv_.notify_all();
  }
  // Whether an operation is waiting at the closed gate (waits up to 10 s for one).
  bool WaitForHeldOperation() {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, std::chrono::seconds(10), [this] { return waiting_ > 0; });
  }

  void Pass(Op op, const std::string& path) {
    if (!held_(op, path)) return;
    std::unique_lock<std::mutex> lock(mu_);
    waiting_++;
    cv_.notify_all();
    cv_.wait(lock, [this] { return open_; });
    waiting_--;
  }

  Status NewWritableFile(const std::string& path, std::unique_ptr<WritableFile>* result) override;
  Status RemoveFile(const std::string& path) override {
    Pass(Op::kRemove, path);
    return target()->RemoveFile(path);
  }

 private:
  class File final : public WritableFile {
   public:
    File(GateEnv* env, std::string path, std::unique_ptr<WritableFile> base)
        : env_(env), path_(std::move(path)), base_(std::move(base)) {}
    Status Append(const Slice& data) override { return base_->Append(data); }
    Status Flush() override { return base_->Flush(); }
    Status Sync() override {
      env_->Pass(Op::kSync, path_);
      return base_->Sync();
    }
    Status Close() override { return base_->Close(); }

   private:
    GateEnv* const env_;
    const std::string path_;
    std::unique_ptr<WritableFile> base_;
  };

  const std::function<bool(Op, const std::string&)> held_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = true;
  int waiting_ = 0;
};

Status GateEnv::NewWritableFile(const std::string& path, std::unique_ptr<WritableFile>* result) {
  std::unique_ptr<WritableFile> file;
  Status s = target()->NewWritableFile(path, &file);
  if (s.ok()) result->reset(new File(this, path, std::move(file)));
  return s;
}

bool Contains(const std::string& path, const char* part) {
  return path.find(part) != std::string::npos;
}

// Fills the memtable until a switch hands it to the background thread,
// whose flush then reaches the closed gate; a write and a read must finish
// while it waits there.
void ExpectWritesGoOnWhileHeld(GateEnv* env) {
  Options options;
  options.env = env;
  options.create_if_missing = true;
  options.write_buffer_size = 64 * 1024;
  std::unique_ptr<DB> db;
  STRATA_ASSERT_OK(DB::Open(options, "/db", &db));
  STRATA_ASSERT_OK(db->Put(WriteOptions(), "before", "v"));
  env->Close();
  // 80 KB: one switch (a second one would wait for the held flush).
  const std::string value(1000, 'x');
  for (int i = 0; i < 80; i++) STRATA_ASSERT_OK(db->Put(WriteOptions(), "fill" + std::to_string(i), value));
  ASSERT_TRUE(env->WaitForHeldOperation()) << "the flush never reached the gate";

  auto write_and_read = std::async(std::launch::async, [&db] {
    Status s = db->Put(WriteOptions(), "during", "w");
    std::string got;
    if (s.ok()) s = db->Get(ReadOptions(), "before", &got);
    return s.ok() && got == "v";
  });
  const bool finished = write_and_read.wait_for(std::chrono::seconds(10)) == std::future_status::ready;
  env->Open();  // in any case, so that the database can close
  EXPECT_TRUE(finished) << "a write waited for the background thread's file operation";
  EXPECT_TRUE(write_and_read.get());

  STRATA_ASSERT_OK(db->Flush());
  std::string got;
  STRATA_ASSERT_OK(db->Get(ReadOptions(), "during", &got));
  EXPECT_EQ(got, "w");
  STRATA_ASSERT_OK(db->Close());
}

TEST(DBBackgroundIoTest, WritesAndReadsGoOnWhileAManifestSegmentIsSynced) {
  auto mem = NewMemEnv(Env::Default());
  GateEnv env(mem.get(), [](GateEnv::Op op, const std::string& path) {
    return op == GateEnv::Op::kSync && Contains(path, "MANIFEST-");
  });
  ExpectWritesGoOnWhileHeld(&env);
}

TEST(DBBackgroundIoTest, WritesAndReadsGoOnWhileObsoleteFilesAreRemoved) {
  // The flushed memtable's WAL segment is removed once its table is in.
  auto mem = NewMemEnv(Env::Default());
  GateEnv env(mem.get(), [](GateEnv::Op op, const std::string& path) {
    return op == GateEnv::Op::kRemove && Contains(path, ".wal");
  });
  ExpectWritesGoOnWhileHeld(&env);
}

}  // namespace
}  // namespace strata
