// The fields a table's stats (TableFileInfo, stats_json.cc) and a table in
// an event (TableInfo, event_queue.cc) share, in the same JSON names: the
// TypeScript package reads both with one shape (TableSummary).
#pragma once

#include "json_writer.h"

namespace strata {

// Writes the shared fields into the object `w` has open.
template <typename Table>
void WriteTableSummary(JsonWriter* w, const Table& t) {
  w->Key("number");
  w->Unsigned(t.number);
  w->Key("size");
  w->Unsigned(t.size);
  w->Key("smallestKeyHex");
  w->Hex(t.smallest_key);
  w->Key("largestKeyHex");
  w->Hex(t.largest_key);
  w->Key("entries");
  w->Unsigned(t.entries);
  w->Key("tombstones");
  w->Unsigned(t.tombstones);
  w->Key("smallestSeq");
  w->Unsigned(t.smallest_seq);
  w->Key("largestSeq");
  w->Unsigned(t.largest_seq);
}

}  // namespace strata
