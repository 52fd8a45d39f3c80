// Fixed-width and varint encodings (engine/src/util/coding.h).
#include "util/coding.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace strata {
namespace {

std::vector<uint32_t> Boundaries32() {
  std::vector<uint32_t> values = {0, 1, std::numeric_limits<uint32_t>::max()};
  for (int shift = 1; shift < 32; shift++) {
    uint32_t p = uint32_t{1} << shift;
    values.push_back(p - 1);
    values.push_back(p);
    values.push_back(p + 1);
  }
  return values;
}

std::vector<uint64_t> Boundaries64() {
  std::vector<uint64_t> values = {0, 1, std::numeric_limits<uint64_t>::max()};
  for (int shift = 1; shift < 64; shift++) {
    uint64_t p = uint64_t{1} << shift;
    values.push_back(p - 1);
    values.push_back(p);
    values.push_back(p + 1);
  }
  return values;
}

TEST(CodingTest, Fixed32IsLittleEndian) {
  std::string s;
  PutFixed32(&s, 0x04030201u);
  EXPECT_EQ(std::string("\x01\x02\x03\x04", 4), s);
}

TEST(CodingTest, Fixed64IsLittleEndian) {
  std::string s;
  PutFixed64(&s, 0x0807060504030201ull);
  EXPECT_EQ(std::string("\x01\x02\x03\x04\x05\x06\x07\x08", 8), s);
}

TEST(CodingTest, Fixed32RoundTripsAtBoundaries) {
  std::string s;
  const auto values = Boundaries32();
  for (uint32_t v : values) PutFixed32(&s, v);
  ASSERT_EQ(values.size() * 4, s.size());
  Slice input(s);
  for (uint32_t v : values) {
    uint32_t actual = 0;
    ASSERT_TRUE(GetFixed32(&input, &actual));
    EXPECT_EQ(v, actual);
  }
  EXPECT_TRUE(input.empty());
}

TEST(CodingTest, Fixed64RoundTripsAtBoundaries) {
  std::string s;
  const auto values = Boundaries64();
  for (uint64_t v : values) PutFixed64(&s, v);
  ASSERT_EQ(values.size() * 8, s.size());
  Slice input(s);
  for (uint64_t v : values) {
    uint64_t actual = 0;
    ASSERT_TRUE(GetFixed64(&input, &actual));
    EXPECT_EQ(v, actual);
  }
  EXPECT_TRUE(input.empty());
}

TEST(CodingTest, ShortInputIsRejectedByGetFixed) {
  std::string s = "abc";
  Slice in32(s);
  uint32_t v32;
  EXPECT_FALSE(GetFixed32(&in32, &v32));
  std::string s7 = "abcdefg";
  Slice in64(s7);
  uint64_t v64;
  EXPECT_FALSE(GetFixed64(&in64, &v64));
}

TEST(CodingTest, Varint32RoundTripsAtBoundaries) {
  std::string s;
  const auto values = Boundaries32();
  for (uint32_t v : values) {
    size_t before = s.size();
    PutVarint32(&s, v);
    EXPECT_EQ(VarintLength(v), static_cast<int>(s.size() - before)) << v;
  }
  Slice input(s);
  for (uint32_t v : values) {
    uint32_t actual = 0;
    ASSERT_TRUE(GetVarint32(&input, &actual)) << v;
    EXPECT_EQ(v, actual);
  }
  EXPECT_TRUE(input.empty());
}

TEST(CodingTest, Varint64RoundTripsAtBoundaries) {
  std::string s;
  const auto values = Boundaries64();
  for (uint64_t v : values) {
    size_t before = s.size();
    PutVarint64(&s, v);
    EXPECT_EQ(VarintLength(v), static_cast<int>(s.size() - before)) << v;
  }
  Slice input(s);
  for (uint64_t v : values) {
    uint64_t actual = 0;
    ASSERT_TRUE(GetVarint64(&input, &actual)) << v;
    EXPECT_EQ(v, actual);
  }
  EXPECT_TRUE(input.empty());
}

TEST(CodingTest, VarintLengthGrowsEverySevenBits) {
  EXPECT_EQ(1, VarintLength(0));
  EXPECT_EQ(1, VarintLength(127));
  EXPECT_EQ(2, VarintLength(128));
  EXPECT_EQ(2, VarintLength(16383));
  EXPECT_EQ(3, VarintLength(16384));
  EXPECT_EQ(5, VarintLength(std::numeric_limits<uint32_t>::max()));
  EXPECT_EQ(10, VarintLength(std::numeric_limits<uint64_t>::max()));
}

TEST(CodingTest, VarintEncodingIsLittleEndianBase128) {
  std::string s;
  PutVarint32(&s, 300);
  EXPECT_EQ(std::string("\xac\x02", 2), s);
}

TEST(CodingTest, EncodeVarintReturnsEndOfWrittenBytes) {
  char buf[10];
  EXPECT_EQ(buf + 5, EncodeVarint32(buf, std::numeric_limits<uint32_t>::max()));
  EXPECT_EQ(buf + 10, EncodeVarint64(buf, std::numeric_limits<uint64_t>::max()));
  EXPECT_EQ(buf + 1, EncodeVarint64(buf, 0));
}

TEST(CodingTest, TruncatedVarint32IsRejected) {
  for (uint32_t v : Boundaries32()) {
    std::string s;
    PutVarint32(&s, v);
    for (size_t len = 0; len < s.size(); len++) {
      Slice input(s.data(), len);
      uint32_t actual;
      EXPECT_FALSE(GetVarint32(&input, &actual)) << v << " cut to " << len;
      EXPECT_EQ(nullptr, GetVarint32Ptr(s.data(), s.data() + len, &actual));
    }
  }
}

TEST(CodingTest, TruncatedVarint64IsRejected) {
  for (uint64_t v : Boundaries64()) {
    std::string s;
    PutVarint64(&s, v);
    for (size_t len = 0; len < s.size(); len++) {
      Slice input(s.data(), len);
      uint64_t actual;
      EXPECT_FALSE(GetVarint64(&input, &actual)) << v << " cut to " << len;
      EXPECT_EQ(nullptr, GetVarint64Ptr(s.data(), s.data() + len, &actual));
    }
  }
}

TEST(CodingTest, DecoderNeverReadsPastLimit) {
  // The byte at the limit would end the varint; the decoder must not use it.
  const char buf[] = {'\x81', '\x01'};
  uint32_t v32;
  uint64_t v64;
  EXPECT_EQ(nullptr, GetVarint32Ptr(buf, buf + 1, &v32));
  EXPECT_EQ(nullptr, GetVarint64Ptr(buf, buf + 1, &v64));
  EXPECT_EQ(buf + 2, GetVarint32Ptr(buf, buf + 2, &v32));
  EXPECT_EQ(129u, v32);
}

TEST(CodingTest, Varint32LongerThanFiveBytesIsRejected) {
  std::string s("\x80\x80\x80\x80\x80\x00", 6);
  Slice input(s);
  uint32_t v;
  EXPECT_FALSE(GetVarint32(&input, &v));
}

TEST(CodingTest, Varint32OverflowingThirtyTwoBitsIsRejected) {
  std::string s;
  PutVarint64(&s, uint64_t{1} << 32);  // five bytes, fifth > 15
  ASSERT_EQ(5u, s.size());
  Slice input(s);
  uint32_t v;
  EXPECT_FALSE(GetVarint32(&input, &v));
}

TEST(CodingTest, Varint64LongerThanTenBytesIsRejected) {
  std::string s(10, '\x80');
  s.push_back('\x00');
  Slice input(s);
  uint64_t v;
  EXPECT_FALSE(GetVarint64(&input, &v));
}

TEST(CodingTest, Varint64OverflowingSixtyFourBitsIsRejected) {
  // Ten bytes whose last carries more than the one bit left: a value >= 2^64.
  std::string s(9, '\xff');
  s.push_back('\x02');
  Slice input(s);
  uint64_t v = 0;
  EXPECT_FALSE(GetVarint64(&input, &v)) << "decoded as " << v;
}

TEST(CodingTest, ConsecutiveVarintsDecodeInOrder) {
  std::string s;
  PutVarint32(&s, 5);
  PutVarint64(&s, uint64_t{1} << 40);
  PutVarint32(&s, 70000);
  Slice input(s);
  uint32_t a, c;
  uint64_t b;
  ASSERT_TRUE(GetVarint32(&input, &a));
  ASSERT_TRUE(GetVarint64(&input, &b));
  ASSERT_TRUE(GetVarint32(&input, &c));
  EXPECT_EQ(5u, a);
  EXPECT_EQ(uint64_t{1} << 40, b);
  EXPECT_EQ(70000u, c);
  EXPECT_TRUE(input.empty());
}

TEST(CodingTest, LengthPrefixedSliceRoundTrips) {
  std::string s;
  PutLengthPrefixedSlice(&s, Slice(""));
  PutLengthPrefixedSlice(&s, Slice("foo"));
  std::string big(300, 'x');
  big[0] = '\0';
  PutLengthPrefixedSlice(&s, Slice(big));
  s += "tail";
  Slice input(s);
  Slice v;
  ASSERT_TRUE(GetLengthPrefixedSlice(&input, &v));
  EXPECT_EQ("", v.ToString());
  ASSERT_TRUE(GetLengthPrefixedSlice(&input, &v));
  EXPECT_EQ("foo", v.ToString());
  ASSERT_TRUE(GetLengthPrefixedSlice(&input, &v));
  EXPECT_EQ(big, v.ToString());
  EXPECT_EQ("tail", input.ToString());
}

TEST(CodingTest, LengthPrefixedSliceLongerThanInputIsRejected) {
  std::string s;
  PutVarint32(&s, 5);
  s += "abcd";
  Slice input(s);
  Slice v;
  EXPECT_FALSE(GetLengthPrefixedSlice(&input, &v));
}

TEST(CodingTest, LengthPrefixedSliceWithHugeLengthIsRejected) {
  std::string s;
  PutVarint32(&s, std::numeric_limits<uint32_t>::max());
  s += "abcd";
  Slice input(s);
  Slice v;
  EXPECT_FALSE(GetLengthPrefixedSlice(&input, &v));
}

TEST(CodingTest, LengthPrefixedSliceWithTruncatedLengthIsRejected) {
  std::string s("\x80", 1);
  Slice input(s);
  Slice v;
  EXPECT_FALSE(GetLengthPrefixedSlice(&input, &v));
  Slice empty;
  EXPECT_FALSE(GetLengthPrefixedSlice(&empty, &v));
}

TEST(CodingTest, LengthPrefixedSliceExactlyFillingInputIsAccepted) {
  std::string s;
  PutLengthPrefixedSlice(&s, Slice("abc"));
  Slice input(s);
  Slice v;
  ASSERT_TRUE(GetLengthPrefixedSlice(&input, &v));
  EXPECT_EQ("abc", v.ToString());
  EXPECT_TRUE(input.empty());
}

}  // namespace
}  // namespace strata
