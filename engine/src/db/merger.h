// A k-way merge of internal-key iterators, in both directions, in bounded
// memory (each child holds its current block only).
#pragma once

#include <vector>

#include "strata/iterator.h"

namespace strata {

// Takes ownership of the children. Equal keys are yielded child by child in
// the order given.
Iterator* NewMergingIterator(std::vector<Iterator*> children);

}  // namespace strata
