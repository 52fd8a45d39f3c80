// ByteSink (byte_sink.h): what it appends reads back in order however its
// storage grows, a cleared sink is reused, and Trim gives back only storage
// grown past the limit.
#include "byte_sink.h"

#include <gtest/gtest.h>

#include <string>

namespace strata {
namespace {

std::string Contents(const ByteSink& sink) {
  return std::string(sink.data(), sink.size());
}

TEST(ByteSinkTest, AppendsReadBackInOrderAcrossGrowth) {
  ByteSink sink;
  std::string expected;
  for (int i = 0; i < 2000; i++) {
    const std::string piece(static_cast<size_t>(i % 37), static_cast<char>('a' + i % 26));
    sink.Append(piece.data(), piece.size());
    expected += piece;
  }
  sink.Append(nullptr, 0);
  EXPECT_EQ(expected, Contents(sink));
}

TEST(ByteSinkTest, U32sAreLittleEndianAndSetU32OverwritesInPlace) {
  ByteSink sink;
  sink.AppendU32(0);
  sink.AppendU32(0x04030201u);
  sink.SetU32(0, 0x0a0b0c0du);
  EXPECT_EQ(std::string("\x0d\x0c\x0b\x0a\x01\x02\x03\x04", 8), Contents(sink));
}

TEST(ByteSinkTest, ClearKeepsStorageAndTrimGivesBackOnlyWhatGrewPastTheLimit) {
  ByteSink sink;
  const std::string big(5000, 'x');
  sink.Append(big.data(), big.size());
  sink.Clear();
  EXPECT_EQ(0u, sink.size());
  sink.Append("ab", 2);
  sink.Trim(1 << 20);  // under the limit: kept, contents intact
  EXPECT_EQ("ab", Contents(sink));
  sink.Trim(100);  // over it: given back, empty
  EXPECT_EQ(0u, sink.size());
  sink.Append("cd", 2);
  EXPECT_EQ("cd", Contents(sink));
}

}  // namespace
}  // namespace strata
