// The leveled compaction policy, on file metadata only
// (engine/src/compaction/compaction_picker.h).
#include "compaction/compaction_picker.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "db/filename.h"

namespace strata {
namespace {

constexpr uint64_t kMiB = 1024 * 1024;

FileMetaPtr File(uint64_t number, const std::string& smallest, const std::string& largest, uint64_t size,
                 SequenceNumber seq = 1) {
  auto f = std::make_shared<FileMetaData>();
  f->number = number;
  f->file_size = size;
  f->smallest = InternalKey(smallest, seq, kTypeValue);
  f->largest = InternalKey(largest, seq, kTypeValue);
  f->smallest_seq = seq;
  f->largest_seq = seq;
  return f;
}

// n small L0 files over disjoint ranges, newest first.
void FillL0(Version* v, int n) {
  for (int i = n - 1; i >= 0; i--) {
    std::string k(1, static_cast<char>('a' + i));
    v->files[0].push_back(File(100 + i, k, k, 1000, 10 + i));
  }
}

std::vector<uint64_t> Numbers(const std::vector<FileMetaPtr>& files) {
  std::vector<uint64_t> numbers;
  for (const auto& f : files) numbers.push_back(f->number);
  std::sort(numbers.begin(), numbers.end());
  return numbers;
}

std::vector<std::string> NoPointers() {
  return std::vector<std::string>(kNumLevels);
}

TEST(CompactionPickerTest, LevelTargetsGrowTenfoldFromTenMiB) {
  Options options;
  EXPECT_EQ(10 * kMiB, MaxBytesForLevel(options, 1));
  EXPECT_EQ(100 * kMiB, MaxBytesForLevel(options, 2));
  EXPECT_EQ(1000 * kMiB, MaxBytesForLevel(options, 3));
  options.max_bytes_for_level_base = 1000;
  options.level_size_multiplier = 4;
  EXPECT_EQ(1000u, MaxBytesForLevel(options, 1));
  EXPECT_EQ(16000u, MaxBytesForLevel(options, 3));
}

TEST(CompactionPickerTest, L0ScoreIsFileCountOverTrigger) {
  Options options;
  Version v;
  FillL0(&v, 2);
  EXPECT_DOUBLE_EQ(0.5, ComputeScores(v, options)[0]);
  Version w;
  FillL0(&w, 6);
  EXPECT_DOUBLE_EQ(1.5, ComputeScores(w, options)[0]);
  options.l0_compaction_trigger = 2;
  EXPECT_DOUBLE_EQ(3.0, ComputeScores(w, options)[0]);
}

TEST(CompactionPickerTest, LevelScoreIsBytesOverTarget) {
  Options options;
  Version v;
  v.files[1] = {File(1, "a", "b", 5 * kMiB)};
  v.files[2] = {File(2, "a", "b", 100 * kMiB), File(3, "c", "d", 50 * kMiB)};
  v.files[3] = {File(4, "a", "b", 500 * kMiB)};
  auto scores = ComputeScores(v, options);
  ASSERT_EQ(static_cast<size_t>(kNumLevels), scores.size());
  EXPECT_DOUBLE_EQ(0.5, scores[1]);
  EXPECT_DOUBLE_EQ(1.5, scores[2]);
  EXPECT_DOUBLE_EQ(0.5, scores[3]);
  EXPECT_DOUBLE_EQ(0.0, scores[4]);
}

TEST(CompactionPickerTest, LastLevelScoresZero) {
  Options options;
  Version v;
  v.files[kNumLevels - 1] = {File(1, "a", "z", 1ull << 50)};
  EXPECT_DOUBLE_EQ(0.0, ComputeScores(v, options)[kNumLevels - 1]);
  EXPECT_EQ(nullptr, PickCompaction(v, options, NoPointers()));
}

TEST(CompactionPickerTest, NothingIsPickedWhenEveryScoreIsBelowOne) {
  Options options;
  Version v;
  FillL0(&v, 3);
  v.files[1] = {File(1, "a", "b", 10 * kMiB - 1)};
  v.files[2] = {File(2, "a", "b", 99 * kMiB)};
  EXPECT_EQ(nullptr, PickCompaction(v, options, NoPointers()));
  EXPECT_EQ(nullptr, PickCompaction(Version(), options, NoPointers()));
}

TEST(CompactionPickerTest, ScoreOfExactlyOneIsPicked) {
  Options options;
  Version v;
  FillL0(&v, 4);
  auto plan = PickCompaction(v, options, NoPointers());
  ASSERT_NE(nullptr, plan);
  EXPECT_EQ(0, plan->level);
  EXPECT_EQ(1, plan->output_level());

  Version w;
  w.files[1] = {File(1, "a", "b", 10 * kMiB)};
  plan = PickCompaction(w, options, NoPointers());
  ASSERT_NE(nullptr, plan);
  EXPECT_EQ(1, plan->level);
}

TEST(CompactionPickerTest, HighestScoreWins) {
  Options options;
  Version v;
  FillL0(&v, 5);                                 // 1.25
  v.files[1] = {File(1, "a", "b", 20 * kMiB)};   // 2.0
  v.files[2] = {File(2, "a", "b", 150 * kMiB)};  // 1.5
  auto plan = PickCompaction(v, options, NoPointers());
  ASSERT_NE(nullptr, plan);
  EXPECT_EQ(1, plan->level);

  Version w;
  FillL0(&w, 8);                                 // 2.0
  w.files[2] = {File(2, "a", "b", 150 * kMiB)};  // 1.5
  plan = PickCompaction(w, options, NoPointers());
  ASSERT_NE(nullptr, plan);
  EXPECT_EQ(0, plan->level);

  Version x;
  FillL0(&x, 4);                                  // 1.0
  x.files[3] = {File(2, "a", "b", 3000 * kMiB)};  // 3.0
  plan = PickCompaction(x, options, NoPointers());
  ASSERT_NE(nullptr, plan);
  EXPECT_EQ(3, plan->level);
}

TEST(CompactionPickerTest, L0PickStartsWithTheOldestFile) {
  Options options;
  Version v;
  FillL0(&v, 4);  // disjoint: a (oldest) .. d (newest)
  auto plan = PickCompaction(v, options, NoPointers());
  ASSERT_NE(nullptr, plan);
  EXPECT_EQ(std::vector<uint64_t>{100}, Numbers(plan->inputs[0]));
  EXPECT_TRUE(plan->inputs[1].empty());
}

TEST(CompactionPickerTest, L0PickWidensToOverlappingL0FilesAndPullsInL1) {
  Options options;
  Version v;
  v.files[0] = {File(4, "x", "z", 1000, 40), File(3, "e", "h", 1000, 30), File(2, "b", "f", 1000, 20),
                File(1, "a", "c", 1000, 10)};
  v.files[1] = {File(20, "a", "b", 1000), File(21, "g", "i", 1000), File(22, "m", "n", 1000)};
  v.files[2] = {File(30, "c", "d", 1000), File(31, "o", "p", 1000)};
  auto plan = PickCompaction(v, options, NoPointers());
  ASSERT_NE(nullptr, plan);
  EXPECT_EQ(0, plan->level);
  EXPECT_EQ((std::vector<uint64_t>{1, 2, 3}), Numbers(plan->inputs[0]));
  EXPECT_EQ((std::vector<uint64_t>{20, 21}), Numbers(plan->inputs[1]));
  // Range of all inputs is [a, i]: of L2 only [c, d] overlaps it.
  EXPECT_EQ(std::vector<uint64_t>{30}, Numbers(plan->grandparents));
  InternalKey smallest, largest;
  plan->GetRange(&smallest, &largest);
  EXPECT_EQ("a", smallest.user_key().ToString());
  EXPECT_EQ("i", largest.user_key().ToString());
}

TEST(CompactionPickerTest, L1PickWithoutPointerTakesTheFirstFile) {
  Options options;
  Version v;
  v.files[1] = {File(1, "a", "b", 5 * kMiB), File(2, "c", "d", 5 * kMiB), File(3, "e", "f", 5 * kMiB)};
  v.files[2] = {File(10, "a", "a", 1000), File(11, "b", "c", 1000), File(12, "d", "e", 1000)};
  v.files[3] = {File(20, "b", "b", 1000), File(21, "x", "y", 1000)};
  auto plan = PickCompaction(v, options, NoPointers());
  ASSERT_NE(nullptr, plan);
  EXPECT_EQ(1, plan->level);
  EXPECT_EQ(std::vector<uint64_t>{1}, Numbers(plan->inputs[0]));
  EXPECT_EQ((std::vector<uint64_t>{10, 11}), Numbers(plan->inputs[1]));
  // All inputs cover [a, c].
  EXPECT_EQ(std::vector<uint64_t>{20}, Numbers(plan->grandparents));
}

TEST(CompactionPickerTest, CompactPointersMakeLevelsRoundRobin) {
  Options options;
  Version v;
  auto f1 = File(1, "a", "b", 5 * kMiB), f2 = File(2, "c", "d", 5 * kMiB), f3 = File(3, "e", "f", 5 * kMiB);
  v.files[1] = {f1, f2, f3};
  auto pick = [&](const std::string& pointer) {
    auto pointers = NoPointers();
    pointers[1] = pointer;
    auto plan = PickCompaction(v, options, pointers);
    EXPECT_NE(nullptr, plan);
    return plan ? Numbers(plan->inputs[0]) : std::vector<uint64_t>{};
  };
  EXPECT_EQ(std::vector<uint64_t>{2}, pick(f1->largest.Encode().ToString()));
  EXPECT_EQ(std::vector<uint64_t>{3}, pick(f2->largest.Encode().ToString()));
  // Past the last file: wrap around to the first.
  EXPECT_EQ(std::vector<uint64_t>{1}, pick(f3->largest.Encode().ToString()));
  // A pointer between files picks the next one.
  EXPECT_EQ(std::vector<uint64_t>{3}, pick(InternalKey("dd", 1, kTypeValue).Encode().ToString()));
  // A pointer inside a file's range picks that file (its largest is after it).
  EXPECT_EQ(std::vector<uint64_t>{2}, pick(InternalKey("c", 1, kTypeValue).Encode().ToString()));
}

TEST(CompactionPickerTest, PointersOfOtherLevelsAreIgnored) {
  Options options;
  Version v;
  auto f1 = File(1, "a", "b", 5 * kMiB), f2 = File(2, "c", "d", 6 * kMiB);
  v.files[1] = {f1, f2};
  auto pointers = NoPointers();
  pointers[2] = f1->largest.Encode().ToString();
  auto plan = PickCompaction(v, options, pointers);
  ASSERT_NE(nullptr, plan);
  EXPECT_EQ(std::vector<uint64_t>{1}, Numbers(plan->inputs[0]));
  // A short pointer vector is treated as no pointers.
  plan = PickCompaction(v, options, {});
  ASSERT_NE(nullptr, plan);
  EXPECT_EQ(std::vector<uint64_t>{1}, Numbers(plan->inputs[0]));
}

TEST(CompactionPickerTest, SingleFileWithNothingBelowIsATrivialMove) {
  CompactionPlan plan;
  plan.level = 1;
  plan.inputs[0] = {File(1, "a", "b", 1000)};
  plan.grandparents = {File(2, "a", "a", 500)};
  EXPECT_TRUE(plan.IsTrivialMove(500));
  EXPECT_TRUE(plan.IsTrivialMove(1000));
}

TEST(CompactionPickerTest, TooMuchGrandparentOverlapIsNoTrivialMove) {
  CompactionPlan plan;
  plan.level = 1;
  plan.inputs[0] = {File(1, "a", "b", 1000)};
  plan.grandparents = {File(2, "a", "a", 500), File(3, "b", "b", 500)};
  EXPECT_FALSE(plan.IsTrivialMove(999));
  EXPECT_TRUE(plan.IsTrivialMove(1000));
}

TEST(CompactionPickerTest, MergingInputsIsNoTrivialMove) {
  CompactionPlan with_next_level;
  with_next_level.inputs[0] = {File(1, "a", "b", 1000)};
  with_next_level.inputs[1] = {File(2, "a", "a", 1000)};
  EXPECT_FALSE(with_next_level.IsTrivialMove(1ull << 40));

  CompactionPlan two_files;
  two_files.inputs[0] = {File(1, "a", "b", 1000), File(3, "c", "d", 1000)};
  EXPECT_FALSE(two_files.IsTrivialMove(1ull << 40));
}

TEST(CompactionPickerTest, PickedL1FileWithEmptyL2IsATrivialMove) {
  Options options;
  Version v;
  v.files[1] = {File(1, "a", "b", 11 * kMiB)};
  auto plan = PickCompaction(v, options, NoPointers());
  ASSERT_NE(nullptr, plan);
  EXPECT_TRUE(plan->IsTrivialMove(MaxGrandparentOverlap(options)));
}

TEST(CompactionPickerTest, GrandparentOverlapLimitIsTenTargetFiles) {
  Options options;
  EXPECT_EQ(10 * options.target_file_size, MaxGrandparentOverlap(options));
  options.target_file_size = 1000;
  EXPECT_EQ(10000u, MaxGrandparentOverlap(options));
}

TEST(CompactionPickerTest, RangeCompactionOfAnEmptyRangeIsNothing) {
  Options options;
  Version v;
  v.files[1] = {File(1, "a", "b", 1000)};
  Slice begin("m"), end("z");
  EXPECT_EQ(nullptr, PlanRangeCompaction(v, options, 1, &begin, &end));
  EXPECT_EQ(nullptr, PlanRangeCompaction(v, options, 2, nullptr, nullptr));
}

TEST(CompactionPickerTest, RangeCompactionTakesOverlappingFiles) {
  Options options;
  Version v;
  v.files[1] = {File(1, "a", "b", 1000), File(2, "c", "d", 1000), File(3, "e", "f", 1000)};
  v.files[2] = {File(10, "d", "e", 1000), File(11, "x", "y", 1000)};
  Slice begin("bb"), end("dd");
  auto plan = PlanRangeCompaction(v, options, 1, &begin, &end);
  ASSERT_NE(nullptr, plan);
  EXPECT_EQ(1, plan->level);
  EXPECT_EQ(std::vector<uint64_t>{2}, Numbers(plan->inputs[0]));
  EXPECT_EQ(std::vector<uint64_t>{10}, Numbers(plan->inputs[1]));
}

// Below L0 a range compaction takes the range's tables in key order until
// they reach MaxRangeCompactionBytes (ten target files), and says the rest
// is left; from the last one's largest key the next plan takes the rest.
// L0's overlapping tables are taken whole.
TEST(CompactionPickerTest, RangeCompactionBelowL0TakesTenTargetFilesAtATime) {
  Options options;
  options.target_file_size = 1000;
  EXPECT_EQ(10000u, MaxRangeCompactionBytes(options));
  Version v;
  for (int i = 0; i < 25; i++) {  // 25 tables of 600 bytes: "k00" .. "k24"
    char key[8];
    snprintf(key, sizeof(key), "k%02d", i);
    v.files[1].push_back(File(i + 1, key, key, 600));
  }
  auto first = PlanRangeCompaction(v, options, 1, nullptr, nullptr);
  ASSERT_NE(nullptr, first);
  EXPECT_EQ(17u, first->inputs[0].size()) << "17 x 600 bytes first reach 10,000";
  EXPECT_TRUE(first->more_in_range);
  const std::string resume = first->inputs[0].back()->largest.user_key().ToString();
  EXPECT_EQ("k16", resume);
  v.files[1].erase(v.files[1].begin(), v.files[1].begin() + 17);  // as the job's install does
  const Slice from(resume);
  auto rest = PlanRangeCompaction(v, options, 1, &from, nullptr);
  ASSERT_NE(nullptr, rest);
  EXPECT_EQ(8u, rest->inputs[0].size());
  EXPECT_FALSE(rest->more_in_range);

  Version l0;
  for (int i = 0; i < 25; i++) l0.files[0].push_back(File(100 + i, "a", "z", 600, 10 + i));
  auto whole = PlanRangeCompaction(l0, options, 0, nullptr, nullptr);
  ASSERT_NE(nullptr, whole);
  EXPECT_EQ(25u, whole->inputs[0].size());
  EXPECT_FALSE(whole->more_in_range);
}

TEST(CompactionPickerTest, SeekCompactionTakesTheFileWidenedInL0AndItsOverlapBelow) {
  Version v;
  v.files[0] = {File(4, "x", "z", 1000, 40), File(3, "e", "h", 1000, 30), File(2, "b", "f", 1000, 20)};
  v.files[1] = {File(20, "a", "b", 1000), File(21, "g", "i", 1000), File(22, "m", "n", 1000)};
  auto plan = PlanSeekCompaction(v, 0, 3);
  ASSERT_NE(nullptr, plan);
  EXPECT_EQ(CompactionReason::kSeeks, plan->reason);
  EXPECT_EQ(0, plan->level);
  EXPECT_EQ((std::vector<uint64_t>{2, 3}), Numbers(plan->inputs[0]));  // [b, h]
  EXPECT_EQ((std::vector<uint64_t>{20, 21}), Numbers(plan->inputs[1]));

  plan = PlanSeekCompaction(v, 1, 22);  // in L1: the file alone, nothing below
  ASSERT_NE(nullptr, plan);
  EXPECT_EQ(std::vector<uint64_t>{22}, Numbers(plan->inputs[0]));
  EXPECT_TRUE(plan->inputs[1].empty());
}

TEST(CompactionPickerTest, SeekCompactionOfAFileNotThereOrInTheLastLevelIsNothing) {
  Version v;
  v.files[1] = {File(20, "a", "b", 1000)};
  v.files[kNumLevels - 1] = {File(30, "a", "b", 1000)};
  EXPECT_EQ(nullptr, PlanSeekCompaction(v, 1, 21));  // compacted away meanwhile
  EXPECT_EQ(nullptr, PlanSeekCompaction(v, 2, 20));  // moved to another level
  EXPECT_EQ(nullptr, PlanSeekCompaction(v, kNumLevels - 1, 30));
}

TEST(CompactionPickerTest, SeeksAllowedGrowWithTheFileFromAHundredAndStayUsedUpUntilReset) {
  EXPECT_EQ(100u, SeekCounter::AllowedSeeks(0));
  EXPECT_EQ(100u, SeekCounter::AllowedSeeks(100 * 16 * 1024));
  EXPECT_EQ(128u, SeekCounter::AllowedSeeks(2 * kMiB));
  FileMetaData f;
  f.file_size = 2 * kMiB;
  int due = 0;
  for (int i = 0; i < 300; i++) due += f.seeks.Charge(f.file_size) ? 1 : 0;
  EXPECT_EQ(300 - 127, due);  // the 128th and every one after
  FileMetaData copy = f;      // a copy goes on from the count
  EXPECT_TRUE(copy.seeks.Charge(copy.file_size));
  copy.seeks.Reset();
  EXPECT_FALSE(copy.seeks.Charge(copy.file_size));
}

TEST(CompactionPickerTest, CompressionFollowsLevelWithLastEntryRepeated) {
  Options options;
  EXPECT_EQ(Compression::kNone, CompressionForLevel(options, 0));
  EXPECT_EQ(Compression::kNone, CompressionForLevel(options, 1));
  EXPECT_EQ(Compression::kZlib, CompressionForLevel(options, 2));
  EXPECT_EQ(Compression::kZlib, CompressionForLevel(options, 6));
  options.compression_per_level = {Compression::kZlib, Compression::kNone};
  EXPECT_EQ(Compression::kZlib, CompressionForLevel(options, 0));
  EXPECT_EQ(Compression::kNone, CompressionForLevel(options, 5));
  options.compression_per_level.clear();
  EXPECT_EQ(Compression::kNone, CompressionForLevel(options, 3));
}

TEST(CompactionPickerTest, JobListsInputsInMergeOrderWithTheirLevels) {
  Options options;
  Version v;
  v.files[0] = {File(3, "e", "h", 300, 30), File(2, "b", "f", 200, 20), File(1, "a", "c", 100, 10)};
  v.files[1] = {File(20, "a", "b", 2000), File(21, "g", "i", 2100)};
  CompactionPlan plan;
  plan.level = 0;
  plan.inputs[0] = {v.files[0][0], v.files[0][1], v.files[0][2]};
  plan.inputs[1] = v.files[1];
  CompactionJob job = MakeCompactionJob(plan, v, options, "/db", 77);

  EXPECT_EQ(1, job.output_level);
  EXPECT_EQ(77u, job.smallest_snapshot);
  ASSERT_EQ(5u, job.inputs.size());
  const uint64_t numbers[] = {3, 2, 1, 20, 21};
  const uint64_t sizes[] = {300, 200, 100, 2000, 2100};
  const int levels[] = {0, 0, 0, 1, 1};
  for (size_t i = 0; i < 5; i++) {
    EXPECT_EQ(numbers[i], job.inputs[i].file_number);
    EXPECT_EQ(sizes[i], job.inputs[i].size);
    EXPECT_EQ(levels[i], job.inputs[i].level);
    EXPECT_EQ(TableFileName("/db", numbers[i]), job.inputs[i].path);
  }
  EXPECT_EQ("/db", job.output_dir);
}

TEST(CompactionPickerTest, JobDeeperRangesComeFromLevelsBelowOutputOverlappingTheRange) {
  Options options;
  Version v;
  v.files[1] = {File(1, "c", "f", 1000)};
  v.files[2] = {File(10, "a", "d", 1000), File(11, "x", "z", 1000)};  // output level: not "deeper"
  v.files[3] = {File(20, "a", "b", 1000), File(21, "e", "g", 1000), File(22, "h", "k", 1000)};
  v.files[5] = {File(30, "b", "c", 1000), File(31, "m", "n", 1000)};
  Slice begin("c"), end("f");
  auto plan = PlanRangeCompaction(v, options, 1, &begin, &end);
  ASSERT_NE(nullptr, plan);
  // Inputs: L1 [c,f] and L2 [a,d]: range [a, f].
  CompactionJob job = MakeCompactionJob(*plan, v, options, "/db", 5);
  std::vector<std::pair<std::string, std::string>> deeper;
  for (const auto& r : job.deeper_ranges) deeper.emplace_back(r.smallest, r.largest);
  std::sort(deeper.begin(), deeper.end());
  EXPECT_EQ((std::vector<std::pair<std::string, std::string>>{{"a", "b"}, {"b", "c"}, {"e", "g"}}), deeper);

  // Grandparents: L3 files overlapping [a, f], with their sizes.
  ASSERT_EQ(2u, job.grandparent_ranges.size());
  EXPECT_EQ("a", job.grandparent_ranges[0].smallest);
  EXPECT_EQ("b", job.grandparent_ranges[0].largest);
  EXPECT_EQ("e", job.grandparent_ranges[1].smallest);
  EXPECT_EQ("g", job.grandparent_ranges[1].largest);
  EXPECT_EQ((std::vector<uint64_t>{1000, 1000}), job.grandparent_sizes);
  EXPECT_EQ(MaxGrandparentOverlap(options), job.max_grandparent_overlap);
}

TEST(CompactionPickerTest, JobCarriesTableOptionsAndOutputLevelCompression) {
  Options options;
  options.target_file_size = 12345;
  options.block_size = 999;
  options.block_restart_interval = 7;
  options.bloom_bits_per_key = 3;
  options.zlib_level = 6;
  Version v;
  v.files[0] = {File(1, "a", "b", 100)};
  v.files[1] = {File(2, "c", "d", 100)};
  v.files[4] = {File(3, "e", "f", 100)};

  CompactionPlan to_l1;
  to_l1.level = 0;
  to_l1.inputs[0] = v.files[0];
  CompactionJob job = MakeCompactionJob(to_l1, v, options, "/db", 1);
  EXPECT_EQ(12345u, job.target_file_size);
  EXPECT_EQ(999u, job.block_size);
  EXPECT_EQ(7, job.block_restart_interval);
  EXPECT_EQ(3, job.bloom_bits_per_key);
  EXPECT_EQ(6, job.zlib_level);
  EXPECT_EQ(Compression::kNone, job.compression);

  CompactionPlan to_l2;
  to_l2.level = 1;
  to_l2.inputs[0] = v.files[1];
  EXPECT_EQ(Compression::kZlib, MakeCompactionJob(to_l2, v, options, "/db", 1).compression);

  CompactionPlan to_l5;
  to_l5.level = 4;
  to_l5.inputs[0] = v.files[4];
  CompactionJob deep = MakeCompactionJob(to_l5, v, options, "/db", 1);
  EXPECT_EQ(5, deep.output_level);
  EXPECT_EQ(Compression::kZlib, deep.compression);
}

}  // namespace
}  // namespace strata
