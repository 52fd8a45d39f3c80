#include "compaction_executor.h"

#include "db/filename.h"
#include "strata/env.h"
#include "util/coding.h"

namespace strata {
namespace {

// Envelope: varint64 count, that many varint64 file numbers, then the job
// (EncodeCompactionJob).
//
// Output numbers are reserved generously: one table per target size of
// input, plus one per grandparent range (a cut there), per input, and a
// margin. A compaction that needs more fails with Corruption and is run
// again inline by the caller.
size_t NumbersToReserve(const CompactionJob& job) {
  uint64_t bytes = 0;
  for (const auto& in : job.inputs) bytes += in.size;
  const uint64_t target = job.target_file_size > 0 ? job.target_file_size : 1;
  return static_cast<size_t>(bytes / target) + job.grandparent_ranges.size() + job.inputs.size() + 8;
}

}  // namespace

void DeferredCompactionExecutor::Execute(const CompactionJob& job, Env* env,
                                         FileNumberAllocator allocate_number,
                                         std::function<void(CompactionResult)> done) {
  job_ = job;
  env_ = env;
  allocate_ = std::move(allocate_number);
  done_ = std::move(done);
  state_ = State::kWaiting;
}

std::string DeferredCompactionExecutor::TakeJob(std::vector<std::string>* input_paths,
                                                std::vector<std::string>* output_paths) {
  input_paths->clear();
  output_paths->clear();
  if (state_ != State::kWaiting) return std::string();
  state_ = State::kTaken;
  std::string envelope;
  const size_t count = NumbersToReserve(job_);
  PutVarint64(&envelope, count);
  for (size_t i = 0; i < count; i++) {
    const uint64_t number = allocate_();
    PutVarint64(&envelope, number);
    output_paths->push_back(TableFileName(job_.output_dir, number));  // as RunCompactionJob names them
  }
  envelope += EncodeCompactionJob(job_);
  for (const auto& in : job_.inputs) input_paths->push_back(in.path);
  return envelope;
}

Status DeferredCompactionExecutor::Complete(const Slice& encoded_result) {
  if (state_ != State::kTaken) return Status::InvalidArgument("no compaction job is out");
  CompactionResult result;
  Status s = DecodeCompactionResult(encoded_result, &result);
  if (!s.ok()) return s;
  if (result.job_id != job_.id) return Status::InvalidArgument("result of another compaction job");
  // The worker failed the job: run it here. A real fault in the inputs
  // fails here too and reaches the engine; the worker's own troubles
  // (memory, reserved numbers) do not.
  if (!result.status.ok()) return RunInline();
  result.runner = "external";  // the events name it (EventQueue)
  Deliver(std::move(result));
  return Status::OK();
}

Status DeferredCompactionExecutor::RunInline() {
  if (state_ == State::kIdle) return Status::InvalidArgument("no compaction job to run");
  CompactionResult result = RunCompactionJob(job_, env_, allocate_);
  result.runner = "here";
  Deliver(std::move(result));
  return Status::OK();
}

void DeferredCompactionExecutor::Deliver(CompactionResult result) {
  state_ = State::kIdle;
  auto done = std::move(done_);
  done_ = nullptr;
  done(std::move(result));  // the engine installs it (or drops it, if closed)
}

std::string RunEncodedCompaction(const Slice& envelope, Env* env) {
  Slice in = envelope;
  uint64_t count = 0;
  std::vector<uint64_t> numbers;
  CompactionJob job;
  CompactionResult result;
  if (!GetVarint64(&in, &count) || count > in.size()) {
    result.status = Status::Corruption("compaction envelope: bad file number count");
    return EncodeCompactionResult(result);
  }
  for (uint64_t i = 0; i < count; i++) {
    uint64_t n;
    if (!GetVarint64(&in, &n)) {
      result.status = Status::Corruption("compaction envelope: truncated file numbers");
      return EncodeCompactionResult(result);
    }
    numbers.push_back(n);
  }
  Status s = DecodeCompactionJob(in, &job);
  if (!s.ok()) {
    result.status = s;
    return EncodeCompactionResult(result);
  }
  size_t next = 0;
  bool ran_out = false;
  FileNumberAllocator allocate = [&]() -> uint64_t {
    if (next < numbers.size()) return numbers[next++];
    ran_out = true;
    return numbers.empty() ? 0 : numbers.back();  // a duplicate: the result is refused below
  };
  result = RunCompactionJob(job, env, allocate);
  if (ran_out && result.status.ok()) {
    // Its outputs may share a name: drop them all, so a failed job leaves
    // no file behind.
    for (const auto& out : result.outputs) env->RemoveFile(out.path).IgnoreError();
    result.status = Status::Corruption("compaction needed more output file numbers than were reserved");
    result.outputs.clear();
  }
  return EncodeCompactionResult(result);
}

}  // namespace strata
