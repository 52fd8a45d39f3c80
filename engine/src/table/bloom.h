// Bloom filter over the user keys of one table.
//
// Filter layout (see table_format.md):
//
//   bits[m / 8] . uint8 k
//
// A key sets (and a query tests) k bit positions h, h + delta, h + 2*delta,
// ... modulo m, where h = BloomHash(key) and delta = h rotated right by 17
// bits (double hashing, as in LevelDB). k = bits_per_key * ln 2, clamped to
// 1..30; m = max(64, keys * bits_per_key) rounded up to whole bytes. A k byte
// above 30 is reserved for other filter kinds: readers treat such a filter
// as matching every key.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "strata/slice.h"

namespace strata {

// The filter's hash (persisted: never change it for format version 1).
uint32_t BloomHash(const Slice& key);

class BloomFilterBuilder {
 public:
  // bits_per_key >= 1.
  explicit BloomFilterBuilder(int bits_per_key);

  // Adds a key. Keys arrive in order, so a key equal to the previous one
  // (same hash) is skipped: it would set the same bits.
  void AddKey(const Slice& key);

  // Number of distinct keys added.
  size_t NumKeys() const { return hashes_.size(); }

  // Returns the filter over every key added, then starts over.
  std::string Finish();

 private:
  const int bits_per_key_;
  const int k_;
  std::vector<uint32_t> hashes_;
};

// False only if key was certainly not added to the filter. A malformed
// filter (under 2 bytes) or a reserved k matches everything.
bool BloomFilterMayMatch(const Slice& filter, const Slice& key);

}  // namespace strata
