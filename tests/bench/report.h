// strata_bench's output: a console table per compression mode with the
// StrataDB/other speed ratio, and the same results as JSON.
#pragma once

#include <cstdio>
#include <string>
#include <vector>

#include "bench_engine.h"
#include "flags.h"
#include "workloads.h"

namespace strata {
namespace bench {

struct BenchResult {
  BenchCompression mode = BenchCompression::kNone;
  const Workload* workload = nullptr;
  std::string engine;
  std::string skipped;  // why it did not run, or ""
  std::string error;    // the engine's error, or ""
  Measurement m;
  // ops/s of every round (--rounds), in order, when there was more than one;
  // m is the median round's.
  std::vector<double> round_ops;

  bool ran() const { return skipped.empty() && error.empty(); }
  double OpsPerSecond() const { return m.seconds > 0 ? m.ops / m.seconds : 0; }
  double MegabytesPerSecond() const { return m.seconds > 0 ? m.bytes / 1048576.0 / m.seconds : 0; }
  double MicrosPerOp() const { return m.ops > 0 ? m.seconds * 1e6 / m.ops : 0; }
};

// Per engine, workload and mode, the result of the median round (by ops/s;
// the lower of the middle two for an even count) with every round's ops/s;
// a round that failed or was skipped is reported instead.
std::vector<BenchResult> MedianRounds(const std::vector<std::vector<BenchResult>>& rounds);

// One line, printed as each result arrives.
void PrintProgress(FILE* out, const BenchResult& r);

// The table of every result of `mode`, with a column giving, for each engine
// other than strata, StrataDB's ops/s divided by that engine's (> 1: StrataDB
// is faster) for the same workload: with rounds, median over median (the
// engines never run at once, so no round pairs them more than another).
void PrintTable(FILE* out, const BenchFlags& flags, BenchCompression mode,
                const std::vector<BenchResult>& results);

// Writes flags, settings and all results (with ratios) to path as JSON.
BenchStatus WriteJson(const std::string& path, const BenchFlags& flags,
                      const std::vector<BenchResult>& results);

}  // namespace bench
}  // namespace strata
