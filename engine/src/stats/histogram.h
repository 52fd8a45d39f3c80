// Histogram: a latency recorder over the fixed buckets of
// HistogramData::BucketBounds(), for the engine's hot paths.
//
// Record() is lock-free and may be called from any number of threads at
// once; it costs a binary search over the bounds and a few relaxed atomic
// operations. Snapshot() may run concurrently with Record(): every bucket it
// returns is a value the counter really had, count always equals the sum of
// the buckets, and sum/min/max may lag or lead the buckets by the recordings
// in flight. Clear() is not atomic as a whole: recordings racing with it may
// be partly kept.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>

#include "strata/stats.h"

namespace strata {

// The bucket upper bounds in microseconds, inclusive, ascending: 1, 2, 3, 5,
// 7 times each power of ten from 1 us up to 7 s, then 10 s. Each bucket is
// 1.4x to 2x wider than the one before, so an interpolated percentile is off
// by at most that factor. These are also the Prometheus `le` labels (divided
// by 1e6): never change them lightly, dashboards compare across versions.
inline constexpr double kHistogramBucketBounds[] = {
    1,   2,   3,   5,   7,    // 1 us
    10,  20,  30,  50,  70,   // 10 us
    100, 200, 300, 500, 700,  // 100 us
    1e3, 2e3, 3e3, 5e3, 7e3,  // 1 ms
    1e4, 2e4, 3e4, 5e4, 7e4,  // 10 ms
    1e5, 2e5, 3e5, 5e5, 7e5,  // 100 ms
    1e6, 2e6, 3e6, 5e6, 7e6,  // 1 s
    1e7,                      // 10 s
};
inline constexpr size_t kHistogramNumBounds = sizeof(kHistogramBucketBounds) / sizeof(double);
// One bucket per bound plus the overflow bucket (> the last bound).
inline constexpr size_t kHistogramNumBuckets = kHistogramNumBounds + 1;

// Index of the bucket that holds a value of `micros`: the first bound >= it,
// or kHistogramNumBounds for values past the last bound.
size_t HistogramBucketIndex(double micros);

class Histogram {
 public:
  Histogram();
  Histogram(const Histogram&) = delete;
  Histogram& operator=(const Histogram&) = delete;

  // Records one observation, standing for `weight` alike (a sample of one
  // in `weight`). Negative values and NaN are recorded as 0.
  void Record(double micros, uint64_t weight = 1);

  // A copy of the distribution so far (see the file comment for its
  // consistency under concurrent recording).
  HistogramData Snapshot() const;

  // Forgets every observation.
  void Clear();

 private:
  std::array<std::atomic<uint64_t>, kHistogramNumBuckets> buckets_;
  std::atomic<double> sum_;
  std::atomic<double> min_;  // +infinity while empty
  std::atomic<double> max_;  // -infinity while empty
};

}  // namespace strata
