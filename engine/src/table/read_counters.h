// Counters a table bumps on its read path, for the engine's stats. One set
// is typically shared by every table of a DB; all fields are atomics so
// concurrent readers can update them.
#pragma once

#include <atomic>
#include <cstdint>

namespace strata {

struct ReadCounters {
  // Point lookups that consulted a bloom filter, and of those the ones the
  // filter answered "certainly absent" (no data block read).
  std::atomic<uint64_t> bloom_checks{0};
  std::atomic<uint64_t> bloom_useful{0};
  // Data block lookups in the block cache (only counted when there is one).
  std::atomic<uint64_t> block_cache_hits{0};
  std::atomic<uint64_t> block_cache_misses{0};
};

}  // namespace strata
