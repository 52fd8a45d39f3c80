// The wasm build's memcpy/memmove/memcmp (byte_routines.h), checked natively
// against libc at every length around their word and inline-copy limits, at
// every relative alignment, and (Move) at every overlap in both directions.
#include "byte_routines.h"

#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <vector>

namespace strata::bytes {
namespace {

constexpr size_t kMaxLength = 3 * kInlineCopyBytes;  // past the inline limit
constexpr size_t kArena = 4 * kMaxLength;

std::vector<unsigned char> RandomBytes(std::mt19937& rng, size_t n) {
  std::vector<unsigned char> v(n);
  for (auto& b : v) b = static_cast<unsigned char>(rng());
  return v;
}

int Sign(int v) {
  return (v > 0) - (v < 0);
}

TEST(ByteRoutinesTest, MoveCopiesLikeMemmoveForEveryLengthAlignmentAndOverlap) {
  std::mt19937 rng(7);
  const std::vector<unsigned char> start = RandomBytes(rng, kArena);
  for (size_t n = 0; n <= kMaxLength; n++) {
    for (size_t from = 0; from < 16; from++) {
      // Destinations before, on and after the source, overlapping or not.
      for (size_t to = 0; to + n <= kArena && to < from + n + 16; to++) {
        std::vector<unsigned char> ours = start, libc = start;
        Move(ours.data() + to, ours.data() + from, n);
        std::memmove(libc.data() + to, libc.data() + from, n);
        ASSERT_EQ(libc, ours) << "n=" << n << " from=" << from << " to=" << to;
      }
    }
  }
}

TEST(ByteRoutinesTest, CompareOrdersLikeMemcmpAtEveryDifferingByte) {
  std::mt19937 rng(11);
  for (size_t n = 0; n <= kMaxLength; n++) {
    for (size_t offset = 0; offset < 8; offset++) {  // relative misalignment
      std::vector<unsigned char> a = RandomBytes(rng, n + 8), b(n + 8);
      std::memcpy(b.data() + offset, a.data(), n);
      const unsigned char* left = a.data();
      unsigned char* right = b.data() + offset;
      ASSERT_EQ(0, Compare(left, right, n)) << "n=" << n;
      // One differing byte at each position, both ways, including the
      // high-bit values a signed comparison would order wrongly.
      for (size_t at = 0; at < n; at++) {
        for (unsigned char value :
             {static_cast<unsigned char>(left[at] + 1), static_cast<unsigned char>(left[at] ^ 0x80)}) {
          const unsigned char saved = right[at];
          right[at] = value;
          ASSERT_EQ(Sign(std::memcmp(left, right, n)), Compare(left, right, n)) << "n=" << n << " at=" << at;
          ASSERT_EQ(Sign(std::memcmp(right, left, n)), Compare(right, left, n)) << "n=" << n << " at=" << at;
          // A later difference does not change the answer.
          if (at + 1 < n) {
            right[n - 1] ^= 0xFF;
            ASSERT_EQ(Sign(std::memcmp(left, right, n)), Compare(left, right, n))
                << "n=" << n << " at=" << at;
            right[n - 1] ^= 0xFF;
          }
          right[at] = saved;
        }
      }
    }
  }
}

}  // namespace
}  // namespace strata::bytes
