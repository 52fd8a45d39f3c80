// MedianRounds (report.h): which round of several stands for a workload.
#include "report.h"

#include <gtest/gtest.h>

#include <vector>

namespace strata {
namespace bench {
namespace {

const Workload kFill{"fill", "", "put", WorkloadDb::kEmpty, nullptr};
const Workload kRead{"read", "", "get", WorkloadDb::kFilledShared, nullptr};

// A result of `ops` operations in one second.
BenchResult Result(const std::string& engine, const Workload& w, uint64_t ops) {
  BenchResult r;
  r.engine = engine;
  r.workload = &w;
  r.m.ops = ops;
  r.m.seconds = 1;
  return r;
}

TEST(MedianRoundsTest, EachResultIsItsMedianRoundWithEveryRoundsRate) {
  const std::vector<std::vector<BenchResult>> rounds = {
      {Result("strata", kFill, 300), Result("leveldb", kFill, 10)},
      {Result("leveldb", kFill, 30), Result("strata", kFill, 100)},
      {Result("strata", kFill, 200), Result("leveldb", kFill, 20)},
  };
  const std::vector<BenchResult> medians = MedianRounds(rounds);
  ASSERT_EQ(2u, medians.size());
  EXPECT_EQ("strata", medians[0].engine);  // in the first round's order
  EXPECT_EQ(200u, medians[0].m.ops);
  EXPECT_EQ((std::vector<double>{300, 100, 200}), medians[0].round_ops);
  EXPECT_EQ("leveldb", medians[1].engine);
  EXPECT_EQ(20u, medians[1].m.ops);
  EXPECT_EQ((std::vector<double>{10, 30, 20}), medians[1].round_ops);
}

TEST(MedianRoundsTest, AnEvenCountTakesTheLowerMiddleRound) {
  const std::vector<BenchResult> medians = MedianRounds({{Result("strata", kRead, 40)},
                                                         {Result("strata", kRead, 10)},
                                                         {Result("strata", kRead, 30)},
                                                         {Result("strata", kRead, 20)}});
  ASSERT_EQ(1u, medians.size());
  EXPECT_EQ(20u, medians[0].m.ops);
}

TEST(MedianRoundsTest, WorkloadsAreKeptApart) {
  const std::vector<BenchResult> medians =
      MedianRounds({{Result("strata", kFill, 5), Result("strata", kRead, 50)},
                    {Result("strata", kFill, 7), Result("strata", kRead, 70)},
                    {Result("strata", kFill, 6), Result("strata", kRead, 60)}});
  ASSERT_EQ(2u, medians.size());
  EXPECT_EQ(&kFill, medians[0].workload);
  EXPECT_EQ(6u, medians[0].m.ops);
  EXPECT_EQ(&kRead, medians[1].workload);
  EXPECT_EQ(60u, medians[1].m.ops);
}

TEST(MedianRoundsTest, AFailedRoundIsReportedInsteadOfAMedian) {
  BenchResult failed = Result("strata", kFill, 0);
  failed.error = "disk full";
  const std::vector<BenchResult> medians =
      MedianRounds({{Result("strata", kFill, 5)}, {failed}, {Result("strata", kFill, 6)}});
  ASSERT_EQ(1u, medians.size());
  EXPECT_EQ("disk full", medians[0].error);
}

TEST(MedianRoundsTest, ModesAreKeptApart) {
  BenchResult zlib = Result("strata", kFill, 9);
  zlib.mode = BenchCompression::kZlib;
  BenchResult zlib2 = zlib;
  zlib2.m.ops = 7;
  const std::vector<BenchResult> medians =
      MedianRounds({{Result("strata", kFill, 1), zlib}, {Result("strata", kFill, 2), zlib2}});
  ASSERT_EQ(2u, medians.size());
  EXPECT_EQ(BenchCompression::kNone, medians[0].mode);
  EXPECT_EQ((std::vector<double>{1, 2}), medians[0].round_ops);
  EXPECT_EQ(BenchCompression::kZlib, medians[1].mode);
  EXPECT_EQ((std::vector<double>{9, 7}), medians[1].round_ops);
}

TEST(MedianRoundsTest, ASkippedEngineStaysSkipped) {
  BenchResult skipped = Result("leveldb", kFill, 0);
  skipped.skipped = "leveldb has no zlib compression";
  const std::vector<BenchResult> medians = MedianRounds({{skipped}, {skipped}, {skipped}});
  ASSERT_EQ(1u, medians.size());
  EXPECT_EQ(skipped.skipped, medians[0].skipped);
  EXPECT_TRUE(medians[0].round_ops.empty());
}

TEST(MedianRoundsTest, OneRoundIsReportedAsItIs) {
  const std::vector<BenchResult> medians = MedianRounds({{Result("strata", kFill, 5)}});
  ASSERT_EQ(1u, medians.size());
  EXPECT_EQ(5u, medians[0].m.ops);
  EXPECT_TRUE(medians[0].round_ops.empty());
}

}  // namespace
}  // namespace bench
}  // namespace strata
