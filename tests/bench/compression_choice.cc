// strata_compression_bench: the measurement behind the default
// Options::compression_per_level. Runs the same workload under three
// placements of zlib and prints write and read throughput and the bytes the
// tables take, so the trade-off is a number, not a guess.
//
//   build/bench/tests/bench/strata_compression_bench [--num=N] [--db_dir=PATH]
//
// Workload: N random puts (16-byte keys, 100-byte values that compress to
// about half, as in db_bench), then N/2 random gets of present keys on the
// state the writes left (compactions may still be pending, as in db_bench).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "data_generator.h"
#include "strata/db.h"
#include "strata/env.h"

namespace strata::bench {
namespace {

struct Placement {
  const char* name;
  std::vector<Compression> per_level;
};

double Seconds(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

void Fail(const char* what, const Status& s) {
  fprintf(stderr, "%s: %s\n", what, s.ToString().c_str());
  exit(1);
}

void Run(const Placement& placement, uint64_t num, const std::string& dir) {
  Options options;
  options.compression_per_level = placement.per_level;
  DB::Destroy(options, dir).IgnoreError();
  std::unique_ptr<DB> db;
  Status s = DB::Open(options, dir, &db);
  if (!s.ok()) Fail("open", s);

  KeyFormatter keys;
  ValueGenerator values(301, 100);
  BenchRandom rng(301);
  auto start = std::chrono::steady_clock::now();
  for (uint64_t i = 0; i < num; i++) {
    s = db->Put(WriteOptions(), Slice(keys.Key(rng.Uniform(num)).data(), kKeySize),
                Slice(values.Next().data(), 100));
    if (!s.ok()) Fail("put", s);
  }
  const double write_seconds = Seconds(start);

  const uint64_t reads = num / 2;
  std::string value;
  start = std::chrono::steady_clock::now();
  for (uint64_t i = 0; i < reads; i++) {
    s = db->Get(ReadOptions(), Slice(keys.Key(rng.Uniform(num)).data(), kKeySize), &value);
    if (!s.ok() && !s.IsNotFound()) Fail("get", s);
  }
  const double read_seconds = Seconds(start);

  Stats stats = db->GetStats();
  uint64_t table_bytes = 0;
  std::string per_level;
  for (const auto& level : stats.levels) {
    table_bytes += level.bytes;
    if (level.files > 0) per_level += " L" + std::to_string(level.level) + "=" + std::to_string(level.bytes >> 10) + "K";
  }
  printf("%-22s %10.0f %10.0f %10.1f   %s\n", placement.name, num / write_seconds, reads / read_seconds,
         table_bytes / 1048576.0, per_level.c_str());
  s = db->Close();
  if (!s.ok()) Fail("close", s);
  DB::Destroy(options, dir).IgnoreError();
}

}  // namespace
}  // namespace strata::bench

int main(int argc, char** argv) {
  using namespace strata;
  uint64_t num = 1000000;
  std::string dir = std::string(getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp") + "/strata_compression_bench";
  for (int i = 1; i < argc; i++) {
    if (strncmp(argv[i], "--num=", 6) == 0) num = strtoull(argv[i] + 6, nullptr, 10);
    else if (strncmp(argv[i], "--db_dir=", 9) == 0) dir = argv[i] + 9;
    else {
      fprintf(stderr, "usage: %s [--num=N] [--db_dir=PATH]\n", argv[0]);
      return 2;
    }
  }
  if (num == 0) num = 1;
  const std::vector<bench::Placement> placements = {
      {"none everywhere", {Compression::kNone}},
      {"zlib from L2 (default)", {Compression::kNone, Compression::kNone, Compression::kZlib}},
      {"zlib everywhere", {Compression::kZlib}},
  };
  printf("num=%llu random puts, then %llu random gets\n", static_cast<unsigned long long>(num),
         static_cast<unsigned long long>(num / 2));
  printf("%-22s %10s %10s %10s   %s\n", "placement", "puts/s", "gets/s", "table MiB", "per level");
  for (const auto& p : placements) bench::Run(p, num, dir);
  return 0;
}
