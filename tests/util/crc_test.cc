// CRC-32 and its masking (engine/src/util/crc.h).
#include "util/crc.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

namespace strata::crc {
namespace {

TEST(CrcTest, StandardCheckValue) { EXPECT_EQ(0xCBF43926u, Value("123456789", 9)); }

TEST(CrcTest, KnownValues) {
  std::string zeros(32, '\0');
  EXPECT_EQ(0x190A55ADu, Value(zeros.data(), zeros.size()));
  std::string ones(32, '\xff');
  EXPECT_EQ(0xFF6CAB0Bu, Value(ones.data(), ones.size()));
  std::string ascending;
  for (int i = 0; i < 32; i++) ascending.push_back(static_cast<char>(i));
  EXPECT_EQ(0x91267E8Au, Value(ascending.data(), ascending.size()));
}

TEST(CrcTest, EmptyInputHasZeroCrc) { EXPECT_EQ(0u, Value("", 0)); }

TEST(CrcTest, DifferentInputsHaveDifferentCrcs) {
  EXPECT_NE(Value("a", 1), Value("foo", 3));
  EXPECT_NE(Value("ab", 2), Value("ba", 2));
}

TEST(CrcTest, ExtendEqualsCrcOfWhole) {
  const std::string data = "hello world, this is a checksum test of some length";
  const uint32_t whole = Value(data.data(), data.size());
  for (size_t split = 0; split <= data.size(); split++) {
    uint32_t first = Value(data.data(), split);
    EXPECT_EQ(whole, Extend(first, data.data() + split, data.size() - split)) << split;
  }
}

TEST(CrcTest, ExtendByNothingChangesNothing) {
  uint32_t c = Value("abc", 3);
  EXPECT_EQ(c, Extend(c, "", 0));
}

TEST(CrcTest, MaskChangesTheValue) {
  const uint32_t c = Value("foo", 3);
  EXPECT_NE(c, Mask(c));
  EXPECT_NE(c, Mask(Mask(c)));
}

TEST(CrcTest, UnmaskInvertsMask) {
  std::vector<uint32_t> values = {0, 1, 0x7fffffffu, 0x80000000u, 0xffffffffu, kMaskDelta, Value("foo", 3)};
  for (uint32_t v : values) {
    EXPECT_EQ(v, Unmask(Mask(v))) << v;
    EXPECT_EQ(v, Unmask(Unmask(Mask(Mask(v))))) << v;
  }
}

}  // namespace
}  // namespace strata::crc
