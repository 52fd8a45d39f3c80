// The engine run that the fuzzers' seed corpora come from: a small
// workload on a DB in a MemEnv, with buffers and tables small enough that it
// flushes and compacts many times, keeping every file the engine wrote and
// every compaction job and result it ran.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "strata/status.h"

namespace strata {
namespace fuzz {

struct EngineOutput {
  // File name (in the database directory) -> its bytes: every WAL segment,
  // table and manifest segment, including those the DB deleted later.
  std::map<std::string, std::string> files;
  // Encoded CompactionJobs the DB handed to its executor, and the encoded
  // CompactionResults of running them (plus one failed result).
  std::vector<std::string> jobs;
  std::vector<std::string> results;
};

// Runs the workload. The data is the same on every run; only the timings
// in the results differ.
Status RunSeedWorkload(EngineOutput* out);

}  // namespace fuzz
}  // namespace strata
