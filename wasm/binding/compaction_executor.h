// DeferredCompactionExecutor: runs the engine's compaction jobs outside the
// engine call that starts them (DESIGN.md decision 3). The engine hands it a
// job; JavaScript takes the job (encoded, with output file numbers reserved
// for it), runs it in a compaction Web Worker with a wasm instance of its
// own (RunEncodedCompaction), writes the outputs back through the CommitEnv
// and completes it here; the engine then installs the result with one
// manifest edit. Without a worker, or when the worker fails, the job runs
// here instead (RunInline): a job is never lost, and its inputs stay live
// until the edit that replaces them.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "strata/compaction.h"

namespace strata {

class DeferredCompactionExecutor : public CompactionExecutor {
 public:
  void Execute(const CompactionJob& job, Env* env, FileNumberAllocator allocate_number,
               std::function<void(CompactionResult)> done) override;

  // Whether a job waits to be taken.
  bool HasJob() const { return state_ == State::kWaiting; }
  // The engine's id of the job that waits or was taken (0: none).
  uint64_t JobId() const { return state_ == State::kIdle ? 0 : job_.id; }
  // Takes the waiting job: the envelope a compaction instance runs (the job
  // and the output file numbers reserved for it). Paths of its inputs, in
  // inputs order, go to *input_paths; the paths of the tables it may write
  // (one per reserved number) to *output_paths.
  std::string TakeJob(std::vector<std::string>* input_paths, std::vector<std::string>* output_paths);
  // Delivers the encoded result of the taken job (its output files already
  // written); a failed result makes it run the job here instead.
  // InvalidArgument when no job is taken or the result is another job's,
  // Corruption when the bytes do not decode.
  Status Complete(const Slice& encoded_result);
  // Runs the job that waits or was taken here, and delivers its result.
  Status RunInline();

 private:
  enum class State { kIdle, kWaiting, kTaken };
  void Deliver(CompactionResult result);

  State state_ = State::kIdle;
  CompactionJob job_;
  Env* env_ = nullptr;
  FileNumberAllocator allocate_;
  std::function<void(CompactionResult)> done_;
};

// In a compaction instance: runs an envelope from TakeJob against the input
// files (already written at their paths in env) and returns the encoded
// result. The outputs are the new files in the job's output directory.
std::string RunEncodedCompaction(const Slice& envelope, Env* env);

}  // namespace strata
