#include "table/bloom.h"

#include <algorithm>

#include "util/coding.h"

namespace strata {

namespace {

constexpr int kMaxProbes = 30;
constexpr size_t kMinBits = 64;

inline uint32_t Rotate17(uint32_t h) {
  return (h >> 17) | (h << 15);
}

}  // namespace

uint32_t BloomHash(const Slice& key) {
  // Murmur-like hash (LevelDB's Hash with its bloom seed), over the bytes in
  // little-endian 32-bit words.
  constexpr uint32_t kSeed = 0xbc9f1d34;
  constexpr uint32_t m = 0xc6a4a793;
  constexpr int r = 24;
  const char* data = key.data();
  const char* limit = data + key.size();
  uint32_t h = kSeed ^ (static_cast<uint32_t>(key.size()) * m);
  while (limit - data >= 4) {
    h += DecodeFixed32(data);
    data += 4;
    h *= m;
    h ^= (h >> 16);
  }
  switch (limit - data) {
    case 3: h += static_cast<uint32_t>(static_cast<uint8_t>(data[2])) << 16; [[fallthrough]];
    case 2: h += static_cast<uint32_t>(static_cast<uint8_t>(data[1])) << 8; [[fallthrough]];
    case 1:
      h += static_cast<uint8_t>(data[0]);
      h *= m;
      h ^= (h >> r);
      break;
  }
  return h;
}

BloomFilterBuilder::BloomFilterBuilder(int bits_per_key)
    : bits_per_key_(std::max(bits_per_key, 1)),
      // k = bits_per_key * ln(2) minimizes the false positive rate.
      k_(std::clamp(static_cast<int>(bits_per_key_ * 0.69), 1, kMaxProbes)) {}

void BloomFilterBuilder::AddKey(const Slice& key) {
  const uint32_t h = BloomHash(key);
  if (!hashes_.empty() && hashes_.back() == h) return;
  hashes_.push_back(h);
}

std::string BloomFilterBuilder::Finish() {
  size_t bits = std::max(hashes_.size() * static_cast<size_t>(bits_per_key_), kMinBits);
  const size_t bytes = (bits + 7) / 8;
  bits = bytes * 8;

  std::string filter(bytes, '\0');
  for (uint32_t h : hashes_) {
    const uint32_t delta = Rotate17(h);
    for (int j = 0; j < k_; j++) {
      const size_t bit = h % bits;
      filter[bit / 8] = static_cast<char>(filter[bit / 8] | (1 << (bit % 8)));
      h += delta;
    }
  }
  filter.push_back(static_cast<char>(k_));
  hashes_.clear();
  return filter;
}

bool BloomFilterMayMatch(const Slice& filter, const Slice& key) {
  if (filter.size() < 2) return true;
  const int k = static_cast<uint8_t>(filter[filter.size() - 1]);
  if (k > kMaxProbes) return true;  // reserved for other encodings
  const size_t bits = (filter.size() - 1) * 8;
  uint32_t h = BloomHash(key);
  const uint32_t delta = Rotate17(h);
  for (int j = 0; j < k; j++) {
    const size_t bit = h % bits;
    if ((filter[bit / 8] & (1 << (bit % 8))) == 0) return false;
    h += delta;
  }
  return true;
}

}  // namespace strata
