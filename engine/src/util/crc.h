// Checksums: CRC-32C (Castagnoli), the polynomial with hardware support on
// x86 (SSE4.2) and ARMv8. The native build uses the instruction when the CPU
// has it; the wasm build computes the same values with tables.
//
// Stored checksums are masked, because computing the CRC of a string that
// contains embedded CRCs is error-prone (as in LevelDB): Mask(crc) is stored,
// Unmask(stored) recovers it.
#pragma once

#include <cstddef>
#include <cstdint>

namespace strata::crc {

// CRC-32C of data[0, n), continuing from init (0 for a fresh checksum):
// Extend(Value(a), b) == Value(a . b).
uint32_t Extend(uint32_t init, const char* data, size_t n);
inline uint32_t Value(const char* data, size_t n) {
  return Extend(0, data, n);
}

constexpr uint32_t kMaskDelta = 0xa282ead8u;
inline uint32_t Mask(uint32_t crc) {
  return ((crc >> 15) | (crc << 17)) + kMaskDelta;
}
inline uint32_t Unmask(uint32_t masked) {
  uint32_t rot = masked - kMaskDelta;
  return (rot >> 17) | (rot << 15);
}

}  // namespace strata::crc
