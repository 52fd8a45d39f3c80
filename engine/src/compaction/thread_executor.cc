#include "compaction/thread_executor.h"

#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

namespace strata {
namespace {

class ThreadCompactionExecutor final : public CompactionExecutor {
 public:
  ThreadCompactionExecutor() : thread_([this] { Loop(); }) {}

  // REQUIRES: no job outstanding (the DB waits for its job before closing).
  ~ThreadCompactionExecutor() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

  void Execute(const CompactionJob& job, Env* env, FileNumberAllocator allocate_number,
               std::function<void(CompactionResult)> done) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      pending_.emplace(Pending{job, env, std::move(allocate_number), std::move(done)});
    }
    cv_.notify_all();
  }

 private:
  struct Pending {
    CompactionJob job;
    Env* env;
    FileNumberAllocator allocate_number;
    std::function<void(CompactionResult)> done;
  };

  void Loop() {
    std::unique_lock<std::mutex> lock(mu_);
    while (true) {
      cv_.wait(lock, [this] { return stopping_ || pending_.has_value(); });
      if (!pending_) return;  // stopping with nothing to run
      Pending work = std::move(*pending_);
      pending_.reset();
      lock.unlock();
      CompactionResult result = RunCompactionJob(work.job, work.env, work.allocate_number);
      result.runner = "thread";
      work.done(std::move(result));
      lock.lock();
    }
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::optional<Pending> pending_;  // the engine has at most one job outstanding
  bool stopping_ = false;
  std::thread thread_;  // last: starts once the members above exist
};

}  // namespace

std::shared_ptr<CompactionExecutor> NewThreadCompactionExecutor() {
  return std::make_shared<ThreadCompactionExecutor>();
}

}  // namespace strata
