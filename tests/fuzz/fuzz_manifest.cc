// libFuzzer target: the input is one manifest record, a pb::VersionEdit
// (engine/src/version/manifest_format.md). Decodes it with
// VersionEdit::Decode; if that succeeds, writes it as a manifest segment
// named by CURRENT in a MemEnv directory and recovers a VersionSet from it;
// if that succeeds, runs the leveled compaction picker over the recovered
// Version with default Options: scores, the pick, range compactions of every
// level over a few ranges, and the job for each plan (whose encoding must
// decode again, else abort). Any non-OK Status is fine; a crash, a
// sanitizer report, a hang or an unbounded allocation is a bug.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "compaction/compaction_picker.h"
#include "db/filename.h"
#include "strata/compaction.h"
#include "strata/env.h"
#include "strata/mem_env.h"
#include "strata/options.h"
#include "version/version.h"
#include "version/version_edit.h"
#include "version/version_set.h"
#include "wal/log_writer.h"

namespace strata {
namespace {

const char kDir[] = "/db";
constexpr uint64_t kManifestNumber = 5;

// Writes record as manifest segment kManifestNumber and points CURRENT at it.
void WriteManifest(Env* env, const Slice& record) {
  const std::string path = ManifestFileName(kDir, kManifestNumber);
  std::unique_ptr<WritableFile> file;
  if (!env->CreateDir(kDir).ok() || !env->NewWritableFile(path, &file).ok()) abort();
  log::Writer writer(file.get());
  if (!writer.AddRecord(record).ok() || !file->Close().ok()) abort();
  const std::string current = path.substr(std::string(kDir).size() + 1) + "\n";  // "MANIFEST-000005\n"
  if (!WriteStringToFile(env, current, CurrentFileName(kDir), true).ok()) abort();
}

// Turns a plan into a job, and checks that the job's encoding decodes.
void MakeJob(const CompactionPlan& plan, const Version& version, const Options& options,
             SequenceNumber snapshot) {
  plan.IsTrivialMove(MaxGrandparentOverlap(options));
  CompactionJob job = MakeCompactionJob(plan, version, options, kDir, snapshot);
  CompactionJob decoded;
  Status s = DecodeCompactionJob(EncodeCompactionJob(job), &decoded);
  if (!s.ok()) {
    fprintf(stderr, "fuzz_manifest: a picked job does not decode: %s\n", s.ToString().c_str());
    abort();
  }
}

// User-key bounds to plan range compactions over: taken from the files of
// the version (nullptr entries: unbounded).
std::vector<std::string> BoundKeys(const Version& version) {
  std::vector<std::string> keys;
  for (int level = 0; level < kNumLevels; level++) {
    const auto& files = version.files[level];
    if (files.empty()) continue;
    keys.push_back(files.front()->smallest.user_key().ToString());
    keys.push_back(files[files.size() / 2]->largest.user_key().ToString());
  }
  return keys;
}

void RunPicker(const VersionSet& versions) {
  const Options options;
  const Version& version = *versions.current();
  const SequenceNumber snapshot = versions.LastSequence();
  ComputeScores(version, options);
  if (auto plan = PickCompaction(version, options, versions.compact_pointers())) {
    MakeJob(*plan, version, options, snapshot);
  }

  std::vector<std::string> keys = BoundKeys(version);
  const Slice first = keys.empty() ? Slice("a") : Slice(keys.front());
  const Slice last = keys.empty() ? Slice("z") : Slice(keys.back());
  const Slice middle = keys.empty() ? Slice("m") : Slice(keys[keys.size() / 2]);
  struct Range {
    const Slice* begin;
    const Slice* end;
  };
  const Range ranges[] = {{nullptr, nullptr}, {&first, &last},    {&middle, &middle},
                          {&last, &first},    {nullptr, &middle}, {&middle, nullptr}};
  // The last level has no level below to compact into.
  for (int level = 0; level + 1 < kNumLevels; level++) {
    for (const Range& r : ranges) {
      if (auto plan = PlanRangeCompaction(version, options, level, r.begin, r.end)) {
        MakeJob(*plan, version, options, snapshot);
      }
    }
  }
}

void FuzzManifest(const Slice& input) {
  VersionEdit edit;
  if (!edit.Decode(input).ok()) return;
  std::unique_ptr<MemEnv> env = NewMemEnv(Env::Default());
  WriteManifest(env.get(), input);
  VersionSet versions(kDir, env.get());
  if (!versions.Recover().ok()) return;
  RunPicker(versions);
}

}  // namespace
}  // namespace strata

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  strata::FuzzManifest(strata::Slice(reinterpret_cast<const char*>(data), size));
  return 0;
}
