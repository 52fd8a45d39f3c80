#include "stats/histogram.h"

#include <algorithm>
#include <limits>

namespace strata {

namespace {

#ifndef __EMSCRIPTEN__  // single-threaded in the browser: no one to lock out
static_assert(std::atomic<double>::is_always_lock_free && std::atomic<uint64_t>::is_always_lock_free,
              "Histogram::Record must be lock-free");
#endif

constexpr double kInfinity = std::numeric_limits<double>::infinity();

// Adds delta to an atomic double. std::atomic<double>::fetch_add is C++20.
void AtomicAdd(std::atomic<double>* target, double delta) {
  double current = target->load(std::memory_order_relaxed);
  while (!target->compare_exchange_weak(current, current + delta, std::memory_order_relaxed)) {
  }
}

// Lowers target to value if value is smaller; a no-op store is never done,
// so the common case (no new minimum) is one load.
void AtomicMin(std::atomic<double>* target, double value) {
  double current = target->load(std::memory_order_relaxed);
  while (value < current && !target->compare_exchange_weak(current, value, std::memory_order_relaxed)) {
  }
}

void AtomicMax(std::atomic<double>* target, double value) {
  double current = target->load(std::memory_order_relaxed);
  while (value > current && !target->compare_exchange_weak(current, value, std::memory_order_relaxed)) {
  }
}

}  // namespace

const std::vector<double>& HistogramData::BucketBounds() {
  static const std::vector<double> bounds(std::begin(kHistogramBucketBounds),
                                          std::end(kHistogramBucketBounds));
  return bounds;
}

double HistogramData::Percentile(double p) const {
  // The buckets define the distribution; count may be stale in a
  // hand-built value, so it is not trusted here.
  uint64_t total = 0;
  for (uint64_t b : buckets) total += b;
  if (total == 0) return 0;

  p = std::clamp(p, 0.0, 100.0);
  const double rank = p / 100.0 * static_cast<double>(total);
  const std::vector<double>& bounds = BucketBounds();

  double below = 0;  // observations in the buckets before bucket i
  for (size_t i = 0; i < buckets.size(); i++) {
    const double in_bucket = static_cast<double>(buckets[i]);
    if (in_bucket == 0) continue;
    if (below + in_bucket >= rank) {
      // The bucket spans (bounds[i-1], bounds[i]]; narrow it to what was
      // actually observed, then place rank linearly inside.
      double lower = i == 0 ? 0.0 : bounds[i - 1];
      double upper = i < bounds.size() ? bounds[i] : max;
      lower = std::max(lower, min);
      upper = std::min(upper, max);
      if (upper < lower) upper = lower;  // racy or hand-built min/max
      const double fraction = (rank - below) / in_bucket;
      return std::clamp(lower + (upper - lower) * fraction, min, std::max(min, max));
    }
    below += in_bucket;
  }
  return max;  // unreachable: the last non-empty bucket reaches total
}

size_t HistogramBucketIndex(double micros) {
  const double* end = std::end(kHistogramBucketBounds);
  return static_cast<size_t>(std::lower_bound(std::begin(kHistogramBucketBounds), end, micros) -
                             std::begin(kHistogramBucketBounds));
}

Histogram::Histogram() {
  Clear();
}

void Histogram::Record(double micros, uint64_t weight) {
  if (!(micros >= 0)) micros = 0;  // negative or NaN
  buckets_[HistogramBucketIndex(micros)].fetch_add(weight, std::memory_order_relaxed);
  AtomicAdd(&sum_, micros * static_cast<double>(weight));
  AtomicMin(&min_, micros);
  AtomicMax(&max_, micros);
}

HistogramData Histogram::Snapshot() const {
  HistogramData data;
  data.buckets.resize(kHistogramNumBuckets);
  for (size_t i = 0; i < kHistogramNumBuckets; i++) {
    data.buckets[i] = buckets_[i].load(std::memory_order_relaxed);
    data.count += data.buckets[i];
  }
  if (data.count == 0) return data;
  data.sum = sum_.load(std::memory_order_relaxed);
  data.min = min_.load(std::memory_order_relaxed);
  data.max = max_.load(std::memory_order_relaxed);
  // A recording in flight may have counted its bucket but not yet its
  // min/max; keep the value self-consistent.
  if (data.min == kInfinity) data.min = data.max == -kInfinity ? 0 : data.max;
  if (data.max == -kInfinity) data.max = data.min;
  return data;
}

void Histogram::Clear() {
  for (auto& bucket : buckets_) bucket.store(0, std::memory_order_relaxed);
  sum_.store(0, std::memory_order_relaxed);
  min_.store(kInfinity, std::memory_order_relaxed);
  max_.store(-kInfinity, std::memory_order_relaxed);
}

}  // namespace strata
