// A two-level iterator: an index iterator whose values each name a block,
// and a function that opens an iterator over that block. Presents the
// concatenation of the blocks' entries, in index order.
//
// Stops at the first error: if the index iterator or a block iterator
// reports a non-ok status (including an error from opening a block), the
// two-level iterator becomes invalid and status() returns that error, so it
// never skips over a damaged block to later entries.
#pragma once

#include <functional>

#include "strata/iterator.h"
#include "strata/slice.h"

namespace strata {

// Opens an iterator over the block that an index entry's value describes.
// Returns an iterator with a non-ok status (e.g. NewEmptyIterator(error))
// on failure; never nullptr.
using BlockFunction = std::function<Iterator*(const Slice& index_value)>;

// Takes ownership of index_iter.
Iterator* NewTwoLevelIterator(Iterator* index_iter, BlockFunction block_function);

}  // namespace strata
