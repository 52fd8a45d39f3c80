#include "compaction/compaction_picker.h"

#include <algorithm>

#include "db/filename.h"

namespace strata {
namespace {

// Smallest and largest internal keys over files.
void RangeOf(const std::vector<FileMetaPtr>& files, InternalKey* smallest, InternalKey* largest) {
  smallest->Clear();
  largest->Clear();
  for (const auto& f : files) {
    if (smallest->empty() || CompareInternalKeys(f->smallest.Encode(), smallest->Encode()) < 0) {
      *smallest = f->smallest;
    }
    if (largest->empty() || CompareInternalKeys(f->largest.Encode(), largest->Encode()) > 0) {
      *largest = f->largest;
    }
  }
}

// Fills inputs[1] and grandparents from inputs[0].
void SetupOtherInputs(const Version& version, CompactionPlan* plan) {
  InternalKey smallest, largest;
  RangeOf(plan->inputs[0], &smallest, &largest);
  Slice begin = smallest.user_key(), end = largest.user_key();
  plan->inputs[1] = version.GetOverlappingInputs(plan->level + 1, &begin, &end);
  InternalKey all_smallest, all_largest;
  plan->GetRange(&all_smallest, &all_largest);
  if (plan->level + 2 < kNumLevels) {
    Slice b = all_smallest.user_key(), e = all_largest.user_key();
    plan->grandparents = version.GetOverlappingInputs(plan->level + 2, &b, &e);
  }
}

}  // namespace

Compression CompressionForLevel(const Options& options, int level) {
  const auto& per_level = options.compression_per_level;
  if (per_level.empty()) return Compression::kNone;
  return per_level[std::min<size_t>(level, per_level.size() - 1)];
}

bool CompactionPlan::IsTrivialMove(uint64_t max_grandparent_overlap) const {
  return inputs[0].size() == 1 && inputs[1].empty() && TotalFileSize(grandparents) <= max_grandparent_overlap;
}

void CompactionPlan::GetRange(InternalKey* smallest, InternalKey* largest) const {
  std::vector<FileMetaPtr> all = inputs[0];
  all.insert(all.end(), inputs[1].begin(), inputs[1].end());
  RangeOf(all, smallest, largest);
}

uint64_t MaxBytesForLevel(const Options& options, int level) {
  uint64_t result = options.max_bytes_for_level_base;
  for (int l = 1; l < level; l++) result *= static_cast<uint64_t>(options.level_size_multiplier);
  return result;
}

uint64_t MaxGrandparentOverlap(const Options& options) {
  return 10 * options.target_file_size;
}

uint64_t MaxRangeCompactionBytes(const Options& options) {
  return 10 * options.target_file_size;
}

std::vector<double> ComputeScores(const Version& version, const Options& options) {
  std::vector<double> scores(kNumLevels, 0.0);
  scores[0] = static_cast<double>(version.NumFiles(0)) / std::max(1, options.l0_compaction_trigger);
  for (int level = 1; level < kNumLevels - 1; level++) {
    scores[level] = static_cast<double>(version.LevelBytes(level)) / MaxBytesForLevel(options, level);
  }
  return scores;
}

std::unique_ptr<CompactionPlan> PickCompaction(const Version& version, const Options& options,
                                               const std::vector<std::string>& compact_pointers) {
  std::vector<double> scores = ComputeScores(version, options);
  int level = static_cast<int>(std::max_element(scores.begin(), scores.end()) - scores.begin());
  if (scores[level] < 1.0) return nullptr;

  auto plan = std::make_unique<CompactionPlan>();
  plan->level = level;
  plan->score = scores[level];
  const auto& files = version.files[level];
  if (level == 0) {
    // The oldest L0 file, widened to every L0 file it overlaps.
    const FileMetaPtr& oldest = files.back();
    Slice begin = oldest->smallest.user_key(), end = oldest->largest.user_key();
    plan->inputs[0] = version.GetOverlappingInputs(0, &begin, &end);
  } else {
    // The first file after where the last compaction of this level ended.
    const std::string& pointer =
        level < static_cast<int>(compact_pointers.size()) ? compact_pointers[level] : "";
    FileMetaPtr chosen = files.front();
    if (!pointer.empty()) {
      for (const auto& f : files) {
        if (CompareInternalKeys(f->largest.Encode(), pointer) > 0) {
          chosen = f;
          break;
        }
      }
    }
    plan->inputs[0].push_back(chosen);
  }
  SetupOtherInputs(version, plan.get());
  return plan;
}

std::unique_ptr<CompactionPlan> PlanSeekCompaction(const Version& version, int level, uint64_t file_number) {
  if (level < 0 || level >= kNumLevels - 1) return nullptr;
  FileMetaPtr file = version.FileInLevel(level, file_number);
  if (file == nullptr) return nullptr;
  auto plan = std::make_unique<CompactionPlan>();
  plan->level = level;
  plan->reason = CompactionReason::kSeeks;
  if (level == 0) {
    Slice begin = file->smallest.user_key(), end = file->largest.user_key();
    plan->inputs[0] = version.GetOverlappingInputs(0, &begin, &end);
  } else {
    plan->inputs[0].push_back(std::move(file));
  }
  SetupOtherInputs(version, plan.get());
  return plan;
}

std::unique_ptr<CompactionPlan> PlanRangeCompaction(const Version& version, const Options& options, int level,
                                                    const Slice* begin, const Slice* end) {
  auto inputs = version.GetOverlappingInputs(level, begin, end);
  if (inputs.empty()) return nullptr;
  auto plan = std::make_unique<CompactionPlan>();
  if (level > 0) {
    // No user key spans two tables of a level below L0 (compaction_job.cc
    // cuts outputs between user keys), so a cut between two tables leaves
    // no older version of a key above a newer one.
    const uint64_t limit = MaxRangeCompactionBytes(options);
    uint64_t bytes = 0;
    for (size_t i = 0; i < inputs.size(); i++) {
      bytes += inputs[i]->file_size;
      if (bytes >= limit && i + 1 < inputs.size()) {
        inputs.resize(i + 1);
        plan->more_in_range = true;
        break;
      }
    }
  }
  plan->level = level;
  plan->reason = CompactionReason::kManual;
  plan->inputs[0] = std::move(inputs);
  SetupOtherInputs(version, plan.get());
  return plan;
}

CompactionJob MakeCompactionJob(const CompactionPlan& plan, const Version& version, const Options& options,
                                const std::string& dir, uint64_t smallest_snapshot) {
  CompactionJob job;
  job.output_level = plan.output_level();
  for (int which = 0; which < 2; which++) {
    for (const auto& f : plan.inputs[which]) {
      CompactionInput in;
      in.file_number = f->number;
      in.path = TableFileName(dir, f->number);
      in.size = f->file_size;
      in.level = plan.level + which;
      job.inputs.push_back(std::move(in));
    }
  }
  job.smallest_snapshot = smallest_snapshot;

  InternalKey smallest, largest;
  plan.GetRange(&smallest, &largest);
  Slice begin = smallest.user_key(), end = largest.user_key();
  for (int level = job.output_level + 1; level < kNumLevels; level++) {
    for (const auto& f : version.GetOverlappingInputs(level, &begin, &end)) {
      job.deeper_ranges.push_back({f->smallest.user_key().ToString(), f->largest.user_key().ToString()});
    }
  }
  for (const auto& f : plan.grandparents) {
    job.grandparent_ranges.push_back({f->smallest.user_key().ToString(), f->largest.user_key().ToString()});
    job.grandparent_sizes.push_back(f->file_size);
  }
  job.max_grandparent_overlap = MaxGrandparentOverlap(options);

  job.output_dir = dir;
  job.target_file_size = options.target_file_size;
  job.block_size = options.block_size;
  job.block_restart_interval = options.block_restart_interval;
  job.bloom_bits_per_key = options.bloom_bits_per_key;
  job.compression = CompressionForLevel(options, job.output_level);
  job.zlib_level = options.zlib_level;
  return job;
}

}  // namespace strata
