// strata_bench: LevelDB db_bench-style workloads run on StrataDB, LevelDB and
// RocksDB in one process, so the numbers are comparable.
//
// What is compared, and on what terms (also printed by --help):
// - Keys are 16 bytes (zero-padded decimal), values 100 bytes (--value_size)
//   made like db_bench's RandomGenerator: half random, so they compress to
//   about 50%. Every engine sees the same keys and values in the same order
//   (--seed).
// - All engines get a 4 MiB write buffer, 4 KiB blocks, a 10 bits/key bloom
//   filter, an 8 MiB LRU block cache, 500 open files and LevelDB's leveled
//   shape (2 MiB files, L1 10 MiB, x10, L0 triggers 4/8/12); see
//   EngineConfig in bench_engine.h and each adapter's header comment.
// - --compression=none turns compression off everywhere; zlib uses zlib
//   level 1 on every level of StrataDB and RocksDB, and skips LevelDB, which
//   has no zlib.
// - Only fillsync syncs. Single-threaded. Timing covers the workload's own
//   calls; filling a database for a read workload is untimed, and nothing
//   waits for background compaction (as in db_bench).
// - Every write workload gets a new database. The read workloads of one
//   engine and mode share one database, filled with every key once in a
//   shuffled order; overwrite gets its own filled database.
//
// - --rounds=N runs it all N times, the engines in turns, and reports each
//   workload's median round: a shared machine has slow spells of seconds
//   to minutes, and a single pass puts one engine in them and not another.
//
// Output: progress lines on stderr, a table per compression mode on stdout
// (ops/s, MB/s, micros/op, per-call p50/p99, and StrataDB ops/s divided by
// each other engine's), and with --json=PATH all of it as JSON.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

#include "bench_engine.h"
#include "flags.h"
#include "report.h"
#include "workloads.h"

namespace strata {
namespace bench {
namespace {

namespace fs = std::filesystem;

// A database of one engine in its own scratch directory, removed when done.
class ScratchDb {
 public:
  ScratchDb(const std::string& engine, std::string dir)
      : engine_(NewBenchEngine(engine)), dir_(std::move(dir)) {}
  ~ScratchDb() {
    static_cast<void>(engine_->Close());
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }

  BenchStatus Open(const EngineConfig& config) {
    std::error_code ec;
    fs::remove_all(dir_, ec);  // left over from an interrupted run
    fs::create_directories(fs::path(dir_).parent_path(), ec);
    if (ec)
      return BenchStatus::Error("cannot create " + fs::path(dir_).parent_path().string() + ": " +
                                ec.message());
    return engine_->Open(dir_, config);
  }

  BenchEngine* engine() { return engine_.get(); }

 private:
  std::unique_ptr<BenchEngine> engine_;
  std::string dir_;
};

// Runs every workload of one engine in one compression mode.
void RunEngine(const BenchFlags& flags, const std::string& engine, BenchCompression mode,
               std::vector<BenchResult>* results) {
  EngineConfig config;
  config.compression = mode;
  const std::string prefix = flags.db_dir + "/" + engine + "-" + CompressionName(mode) + "-";
  const bool supported = NewBenchEngine(engine)->Supports(mode);

  std::unique_ptr<ScratchDb> shared;  // for the read workloads
  std::string shared_error;
  for (const Workload* w : flags.workloads) {
    BenchResult r;
    r.mode = mode;
    r.workload = w;
    r.engine = engine;
    if (!supported) {
      r.skipped = std::string(engine) + " has no " + CompressionName(mode) + " compression";
      results->push_back(r);
      PrintProgress(stderr, r);
      continue;
    }

    std::unique_ptr<ScratchDb> own;
    ScratchDb* db = nullptr;
    BenchStatus s = BenchStatus::OK();
    if (w->db == WorkloadDb::kFilledShared) {
      if (shared == nullptr && shared_error.empty()) {
        shared = std::make_unique<ScratchDb>(engine, prefix + "reads");
        s = shared->Open(config);
        if (s.ok()) s = Prefill(shared->engine(), flags.params);
        if (!s.ok()) shared_error = "filling the database: " + s.message();
      }
      if (!shared_error.empty()) s = BenchStatus::Error(shared_error);
      db = shared.get();
    } else {
      own = std::make_unique<ScratchDb>(engine, prefix + w->name);
      s = own->Open(config);
      if (s.ok() && w->db == WorkloadDb::kFilledOwn) s = Prefill(own->engine(), flags.params);
      if (!s.ok()) s = BenchStatus::Error("preparing the database: " + s.message());
      db = own.get();
    }
    if (s.ok()) s = w->run(db->engine(), flags.params, &r.m);
    if (!s.ok()) r.error = s.message();
    results->push_back(r);
    PrintProgress(stderr, r);
  }
}

int Main(int argc, char** argv) {
  BenchFlags flags;
  const std::string error = ParseFlags(argc, argv, &flags);
  if (!error.empty()) {
    std::fprintf(stderr, "strata_bench: %s\n", error.c_str());
    return 2;
  }
  if (flags.help) {
    std::fputs(Usage().c_str(), stdout);
    return 0;
  }

  std::vector<BenchResult> results;
  for (BenchCompression mode : flags.modes) {
    // The engines take turns, each round starting with the one the last
    // ended with, so that a slow spell of a shared machine falls on each
    // about as often; the median round of each is reported.
    std::vector<std::vector<BenchResult>> rounds(flags.rounds);
    std::vector<std::string> order = flags.engines;
    for (auto& round : rounds) {
      for (const std::string& engine : order) RunEngine(flags, engine, mode, &round);
      std::reverse(order.begin(), order.end());
    }
    std::vector<BenchResult> medians = MedianRounds(rounds);
    PrintTable(stdout, flags, mode, medians);
    results.insert(results.end(), medians.begin(), medians.end());
  }

  int exit_code = 0;
  for (const BenchResult& r : results) {
    if (!r.error.empty()) exit_code = 1;
  }
  if (!flags.json_path.empty()) {
    BenchStatus s = WriteJson(flags.json_path, flags, results);
    if (!s.ok()) {
      std::fprintf(stderr, "strata_bench: %s\n", s.message().c_str());
      exit_code = 1;
    } else {
      std::fprintf(stderr, "strata_bench: results written to %s\n", flags.json_path.c_str());
    }
  }
  return exit_code;
}

}  // namespace
}  // namespace bench
}  // namespace strata

int main(int argc, char** argv) {
  return strata::bench::Main(argc, argv);
}
