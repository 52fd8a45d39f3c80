// CRC-32C and its masking (engine/src/util/crc.h).
#include "util/crc.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

namespace strata::crc {
namespace {

// CRC-32C one bit at a time, straight from the definition.
uint32_t Reference(const std::string& data) {
  uint32_t c = 0xffffffffu;
  for (unsigned char b : data) {
    c ^= b;
    for (int i = 0; i < 8; i++) c = (c >> 1) ^ ((c & 1) ? 0x82f63b78u : 0);
  }
  return ~c;
}

uint32_t Crc(const std::string& s) {
  return Value(s.data(), s.size());
}

TEST(CrcTest, StandardCheckValue) {
  EXPECT_EQ(0xE3069283u, Value("123456789", 9));
}

TEST(CrcTest, KnownValues) {
  // From RFC 3720 (iSCSI), B.4.
  EXPECT_EQ(0x8A9136AAu, Crc(std::string(32, '\0')));
  EXPECT_EQ(0x62A8AB43u, Crc(std::string(32, '\xff')));
  std::string ascending, descending;
  for (int i = 0; i < 32; i++) {
    ascending.push_back(static_cast<char>(i));
    descending.push_back(static_cast<char>(31 - i));
  }
  EXPECT_EQ(0x46DD794Eu, Crc(ascending));
  EXPECT_EQ(0x113FDB5Cu, Crc(descending));
}

TEST(CrcTest, EmptyInputHasZeroCrc) {
  EXPECT_EQ(0u, Value("", 0));
}

TEST(CrcTest, MatchesBitwiseDefinitionAtEveryLengthAndAlignment) {
  std::string buf;
  for (int i = 0; i < 1100; i++) buf.push_back(static_cast<char>((i * 7 + 3) % 256));
  EXPECT_EQ(0xDD2EDFF7u, Crc(buf.substr(0, 1000)));
  for (size_t offset = 0; offset < 9; offset++) {
    for (size_t len = 0; len < 70; len++) {
      std::string piece = buf.substr(offset, len);
      // Value reads the bytes in place, at their (possibly odd) address.
      ASSERT_EQ(Reference(piece), Value(buf.data() + offset, len)) << offset << "+" << len;
    }
  }
}

TEST(CrcTest, DifferentInputsHaveDifferentCrcs) {
  EXPECT_NE(Value("a", 1), Value("foo", 3));
  EXPECT_NE(Value("ab", 2), Value("ba", 2));
}

TEST(CrcTest, ExtendEqualsCrcOfWhole) {
  std::string data;
  for (int i = 0; i < 100; i++) data.push_back(static_cast<char>(i * 13));
  const uint32_t whole = Crc(data);
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
