// DBIter: turns an iterator over internal keys (every version of every key)
// into the user's view at one sequence number: the newest visible version
// of each key, with deleted keys left out.
#pragma once

#include <cstdint>
#include <functional>

#include "db/dbformat.h"
#include "strata/iterator.h"

namespace strata {

// Told the internal key of about one entry read in every `period` bytes
// (keys and values), at random intervals averaging that: what a scan reads
// past shows up in seek compaction as a lookup's would (LevelDB's
// RecordReadSample).
using ReadSampler = std::function<void(const Slice& internal_key)>;

// Takes ownership of internal. sampler may be empty (no sampling).
Iterator* NewDBIterator(Iterator* internal, SequenceNumber sequence, ReadSampler sampler = nullptr,
                        uint64_t period = 1 << 20, uint64_t seed = 0);

}  // namespace strata
