#include "stats/histogram.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <limits>
#include <thread>
#include <vector>

namespace strata {
namespace {

TEST(HistogramTest, BoundsAscendFrom1MicrosecondTo10Seconds) {
  const std::vector<double>& bounds = HistogramData::BucketBounds();
  ASSERT_EQ(bounds.size(), kHistogramNumBounds);
  EXPECT_EQ(bounds.front(), 1);
  EXPECT_EQ(bounds.back(), 1e7);
  for (size_t i = 1; i < bounds.size(); i++) {
    EXPECT_LT(bounds[i - 1], bounds[i]);
    EXPECT_LE(bounds[i] / bounds[i - 1], 2.0) << "bucket " << i << " too wide for useful percentiles";
  }
}

TEST(HistogramTest, ValueOnABoundGoesIntoThatBoundsBucket) {
  const std::vector<double>& bounds = HistogramData::BucketBounds();
  for (size_t i = 0; i < bounds.size(); i++) {
    EXPECT_EQ(HistogramBucketIndex(bounds[i]), i) << bounds[i];
    EXPECT_EQ(HistogramBucketIndex(std::nextafter(bounds[i], 1e300)), i + 1) << bounds[i];
  }
  EXPECT_EQ(HistogramBucketIndex(0), 0u);
  EXPECT_EQ(HistogramBucketIndex(1e12), kHistogramNumBounds);
  EXPECT_EQ(HistogramBucketIndex(std::numeric_limits<double>::infinity()), kHistogramNumBounds);
}

TEST(HistogramTest, RecordFillsBucketsCountSumMinMax) {
  Histogram h;
  for (double v : {1.0, 1.5, 2.0, 2.5, 20000000.0}) h.Record(v);
  HistogramData d = h.Snapshot();
  ASSERT_EQ(d.buckets.size(), kHistogramNumBuckets);
  EXPECT_EQ(d.buckets[0], 1u);                    // 1
  EXPECT_EQ(d.buckets[1], 2u);                    // 1.5, 2
  EXPECT_EQ(d.buckets[2], 1u);                    // 2.5
  EXPECT_EQ(d.buckets[kHistogramNumBounds], 1u);  // past 10 s
  EXPECT_EQ(d.count, 5u);
  EXPECT_DOUBLE_EQ(d.sum, 20000007.0);
  EXPECT_EQ(d.min, 1.0);
  EXPECT_EQ(d.max, 20000000.0);
  EXPECT_DOUBLE_EQ(d.Average(), 20000007.0 / 5);
}

TEST(HistogramTest, AWeightedRecordCountsAsThatManyAlike) {
  Histogram h;
  h.Record(1.5, 8);
  h.Record(3.0);
  HistogramData d = h.Snapshot();
  EXPECT_EQ(d.buckets[1], 8u);
  EXPECT_EQ(d.count, 9u);
  EXPECT_DOUBLE_EQ(d.sum, 15.0);
  EXPECT_EQ(d.min, 1.5);
  EXPECT_EQ(d.max, 3.0);
}

TEST(HistogramTest, NegativeAndNaNAreRecordedAsZero) {
  Histogram h;
  h.Record(-5);
  h.Record(std::nan(""));
  HistogramData d = h.Snapshot();
  EXPECT_EQ(d.buckets[0], 2u);
  EXPECT_EQ(d.sum, 0);
  EXPECT_EQ(d.min, 0);
  EXPECT_EQ(d.max, 0);
}

TEST(HistogramTest, EmptyHistogramReportsZeros) {
  Histogram h;
  HistogramData d = h.Snapshot();
  EXPECT_EQ(d.buckets.size(), kHistogramNumBuckets);
  EXPECT_EQ(d.count, 0u);
  EXPECT_EQ(d.sum, 0);
  EXPECT_EQ(d.min, 0);
  EXPECT_EQ(d.max, 0);
  EXPECT_EQ(d.Average(), 0);
  for (double p : {0.0, 50.0, 99.0, 100.0}) EXPECT_EQ(d.Percentile(p), 0) << p;
  EXPECT_EQ(HistogramData().Percentile(50), 0);  // no buckets at all
}

TEST(HistogramTest, ClearForgetsEverything) {
  Histogram h;
  h.Record(10);
  h.Record(1e8);
  h.Clear();
  HistogramData d = h.Snapshot();
  EXPECT_EQ(d.count, 0u);
  EXPECT_EQ(d.sum, 0);
  h.Record(3);
  d = h.Snapshot();
  EXPECT_EQ(d.count, 1u);
  EXPECT_EQ(d.min, 3);
  EXPECT_EQ(d.max, 3);
}

TEST(HistogramTest, PercentilesOfUniformDistributionAreExactAtBucketEdges) {
  Histogram h;
  for (int v = 1; v <= 10000; v++) h.Record(v);
  HistogramData d = h.Snapshot();
  EXPECT_DOUBLE_EQ(d.Percentile(0), 1);
  EXPECT_DOUBLE_EQ(d.Percentile(50), 5000);
  EXPECT_DOUBLE_EQ(d.Percentile(90), 9000);
  EXPECT_DOUBLE_EQ(d.Percentile(99), 9900);
  EXPECT_DOUBLE_EQ(d.Percentile(100), 10000);
  // Between bucket edges the estimate stays within a few percent.
  for (double p = 1; p < 100; p += 1) {
    EXPECT_NEAR(d.Percentile(p), p * 100, p * 100 * 0.05) << p;
  }
}

TEST(HistogramTest, PercentilesInOneBucketInterpolateBetweenMinAndMax) {
  Histogram h;
  for (double v : {55.0, 60.0, 65.0, 62.0}) h.Record(v);  // all in (50, 70]
  HistogramData d = h.Snapshot();
  EXPECT_DOUBLE_EQ(d.Percentile(0), 55);
  EXPECT_DOUBLE_EQ(d.Percentile(50), 60);
  EXPECT_DOUBLE_EQ(d.Percentile(100), 65);
}

TEST(HistogramTest, SingleValueIsEveryPercentile) {
  Histogram h;
  h.Record(42);
  HistogramData d = h.Snapshot();
  for (double p : {0.0, 1.0, 50.0, 99.9, 100.0}) EXPECT_DOUBLE_EQ(d.Percentile(p), 42) << p;
}

TEST(HistogramTest, PercentilesInOverflowBucketStayWithinObservedRange) {
  Histogram h;
  h.Record(2e7);
  h.Record(4e7);
  HistogramData d = h.Snapshot();
  EXPECT_DOUBLE_EQ(d.Percentile(0), 2e7);
  EXPECT_DOUBLE_EQ(d.Percentile(50), 3e7);
  EXPECT_DOUBLE_EQ(d.Percentile(100), 4e7);
}

TEST(HistogramTest, PercentileIsMonotonicAndClampsP) {
  Histogram h;
  for (int i = 0; i < 1000; i++) h.Record((i * 7919) % 100000 / 10.0);
  HistogramData d = h.Snapshot();
  double previous = d.Percentile(0);
  for (double p = 0.5; p <= 100; p += 0.5) {
    const double v = d.Percentile(p);
    EXPECT_GE(v, previous) << p;
    previous = v;
  }
  EXPECT_EQ(d.Percentile(-10), d.Percentile(0));
  EXPECT_EQ(d.Percentile(250), d.Percentile(100));
  EXPECT_EQ(d.Percentile(100), d.max);
}

TEST(HistogramTest, ConcurrentRecordingCountsEveryObservation) {
  constexpr int kThreads = 4;
  constexpr int kPerThread = 100000;
  Histogram h;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; t++) {
    threads.emplace_back([&h, t] {
      // Thread t records 1 + (i % 100) + t: integers, so sums are exact.
      for (int i = 0; i < kPerThread; i++) h.Record(1 + i % 100 + t);
    });
  }
  for (auto& t : threads) t.join();

  HistogramData d = h.Snapshot();
  EXPECT_EQ(d.count, uint64_t{kThreads} * kPerThread);
  double expected_sum = 0;
  std::vector<uint64_t> expected(kHistogramNumBuckets, 0);
  for (int t = 0; t < kThreads; t++) {
    for (int i = 0; i < kPerThread; i++) {
      expected_sum += 1 + i % 100 + t;
      expected[HistogramBucketIndex(1 + i % 100 + t)]++;
    }
  }
  EXPECT_EQ(d.sum, expected_sum);
  EXPECT_EQ(d.buckets, expected);
  EXPECT_EQ(d.min, 1);
  EXPECT_EQ(d.max, 100 + kThreads - 1);
}

TEST(HistogramTest, SnapshotWhileRecordingIsSelfConsistent) {
  Histogram h;
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    for (int i = 0; !stop.load(); i++) h.Record(i % 5000);
  });
  for (int i = 0; i < 200; i++) {
    HistogramData d = h.Snapshot();
    uint64_t total = 0;
    for (uint64_t b : d.buckets) total += b;
    EXPECT_EQ(total, d.count);
    EXPECT_LE(d.min, d.max);
    const double p99 = d.Percentile(99);
    EXPECT_GE(p99, d.min);
    EXPECT_LE(p99, d.max);
  }
  stop = true;
  writer.join();
}

}  // namespace
}  // namespace strata
