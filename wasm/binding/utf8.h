// UTF-16 lengths of UTF-8 byte strings, for the package's chunked decoding:
// wasm/src/entry-chunk.ts decodes all the keys of a chunk with one
// TextDecoder call and cuts the string by these lengths. The cut is exact only
// for well-formed UTF-8 (a malformed sequence decodes to a number of U+FFFD
// that depends on its neighbours), so a chunk holding anything else is
// decoded entry by entry.
#pragma once

#include <cstddef>
#include <cstdint>

namespace strata {

// Whether data[0, size) is well-formed UTF-8 (The Unicode Standard, table
// 3-7: no overlong forms, no surrogates, nothing above U+10FFFF); if so,
// *units is the number of UTF-16 code units it decodes to.
bool Utf16Length(const char* data, size_t size, uint32_t* units);

}  // namespace strata
