// Bloom filter: never a false negative, false positives near the rate the
// bits per key promise, and a hash that never changes (it is persisted).
#include "table/bloom.h"

#include <gtest/gtest.h>

#include <string>

#include "util/coding.h"

namespace strata {
namespace {

std::string Key(int i) {
  std::string k;
  PutFixed32(&k, static_cast<uint32_t>(i));
  return k;
}

double FalsePositiveRate(const std::string& filter, int first_absent, int probes) {
  int hits = 0;
  for (int i = 0; i < probes; i++) hits += BloomFilterMayMatch(filter, Key(first_absent + i)) ? 1 : 0;
  return static_cast<double>(hits) / probes;
}

TEST(Bloom, HashMatchesTheFormatsReferenceValues) {
  // LevelDB's Hash with seed 0xbc9f1d34, which table files depend on.
  const uint8_t d1[] = {0x62};
  const uint8_t d2[] = {0xc3, 0x97};
  const uint8_t d3[] = {0xe2, 0x99, 0xa5};
  const uint8_t d4[] = {0xe1, 0x80, 0xb9, 0x32};
  auto s = [](const uint8_t* d, size_t n) { return Slice(reinterpret_cast<const char*>(d), n); };
  EXPECT_EQ(BloomHash(Slice()), 0xbc9f1d34u);
  EXPECT_EQ(BloomHash(s(d1, 1)), 0xef1345c4u);
  EXPECT_EQ(BloomHash(s(d2, 2)), 0x5b663814u);
  EXPECT_EQ(BloomHash(s(d3, 3)), 0x323c078fu);
  EXPECT_EQ(BloomHash(s(d4, 4)), 0xed21633au);
}

TEST(Bloom, EmptyFilterMatchesNothing) {
  BloomFilterBuilder builder(10);
  const std::string filter = builder.Finish();
  EXPECT_FALSE(BloomFilterMayMatch(filter, "hello"));
  EXPECT_FALSE(BloomFilterMayMatch(filter, ""));
}

TEST(Bloom, MalformedOrReservedFiltersMatchEverything) {
  EXPECT_TRUE(BloomFilterMayMatch("", "x"));
  EXPECT_TRUE(BloomFilterMayMatch(std::string(1, '\x06'), "x"));
  std::string reserved(16, '\0');
  reserved.push_back(31);  // k above 30: another kind of filter
  EXPECT_TRUE(BloomFilterMayMatch(reserved, "x"));
}

TEST(Bloom, NoFalseNegativesAndFewFalsePositivesAtTenBitsPerKey) {
  BloomFilterBuilder builder(10);
  const int n = 10000;
  for (int i = 0; i < n; i++) builder.AddKey(Key(i));
  const std::string filter = builder.Finish();
  EXPECT_LE(filter.size(), static_cast<size_t>(n * 10 / 8 + 2));
  for (int i = 0; i < n; i++) ASSERT_TRUE(BloomFilterMayMatch(filter, Key(i))) << i;
  const double rate = FalsePositiveRate(filter, 1000000000, 100000);
  EXPECT_LT(rate, 0.02);  // theory: ~0.8%
  EXPECT_GT(rate, 0.0);   // a filter this size cannot be perfect
}

TEST(Bloom, FalsePositiveRateStaysLowForEveryTableSize) {
  for (int n = 1; n <= 100000; n = n < 10 ? n + 1 : n * 4) {
    BloomFilterBuilder builder(10);
    for (int i = 0; i < n; i++) builder.AddKey(Key(i));
    const std::string filter = builder.Finish();
    for (int i = 0; i < n; i++) ASSERT_TRUE(BloomFilterMayMatch(filter, Key(i))) << n << " " << i;
    EXPECT_LT(FalsePositiveRate(filter, 1000000000, 10000), 0.02) << n << " keys";
  }
}

TEST(Bloom, MoreBitsPerKeyMeansFewerFalsePositives) {
  double previous = 1.0;
  for (int bits : {2, 5, 10, 20}) {
    BloomFilterBuilder builder(bits);
    for (int i = 0; i < 20000; i++) builder.AddKey(Key(i));
    const double rate = FalsePositiveRate(builder.Finish(), 1000000000, 50000);
    EXPECT_LT(rate, previous) << bits << " bits per key";
    previous = rate;
  }
  EXPECT_LT(previous, 0.001);  // 20 bits: ~0.01% in theory
}

TEST(Bloom, ConsecutiveDuplicateKeysAreCountedOnce) {
  BloomFilterBuilder builder(10);
  for (int version = 0; version < 5; version++) builder.AddKey("same user key");
  builder.AddKey("other");
  EXPECT_EQ(builder.NumKeys(), 2u);
  const std::string filter = builder.Finish();
  EXPECT_TRUE(BloomFilterMayMatch(filter, "same user key"));
  EXPECT_TRUE(BloomFilterMayMatch(filter, "other"));
}

TEST(Bloom, FinishStartsANewFilter) {
  BloomFilterBuilder builder(10);
  builder.AddKey("first");
  builder.Finish();
  EXPECT_EQ(builder.NumKeys(), 0u);
  builder.AddKey("second");
  const std::string filter = builder.Finish();
  EXPECT_TRUE(BloomFilterMayMatch(filter, "second"));
}

}  // namespace
}  // namespace strata
