// strata_fuzz_seeds <out_dir>: writes the seed corpora of the fuzzers in
// tests/fuzz, all made by the engine itself (seed_workload.h), into
//   <out_dir>/table/      tables, plain and zlib-compressed
//   <out_dir>/wal/        WAL segments, one holding a record that spans
//                         several 32 KiB blocks
//   <out_dir>/manifest/   every VersionEdit record read back from MANIFEST-*
//   <out_dir>/job_codec/  every compaction job and result, encoded
// Exits non-zero, naming the problem, if the engine did not produce one of
// these.
#include <algorithm>
#include <cstdio>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "db/filename.h"
#include "seed_workload.h"
#include "strata/env.h"
#include "strata/mem_env.h"
#include "table/table.h"
#include "wal/log_format.h"
#include "wal/log_reader.h"

namespace strata {
namespace fuzz {
namespace {

using Seed = std::pair<std::string, std::string>;  // file name, bytes

constexpr size_t kMaxTableSeed = 32 * 1024;

// At most n of items, evenly spread, the first and last included.
std::vector<Seed> Spread(const std::vector<Seed>& items, size_t n) {
  if (items.size() <= n) return items;
  std::vector<Seed> chosen;
  for (size_t i = 0; i < n; i++) chosen.push_back(items[i * (items.size() - 1) / (n - 1)]);
  return chosen;
}

std::vector<Seed> BySize(std::vector<Seed> seeds) {
  std::stable_sort(seeds.begin(), seeds.end(),
                   [](const Seed& a, const Seed& b) { return a.second.size() < b.second.size(); });
  return seeds;
}

FileType TypeOf(const std::string& name) {
  uint64_t number;
  FileType type = FileType::kTemp;
  ParseFileName(name, &number, &type);
  return type;
}

// Whether the table stores any data block compressed; false with *error
// set if it does not open.
bool IsCompressed(const std::string& bytes, std::string* error) {
  std::unique_ptr<MemEnv> env = NewMemEnv(Env::Default());
  std::unique_ptr<RandomAccessFile> file;
  std::unique_ptr<Table> table;
  Status s = WriteStringToFile(env.get(), bytes, "/t.sst", false);
  if (s.ok()) s = env->NewRandomAccessFile("/t.sst", &file);
  if (s.ok()) s = Table::Open(TableReadOptions(), std::move(file), bytes.size(), &table);
  if (!s.ok()) {
    *error = s.ToString();
    return false;
  }
  return table->properties().num_compressed_data_blocks() > 0;
}

// The logical records of a log file (a WAL or manifest segment).
std::vector<std::string> Records(const std::string& bytes) {
  std::unique_ptr<MemEnv> env = NewMemEnv(Env::Default());
  std::unique_ptr<SequentialFile> file;
  std::vector<std::string> records;
  if (!WriteStringToFile(env.get(), bytes, "/log", false).ok() ||
      !env->NewSequentialFile("/log", &file).ok()) {
    return records;
  }
  log::Reader reader(file.get(), nullptr, /*verify_checksums=*/true);
  Slice record;
  std::string scratch;
  while (reader.ReadRecord(&record, &scratch)) records.push_back(record.ToString());
  return records;
}

Status TableSeeds(const EngineOutput& engine, std::vector<Seed>* seeds) {
  std::vector<Seed> plain, zlib;
  for (const auto& [name, bytes] : engine.files) {
    if (TypeOf(name) != FileType::kTable) continue;
    std::string error;
    const bool compressed = IsCompressed(bytes, &error);
    if (!error.empty()) return Status::Corruption("table " + name + " does not open: " + error);
    // Big tables (the one holding the 80 KiB value) would slow every run.
    if (bytes.size() > kMaxTableSeed) continue;
    (compressed ? zlib : plain).emplace_back((compressed ? "zlib-" : "plain-") + name, bytes);
  }
  if (plain.empty() || zlib.empty()) {
    return Status::InvalidArgument("the workload wrote " + std::to_string(plain.size()) + " plain and " +
                                   std::to_string(zlib.size()) + " zlib tables; want both kinds");
  }
  for (const Seed& seed : Spread(BySize(plain), 3)) seeds->push_back(seed);
  for (const Seed& seed : Spread(BySize(zlib), 3)) seeds->push_back(seed);
  return Status::OK();
}

Status WalSeeds(const EngineOutput& engine, std::vector<Seed>* seeds) {
  std::vector<Seed> others;
  bool have_spanning = false;
  for (const auto& [name, bytes] : engine.files) {
    if (TypeOf(name) != FileType::kWal || bytes.empty()) continue;
    size_t longest = 0;
    for (const std::string& record : Records(bytes)) longest = std::max(longest, record.size());
    if (longest > 2 * log::kBlockSize && !have_spanning) {
      seeds->emplace_back(name, bytes);
      have_spanning = true;
    } else {
      others.emplace_back(name, bytes);
    }
  }
  if (!have_spanning) return Status::InvalidArgument("no WAL segment holds a record spanning 3 blocks");
  for (const Seed& seed : Spread(BySize(others), 4)) seeds->push_back(seed);
  return Status::OK();
}

Status ManifestSeeds(const EngineOutput& engine, std::vector<Seed>* seeds) {
  std::vector<Seed> records;
  std::set<std::string> seen;
  for (const auto& [name, bytes] : engine.files) {
    if (TypeOf(name) != FileType::kManifest) continue;
    for (const std::string& record : Records(bytes)) {
      if (seen.insert(record).second) records.emplace_back(name + ".edit", record);
    }
  }
  if (records.empty()) return Status::InvalidArgument("no manifest record was read back");
  *seeds = std::move(records);  // all: some only call for a compaction
  return Status::OK();
}

Status JobCodecSeeds(const EngineOutput& engine, std::vector<Seed>* seeds) {
  std::vector<Seed> jobs, results;
  for (size_t i = 0; i < engine.jobs.size(); i++)
    jobs.emplace_back("job-" + std::to_string(i), engine.jobs[i]);
  for (size_t i = 0; i < engine.results.size(); i++) {
    results.emplace_back("result-" + std::to_string(i), engine.results[i]);
  }
  if (jobs.empty() || results.empty()) return Status::InvalidArgument("the workload ran no compaction job");
  *seeds = std::move(jobs);
  seeds->insert(seeds->end(), results.begin(), results.end());
  return Status::OK();
}

Status WriteSeeds(const std::string& dir, const std::vector<Seed>& seeds) {
  Env* env = Env::Default();
  Status s = env->CreateDir(dir);
  for (const Seed& seed : seeds) {
    if (!s.ok()) break;
    s = WriteStringToFile(env, seed.second, dir + "/" + seed.first, false);
  }
  return s;
}

int Main(int argc, char** argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: strata_fuzz_seeds <out_dir>\n");
    return 2;
  }
  const std::string out = argv[1];
  EngineOutput engine;
  Status s = RunSeedWorkload(&engine);
  if (s.ok()) s = Env::Default()->CreateDir(out);
  struct Corpus {
    const char* name;
    Status (*make)(const EngineOutput&, std::vector<Seed>*);
  };
  const Corpus corpora[] = {
      {"table", TableSeeds}, {"wal", WalSeeds}, {"manifest", ManifestSeeds}, {"job_codec", JobCodecSeeds}};
  for (const Corpus& corpus : corpora) {
    if (!s.ok()) break;
    std::vector<Seed> seeds;
    s = corpus.make(engine, &seeds);
    if (s.ok()) s = WriteSeeds(out + "/" + corpus.name, seeds);
    if (s.ok()) printf("strata_fuzz_seeds: %zu %s seeds\n", seeds.size(), corpus.name);
    if (!s.ok()) s = s.WithContext(corpus.name);
  }
  if (!s.ok()) {
    fprintf(stderr, "strata_fuzz_seeds: error: %s\n", s.ToString().c_str());
    return 1;
  }
  return 0;
}

}  // namespace
}  // namespace fuzz
}  // namespace strata

int main(int argc, char** argv) {
  return strata::fuzz::Main(argc, argv);
}
