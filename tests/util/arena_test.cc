// Arena bump allocation (engine/src/util/arena.h).
#include "util/arena.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <utility>
#include <vector>

#include "util/random.h"

namespace strata {
namespace {

constexpr size_t kAlign = alignof(std::max_align_t);

bool IsAligned(const char* p) {
  return (reinterpret_cast<uintptr_t>(p) & (kAlign - 1)) == 0;
}

TEST(ArenaTest, NewArenaUsesNoMemory) {
  Arena arena;
  EXPECT_EQ(0u, arena.MemoryUsage());
}

TEST(ArenaTest, AllocationsAreDistinctAndKeepTheirContents) {
  Arena arena;
  Random rnd(301);
  std::vector<std::pair<size_t, char*>> allocated;
  size_t bytes = 0;
  for (int i = 0; i < 5000; i++) {
    size_t s;
    if (i % 500 == 0)
      s = 6000;  // larger than a block
    else if (rnd.OneIn(10))
      s = rnd.Uniform(i < 100 ? 100 : 2000);
    else
      s = rnd.Uniform(20);
    if (s == 0) s = 1;  // zero-byte allocations return no usable memory
    char* r = rnd.OneIn(5) ? arena.AllocateAligned(s) : arena.Allocate(s);
    for (size_t b = 0; b < s; b++) r[b] = static_cast<char>(i % 256);
    bytes += s;
    allocated.emplace_back(s, r);
    ASSERT_GE(arena.MemoryUsage(), bytes);
  }
  for (size_t i = 0; i < allocated.size(); i++) {
    const auto& [size, p] = allocated[i];
    for (size_t b = 0; b < size; b++) {
      ASSERT_EQ(static_cast<int>(i % 256), static_cast<uint8_t>(p[b])) << "allocation " << i << " byte " << b;
    }
  }
}

TEST(ArenaTest, AllocateAlignedIsAlignedAfterOddAllocations) {
  Arena arena;
  for (size_t size : {1, 3, 7, 17, 100, 1000, 1025, 5000, 70000}) {
    arena.Allocate(1);  // knock the bump pointer off alignment
    char* p = arena.AllocateAligned(size);
    EXPECT_TRUE(IsAligned(p)) << "size " << size;
    memset(p, 0xab, size);
  }
}

TEST(ArenaTest, LargeAllocationIsUsableAndCounted) {
  Arena arena;
  const size_t kLarge = 1 << 20;
  char* p = arena.Allocate(kLarge);
  memset(p, 'x', kLarge);
  EXPECT_GE(arena.MemoryUsage(), kLarge);
  EXPECT_EQ('x', p[kLarge - 1]);
}

TEST(ArenaTest, LargeAllocationDoesNotWasteTheCurrentBlock) {
  Arena arena;
  char* a = arena.Allocate(16);
  const size_t before_large = arena.MemoryUsage();
  arena.Allocate(100000);
  const size_t after_large = arena.MemoryUsage();
  EXPECT_GE(after_large, before_large + 100000);
  // The next small allocation still fits in the first block.
  char* b = arena.Allocate(16);
  EXPECT_EQ(after_large, arena.MemoryUsage());
  EXPECT_EQ(a + 16, b);
}

TEST(ArenaTest, MemoryUsageGrowsWithAllocations) {
  Arena arena;
  size_t last = arena.MemoryUsage();
  size_t requested = 0;
  for (int i = 0; i < 1000; i++) {
    arena.Allocate(100);
    requested += 100;
    size_t now = arena.MemoryUsage();
    EXPECT_GE(now, last);
    EXPECT_GE(now, requested);
    last = now;
  }
  EXPECT_GT(last, 0u);
}

}  // namespace
}  // namespace strata
