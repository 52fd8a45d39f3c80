#include "utf8.h"

#include <cstring>

namespace strata {

bool Utf16Length(const char* data, size_t size, uint32_t* units) {
  const auto* p = reinterpret_cast<const unsigned char*>(data);
  const auto* const end = p + size;
  uint32_t n = 0;
  while (p < end) {
    // Runs of ASCII, eight bytes at a time.
    uint64_t word;
    while (end - p >= 8 && (std::memcpy(&word, p, 8), (word & 0x8080808080808080ull) == 0)) {
      p += 8;
      n += 8;
    }
    if (p == end) break;
    const unsigned lead = *p;
    if (lead < 0x80) {
      p++;
      n++;
      continue;
    }
    // The sequence's length, and the range of its second byte (table 3-7).
    ptrdiff_t length;
    unsigned low = 0x80, high = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF) {
      length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      length = 3;
      if (lead == 0xE0) low = 0xA0;   // overlong
      if (lead == 0xED) high = 0x9F;  // surrogates
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      length = 4;
      if (lead == 0xF0) low = 0x90;   // overlong
      if (lead == 0xF4) high = 0x8F;  // above U+10FFFF
    } else {
      return false;  // a continuation byte, or a lead that is never valid
    }
    if (end - p < length || p[1] < low || p[1] > high) return false;
    for (ptrdiff_t i = 2; i < length; i++) {
      if ((p[i] & 0xC0) != 0x80) return false;
    }
    p += length;
    n += length == 4 ? 2 : 1;  // four bytes: a surrogate pair
  }
  *units = n;
  return true;
}

}  // namespace strata
