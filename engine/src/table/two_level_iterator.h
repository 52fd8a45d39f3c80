// A table's iterator: an iterator over its index block, whose values each
// name a data block, and one over the data block the index is on. Presents
// the concatenation of the data blocks' entries, in index order.
//
// Stops at the first error: if the index iterator or a data block reports a
// non-ok status (including an error loading a block), the iterator becomes
// invalid and status() returns that error, so it never skips over a damaged
// block to later entries.
#pragma once

#include <functional>
#include <memory>

#include "strata/iterator.h"
#include "strata/slice.h"
#include "strata/status.h"
#include "table/block.h"
#include "table/block_iter.h"

namespace strata {

// Loads the data block that an index entry's value names.
using DataBlockFunction = std::function<Status(const Slice& index_value, std::shared_ptr<Block>* block)>;

// Both levels are BlockIters (a final class), so stepping through entries
// costs direct calls, not a virtual call per level.
Iterator* NewTwoLevelIterator(std::unique_ptr<BlockIter> index_iter, DataBlockFunction data_block);

}  // namespace strata
