// RunSeedWorkload: puts, deletes, batches and synced writes (one of them a
// record spanning several WAL blocks) on a DB in a MemEnv, driven without a
// background thread so that the files can be copied before the DB deletes
// them; compactions run inline on an executor that records their jobs and
// results.
#include "seed_workload.h"

#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "db/filename.h"
#include "strata/compaction.h"
#include "strata/db.h"
#include "strata/env.h"
#include "strata/mem_env.h"
#include "strata/options.h"
#include "strata/write_batch.h"

namespace strata {
namespace fuzz {
namespace {

const char kDir[] = "/db";

// Runs each job inline and keeps its encoding and its result's.
class RecordingExecutor final : public CompactionExecutor {
 public:
  explicit RecordingExecutor(EngineOutput* out) : out_(out) {}

  void Execute(const CompactionJob& job, Env* env, FileNumberAllocator allocate_number,
               std::function<void(CompactionResult)> done) override {
    out_->jobs.push_back(EncodeCompactionJob(job));
    CompactionResult result = RunCompactionJob(job, env, allocate_number);
    out_->results.push_back(EncodeCompactionResult(result));
    done(std::move(result));
  }

 private:
  EngineOutput* const out_;
};

// Copies every WAL segment, table and manifest segment now in the
// directory. Files are written once, so a later copy only ever extends an
// earlier one (a WAL segment still being written).
Status CopyFiles(Env* env, EngineOutput* out) {
  std::vector<std::string> names;
  Status s = env->GetChildren(kDir, &names);
  for (const std::string& name : names) {
    if (!s.ok()) break;
    uint64_t number;
    FileType type;
    if (!ParseFileName(name, &number, &type)) continue;
    if (type != FileType::kWal && type != FileType::kTable && type != FileType::kManifest) continue;
    std::string data;
    s = ReadFileToString(env, std::string(kDir) + "/" + name, &data);
    if (s.ok() && data.size() >= out->files[name].size()) out->files[name] = std::move(data);
  }
  return s;
}

// Does the pending flushes and compactions, copying the files before each
// step (a flush retires WAL segments) and after it (a compaction's outputs
// may be compacted away by the next step).
Status DrainWork(DB* db, Env* env, EngineOutput* out) {
  Status s;
  while (s.ok() && db->HasPendingWork()) {
    s = CopyFiles(env, out);
    if (s.ok()) s = db->RunPendingWork();
    if (s.ok()) s = CopyFiles(env, out);
  }
  return s;
}

std::string Key(uint64_t n) {
  char buf[32];
  snprintf(buf, sizeof(buf), "key%06llu", static_cast<unsigned long long>(n));
  return buf;
}

// Half random letters, half one repeated byte: zlib saves well over the
// 12.5% a block needs to stay compressed.
std::string Value(std::mt19937_64& rng, size_t len) {
  std::string v;
  while (v.size() < len / 2) v.push_back(static_cast<char>('a' + rng() % 26));
  v.resize(len, 'x');
  return v;
}

// Runs a job whose first input is missing: a real failed result.
void AddFailedResult(Env* env, EngineOutput* out) {
  CompactionJob job;
  if (out->jobs.empty() || !DecodeCompactionJob(out->jobs.front(), &job).ok() || job.inputs.empty()) return;
  job.inputs.front().path = std::string(kDir) + "/missing.sst";
  uint64_t next_number = 1000000;
  CompactionResult result = RunCompactionJob(job, env, [&next_number] { return next_number++; });
  if (!result.status.ok()) out->results.push_back(EncodeCompactionResult(result));
}

}  // namespace

Status RunSeedWorkload(EngineOutput* out) {
  std::unique_ptr<MemEnv> env = NewMemEnv(Env::Default());
  Options options;
  options.env = env.get();
  options.background_thread = false;
  options.compaction_executor = std::make_shared<RecordingExecutor>(out);
  options.write_buffer_size = 16 * 1024;
  options.target_file_size = 8 * 1024;
  options.block_size = 1024;
  options.max_bytes_for_level_base = 32 * 1024;
  // L0 plain; L1 and below zlib.
  options.compression_per_level = {Compression::kNone, Compression::kZlib};

  std::unique_ptr<DB> db;
  Status s = DB::Open(options, kDir, &db);
  std::mt19937_64 rng(20240607);
  WriteOptions plain, synced;
  synced.sync = true;
  for (int i = 0; s.ok() && i < 3000; i++) {
    const std::string key = Key(rng() % 800);
    if (i % 11 == 0) {
      s = db->Delete(plain, key);
    } else if (i % 97 == 0) {
      WriteBatch batch;
      for (int j = 0; j < 5; j++) batch.Put(Key(rng() % 800), Value(rng, 40));
      batch.Delete(key);
      s = db->Write(synced, batch);
    } else {
      s = db->Put(i % 250 == 0 ? synced : plain, key, Value(rng, 100));
    }
    if (s.ok() && i == 1500) {
      // One record of ~80 KiB: a FIRST, MIDDLE(s) and LAST fragment.
      s = db->Put(synced, "big", Value(rng, 80 * 1024));
      if (s.ok()) s = CopyFiles(env.get(), out);
    }
    if (s.ok()) s = DrainWork(db.get(), env.get(), out);
  }
  if (s.ok()) s = CopyFiles(env.get(), out);
  if (s.ok()) s = db->CompactRange(nullptr, nullptr);
  if (s.ok()) s = CopyFiles(env.get(), out);
  if (s.ok()) s = db->Close();
  if (s.ok()) s = CopyFiles(env.get(), out);
  if (s.ok()) AddFailedResult(env.get(), out);
  return s;
}

}  // namespace fuzz
}  // namespace strata
