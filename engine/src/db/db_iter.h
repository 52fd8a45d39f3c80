// DBIter: turns an iterator over internal keys (every version of every key)
// into the user's view at one sequence number: the newest visible version
// of each key, with deleted keys left out.
#pragma once

#include "db/dbformat.h"
#include "strata/iterator.h"

namespace strata {

// Takes ownership of internal.
Iterator* NewDBIterator(Iterator* internal, SequenceNumber sequence);

}  // namespace strata
