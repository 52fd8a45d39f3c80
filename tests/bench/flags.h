// strata_bench's command line.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "bench_engine.h"
#include "workloads.h"

namespace strata {
namespace bench {

struct BenchFlags {
  WorkloadParams params;
  std::vector<const Workload*> workloads;  // in the order given
  std::vector<std::string> engines;        // in the order given
  std::vector<BenchCompression> modes;
  std::string db_dir;
  std::string json_path;  // empty: no JSON
  uint64_t rounds = 1;    // every engine's workloads this many times; the median round is reported
  bool help = false;
};

// Parses argv into *flags (starting from the defaults). Returns "" or a
// message naming the bad flag.
std::string ParseFlags(int argc, char** argv, BenchFlags* flags);

// The --help text: flags, workloads, engines and their common settings.
std::string Usage();

}  // namespace bench
}  // namespace strata
