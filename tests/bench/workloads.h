// The db_bench-style workloads. Each one runs single-threaded against one
// open BenchEngine and measures only its own operations: preparing the
// database (filling it for the read workloads) is not timed.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "bench_engine.h"
#include "strata/stats.h"

namespace strata {
namespace bench {

struct WorkloadParams {
  uint64_t num = 1000000;  // keys in the database; base of every op count
  size_t value_size = 100;
  uint64_t seed = 301;  // same seed, same keys and values, on every engine
};

struct Measurement {
  uint64_t ops = 0;    // what micros/op divides by (see Workload::op_unit)
  uint64_t bytes = 0;  // key + value bytes written or read
  uint64_t found = 0;  // reads that found a value (read workloads)
  double seconds = 0;  // wall time of the timed loop
  // Latency of each engine call (a whole batch for fillbatch, a seek with
  // its nexts for seekrandom); empty for readseq, whose Next calls are too
  // short to time one by one.
  HistogramData latency;
};

// What a workload needs to find when it starts.
enum class WorkloadDb {
  kEmpty,         // a new, empty database
  kFilledShared,  // Prefill()ed; read-only workloads share one per engine and mode
  kFilledOwn,     // Prefill()ed for this workload alone (it writes)
};

struct Workload {
  const char* name;
  const char* description;  // for --help
  const char* op_unit;      // what one op is
  WorkloadDb db;
  BenchStatus (*run)(BenchEngine* engine, const WorkloadParams& params, Measurement* m);
};

// In the default run order.
const std::vector<Workload>& AllWorkloads();
// nullptr if unknown.
const Workload* FindWorkload(const std::string& name);

// Fills an empty database with every key 0..num-1, once each, in a shuffled
// order, in unsynced batches of 1000.
BenchStatus Prefill(BenchEngine* engine, const WorkloadParams& params);

}  // namespace bench
}  // namespace strata
