// Byte copies and comparisons for the wasm build's libc (libc_overrides.cc).
//
// Emscripten 3.1.6's memcpy copies byte by byte whenever source and
// destination differ in alignment mod 4 (a value copied out of a block
// almost always does) and calls into JavaScript from 512 bytes on; its
// memcmp (musl's) compares one byte per step, and every key comparison of
// the engine goes through it. These do the same jobs in 8-byte words, and
// hand longer copies to the engine of the host (memory.copy, with
// -mbulk-memory). Natively they are plain C++ and are tested against libc.
#pragma once

#include <cstddef>
#include <cstdint>

// Without bulk memory __builtin_memmove would be a call to the memmove these
// routines implement (libc_overrides.cc): endless recursion.
#if defined(__wasm__) && !defined(__wasm_bulk_memory__)
#error "byte_routines.h needs -mbulk-memory (memory.copy)"
#endif

namespace strata::bytes {

// Up to this many bytes are copied with loads and stores of our own; more
// go to __builtin_memmove (memory.copy in wasm with bulk memory, whose call
// into the host costs more than a few stores).
inline constexpr size_t kInlineCopyBytes = 32;

inline uint64_t Load64(const unsigned char* p) {
  uint64_t v;
  __builtin_memcpy(&v, p, 8);  // a fixed size: one (unaligned) load, never a call
  return v;
}

inline uint32_t Load32(const unsigned char* p) {
  uint32_t v;
  __builtin_memcpy(&v, p, 4);
  return v;
}

inline void Store64(unsigned char* p, uint64_t v) {
  __builtin_memcpy(p, &v, 8);
}
inline void Store32(unsigned char* p, uint32_t v) {
  __builtin_memcpy(p, &v, 4);
}

// memmove's contract (overlap allowed): every load of a step precedes its
// stores.
inline void Move(void* dest, const void* src, size_t n) {
  auto* d = static_cast<unsigned char*>(dest);
  const auto* s = static_cast<const unsigned char*>(src);
  if (n > kInlineCopyBytes) {
    __builtin_memmove(d, s, n);
  } else if (n >= 16) {  // 16..32: the first 16 and the last 16, overlapping
    const uint64_t a = Load64(s), b = Load64(s + 8), c = Load64(s + n - 16), e = Load64(s + n - 8);
    Store64(d, a);
    Store64(d + 8, b);
    Store64(d + n - 16, c);
    Store64(d + n - 8, e);
  } else if (n >= 8) {
    const uint64_t a = Load64(s), b = Load64(s + n - 8);
    Store64(d, a);
    Store64(d + n - 8, b);
  } else if (n >= 4) {
    const uint32_t a = Load32(s), b = Load32(s + n - 4);
    Store32(d, a);
    Store32(d + n - 4, b);
  } else if (n > 0) {  // 1..3
    const unsigned char a = s[0], b = s[n / 2], c = s[n - 1];
    d[0] = a;
    d[n / 2] = b;
    d[n - 1] = c;
  }
}

// memcmp's contract: the sign of the first differing byte (as unsigned).
inline int Compare(const void* left, const void* right, size_t n) {
  const auto* l = static_cast<const unsigned char*>(left);
  const auto* r = static_cast<const unsigned char*>(right);
  for (; n >= 8; n -= 8, l += 8, r += 8) {
    const uint64_t a = Load64(l), b = Load64(r);
    if (a != b) {
      // Little-endian words: byte-swapped, the first byte is the most significant.
      return __builtin_bswap64(a) < __builtin_bswap64(b) ? -1 : 1;
    }
  }
  for (; n > 0; n--, l++, r++) {
    if (*l != *r) return *l < *r ? -1 : 1;
  }
  return 0;
}

}  // namespace strata::bytes
