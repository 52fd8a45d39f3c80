// BlockContents: the uncompressed bytes of a block, as ReadBlock returns
// them and a Block keeps them.
#pragma once

#include <cstring>
#include <memory>

#include "strata/slice.h"

namespace strata {

// Either in memory of their own (read or inflated there, so the block can
// own them without another copy), or a view into a file that keeps its
// bytes in memory while it is open (a mapped file): then owned is null.
struct BlockContents {
  Slice data;
  std::unique_ptr<char[]> owned;

  // A copy of bytes in memory of its own.
  static BlockContents CopyOf(const Slice& bytes) {
    BlockContents c;
    c.owned.reset(new char[bytes.size()]);
    if (!bytes.empty()) std::memcpy(c.owned.get(), bytes.data(), bytes.size());
    c.data = Slice(c.owned.get(), bytes.size());
    return c;
  }
};

}  // namespace strata
