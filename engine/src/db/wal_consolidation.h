// Consolidating WAL segments: many small write-once segments (one per
// durability point, DESIGN.md decision 1) rewritten as one, so that a
// stream of small durable writes leaves few files for storage to hold and
// recovery to read, without forcing a memtable flush.
//
// The new segment starts with a marker record (an empty batch with sequence
// 0, then the number of the first segment it replaces; see log_format.md)
// and then holds the old segments' records, byte for byte, in order. It gets
// a higher file number than every old one, and appears whole or not at all:
// it is written under a temporary name, synced and renamed. The old
// segments are removed only once it is durable; if a crash leaves some of
// them, recovery skips every segment the marker says it replaces.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "strata/env.h"
#include "strata/slice.h"

namespace strata {

// The marker's record payload: the segment replaces segments numbered
// first_replaced up to its own number.
std::string WalConsolidationMarker(uint64_t first_replaced);
// Whether record is a marker; if so, *first_replaced is set.
bool IsWalConsolidationMarker(const Slice& record, uint64_t* first_replaced);
// Reads the first record of segment `number`: if it is a marker, sets
// *first_replaced and answers true.
bool ReadWalConsolidationMarker(Env* env, const std::string& dir, uint64_t number, uint64_t* first_replaced);

// Writes segment `number` in dir holding the marker and every record of the
// segments `olds` (in order), synced and closed; counts the records. On
// error (an old segment fails to read whole) the new file is removed and
// nothing else changes.
Status WriteConsolidatedSegment(Env* env, const std::string& dir, const std::vector<uint64_t>& olds,
                                uint64_t number, uint64_t* records, uint64_t* bytes);

}  // namespace strata
