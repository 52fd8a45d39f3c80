// Short index keys. The index block needs, for each data block, a key K with
// last_key_of_block <= K < first_key_of_next_block (or just K >= last key,
// after the last block). Any such key works; a short one keeps the index
// small. Both functions work on internal keys and only ever shorten the user
// key part: when they do, they append the tag (kMaxSequenceNumber,
// kValueTypeForSeek), which sorts first among entries of that user key.
#pragma once

#include <string>

#include "strata/slice.h"

namespace strata {

// REQUIRES: *start < limit (CompareInternalKeys), both internal keys.
// Changes *start to a possibly shorter key in [*start, limit).
void ShortenSeparator(std::string* start, const Slice& limit);

// REQUIRES: *key is an internal key.
// Changes *key to a possibly shorter key >= *key.
void ShortenSuccessor(std::string* key);

}  // namespace strata
