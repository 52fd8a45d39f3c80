#include "data_generator.h"

#include <algorithm>
#include <cstdio>

namespace strata {
namespace bench {

std::string_view KeyFormatter::Format(uint64_t n) {
  std::snprintf(buf_, sizeof(buf_), "%016llu", static_cast<unsigned long long>(n));
  return std::string_view(buf_, kKeySize);
}

ValueGenerator::ValueGenerator(uint64_t seed, size_t value_size) : value_size_(value_size) {
  constexpr size_t kPieceSize = 100;
  constexpr double kCompressionRatio = 0.5;
  constexpr size_t kRawSize = static_cast<size_t>(kPieceSize * kCompressionRatio);
  std::mt19937_64 rng(seed);
  const size_t pool_size = std::max<size_t>(1024 * 1024, value_size);
  std::string raw;
  while (data_.size() < pool_size + kPieceSize) {
    raw.clear();
    for (size_t i = 0; i < kRawSize; i++) raw += static_cast<char>(' ' + rng() % 95);
    for (size_t written = 0; written < kPieceSize; written += raw.size()) {
      data_.append(raw, 0, std::min(raw.size(), kPieceSize - written));
    }
  }
}

std::string_view ValueGenerator::Next() {
  if (pos_ + value_size_ > data_.size()) pos_ = 0;
  std::string_view value(data_.data() + pos_, value_size_);
  pos_ += value_size_;
  return value;
}

}  // namespace bench
}  // namespace strata
