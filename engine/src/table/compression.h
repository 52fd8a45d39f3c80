// Block compression with zlib.
//
// A block stored with Compression::kZlib holds:
//
//   varint32 uncompressed_size . zlib stream (RFC 1950: header, deflate
//                                             data, Adler-32)
//
// The size prefix lets the reader allocate once and reject a block that
// claims more than kMaxBlockSize or more than deflate could ever expand the
// stream to, before inflating anything.
#pragma once

#include <string>

#include "strata/slice.h"
#include "strata/status.h"
#include "table/block_contents.h"

namespace strata {

// Appends the kZlib form of raw to *out at the given level (1..9; other
// values are clamped). False if zlib fails (out is then unspecified).
bool ZlibCompress(const Slice& raw, int level, std::string* out);

// Inflates a kZlib block into memory of its own, *out. Corruption if the
// size prefix is bad or out of bounds, the stream is malformed or has trailing bytes, or it
// inflates to a size other than the prefix. The stream's Adler-32 is not
// checked: callers pass stored bytes whose CRC-32C was verified (ReadBlock).
Status ZlibUncompress(const Slice& stored, BlockContents* out);

}  // namespace strata
