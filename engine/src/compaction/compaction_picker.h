// Leveled compaction policy: pure functions of a Version and the options.
//
// Scores: L0 = file count / l0_compaction_trigger; Ln (n >= 1) = bytes /
// target, where L1's target is max_bytes_for_level_base and each level's is
// level_size_multiplier times the one above. The highest score >= 1 wins.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "strata/compaction.h"
#include "strata/listener.h"
#include "strata/options.h"
#include "version/version.h"

namespace strata {

// What to compact: input files of `level` and `level + 1`.
struct CompactionPlan {
  int level = 0;
  CompactionReason reason = CompactionReason::kLevelScore;
  double score = 0;  // of `level` when picked
  std::vector<FileMetaPtr> inputs[2];
  std::vector<FileMetaPtr> grandparents;  // level + 2 files overlapping the range
  // A range compaction that takes only the first part of the range in its
  // level (PlanRangeCompaction): the level holds more of it after inputs[0].
  bool more_in_range = false;

  int output_level() const { return level + 1; }
  // One input file, nothing to merge with: the file can move down by a
  // manifest edit alone.
  bool IsTrivialMove(uint64_t max_grandparent_overlap) const;
  // Internal-key range of all inputs.
  void GetRange(InternalKey* smallest, InternalKey* largest) const;
};

uint64_t MaxBytesForLevel(const Options& options, int level);
Compression CompressionForLevel(const Options& options, int level);
// Compaction score of each level (the last level scores 0).
std::vector<double> ComputeScores(const Version& version, const Options& options);
// Outputs and moves stop growing past this overlap with level + 2.
uint64_t MaxGrandparentOverlap(const Options& options);

// The compaction the scores call for, or nullptr. compact_pointers[level]
// (may be empty) is where the previous compaction of that level ended:
// levels are compacted round-robin through their key space.
std::unique_ptr<CompactionPlan> PickCompaction(const Version& version, const Options& options,
                                               const std::vector<std::string>& compact_pointers);

// A compaction of table `file_number` of `level` (in L0, widened to the L0
// files it overlaps), or nullptr if the level has no such file (any more).
std::unique_ptr<CompactionPlan> PlanSeekCompaction(const Version& version, int level, uint64_t file_number);

// The level's bytes one job of a range compaction takes, below L0: a pass
// through a large range goes in jobs of about this much of the level (as
// LevelDB's and RocksDB's manual compactions do), each with the next
// level's tables that overlap it, so that a job's inputs, its runner's
// memory and the work of installing it (in the browser, a task of the
// page's thread that grows with the tables replaced) grow with this and
// not with the range.
uint64_t MaxRangeCompactionBytes(const Options& options);

// A compaction of the level's files overlapping [begin, end] (user keys,
// nullptr: unbounded), or nullptr if there are none. Below L0 it takes the
// first of them in key order up to MaxRangeCompactionBytes (at least one),
// and says so in more_in_range when some are left; L0's tables overlap one
// another, so there it takes them all.
std::unique_ptr<CompactionPlan> PlanRangeCompaction(const Version& version, const Options& options, int level,
                                                    const Slice* begin, const Slice* end);

// The self-contained job description for a plan.
CompactionJob MakeCompactionJob(const CompactionPlan& plan, const Version& version, const Options& options,
                                const std::string& dir, uint64_t smallest_snapshot);

}  // namespace strata
