#include "util/crc.h"

#include <zlib.h>

namespace strata::crc {

uint32_t Extend(uint32_t init, const char* data, size_t n) {
  uLong c = init;
  // zlib takes a uInt length; feed very large inputs in pieces.
  while (n > 0) {
    uInt piece = n > (1u << 30) ? (1u << 30) : static_cast<uInt>(n);
    c = crc32(c, reinterpret_cast<const Bytef*>(data), piece);
    data += piece;
    n -= piece;
  }
  return static_cast<uint32_t>(c);
}

}  // namespace strata::crc
