// BlockContents: the uncompressed bytes of a block, as ReadBlock returns
// them and a Block keeps them.
#pragma once

#include <memory>

#include "strata/slice.h"

namespace strata {

// Either in memory of their own (read or inflated there, so the block can
// own them without another copy), or a view: into a file that keeps its
// bytes in memory while it is open (a mapped file), or into bytes read
// ahead for several blocks, which pinned keeps alive. A view's owned is null.
struct BlockContents {
  Slice data;
  std::unique_ptr<char[]> owned;
  std::shared_ptr<const char[]> pinned;
};

}  // namespace strata
