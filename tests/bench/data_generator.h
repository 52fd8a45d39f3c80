// Keys and values for the benchmark, generated the same way for every engine.
#pragma once

#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <string_view>

namespace strata {
namespace bench {

constexpr size_t kKeySize = 16;

// Key i of a database of n keys is the 16-digit decimal of 2*i: keys sort by
// index, and the odd numbers in between (MissingKey) are absent keys that
// fall inside the key range of the tables, so that only bloom filters, not
// key ranges, can answer a lookup of them.
class KeyFormatter {
 public:
  // Returns the key of index i; valid until the next call.
  std::string_view Key(uint64_t i) { return Format(2 * i); }
  std::string_view MissingKey(uint64_t i) { return Format(2 * i + 1); }

 private:
  std::string_view Format(uint64_t n);
  char buf_[kKeySize + 1];
};

// Values like LevelDB's db_bench RandomGenerator: a ~1 MiB pool of
// 100-byte pieces, each 50 random printable bytes written twice, so the
// values compress to about half; each value is the next window of the pool.
class ValueGenerator {
 public:
  ValueGenerator(uint64_t seed, size_t value_size);
  // The next value; valid while this generator lives.
  std::string_view Next();

 private:
  std::string data_;
  size_t value_size_;
  size_t pos_ = 0;
};

// The benchmark's source of randomness: std::mt19937_64 (portable, seeded).
class BenchRandom {
 public:
  explicit BenchRandom(uint64_t seed) : rng_(seed) {}
  uint64_t Uniform(uint64_t n) { return rng_() % n; }  // REQUIRES: n > 0
  std::mt19937_64& engine() { return rng_; }

 private:
  std::mt19937_64 rng_;
};

}  // namespace bench
}  // namespace strata
