// WriteBatchInternal: the engine's access to a WriteBatch's encoding (format
// in write_batch.cc), which the public class keeps private.
//
// Thread-safety: as for WriteBatch; none of these synchronize.
#pragma once

#include <cstddef>
#include <cstdint>

#include "db/dbformat.h"
#include "strata/slice.h"
#include "strata/status.h"
#include "strata/write_batch.h"

namespace strata {

class MemTable;

class WriteBatchInternal {
 public:
  // Bytes of the header: sequence (fixed64) and count (fixed32).
  static constexpr size_t kHeader = 12;

  // The entry count in the header.
  static uint32_t Count(const WriteBatch* batch);
  static void SetCount(WriteBatch* batch, uint32_t n);

  // The sequence number of the first entry.
  static SequenceNumber Sequence(const WriteBatch* batch);
  static void SetSequence(WriteBatch* batch, SequenceNumber seq);

  // The encoding, as written to the WAL. Valid until the batch changes.
  static Slice Contents(const WriteBatch* batch) { return Slice(batch->rep_); }
  static size_t ByteSize(const WriteBatch* batch) { return batch->rep_.size(); }

  // Replaces the batch with an encoding read back from the WAL, and clears
  // its status. Checks only the header's size (Corruption if contents is
  // shorter than kHeader); Iterate checks the entries.
  static Status SetContents(WriteBatch* batch, const Slice& contents);

  // Adds the entries to memtable with sequences Sequence(batch),
  // Sequence(batch)+1, ... in order. All or nothing: Corruption (and no
  // entry added) if the encoding is bad.
  // REQUIRES: the sequences stay <= kMaxSequenceNumber; the memtable's
  // external write synchronization. *user_bytes, if given, receives the
  // bytes of keys and values applied.
  static Status InsertInto(const WriteBatch* batch, MemTable* memtable, uint64_t* user_bytes = nullptr);

  // Appends src's entries to dst (keeping dst's sequence). dst takes src's
  // status if its own is ok. Does not check kMaxBatchSize: the caller
  // bounds the size of what it merges.
  static void Append(WriteBatch* dst, const WriteBatch* src);
};

}  // namespace strata
