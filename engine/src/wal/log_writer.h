// log::Writer: appends logical records to one write-ahead log segment in the
// format of log_format.h.
//
// Segments are written once (DESIGN.md decision 1): a Writer appends to one
// new, empty file from its first byte until the DB closes the file; it never
// reopens or rewrites anything. Flushing, syncing and closing the file are
// the caller's job.
//
// Thread-safety: none; the caller serializes all calls.
#pragma once

#include <cstdint>

#include "strata/slice.h"
#include "strata/status.h"
#include "wal/log_format.h"

namespace strata {

class WritableFile;

namespace log {

class Writer {
 public:
  // dest must be an empty new file, and must outlive this Writer. Not owned.
  explicit Writer(WritableFile* dest);

  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  // Appends one logical record of any size (including empty), fragmented
  // across blocks as needed. Appends only: the record reaches the file
  // system at the caller's Flush() and is durable after its Sync().
  //
  // A failed Append leaves the file's tail unknown, so the first error is
  // sticky: it is returned by this and every later call, and the caller
  // must abandon the segment (the reader reports the torn tail, if any).
  Status AddRecord(const Slice& record);

  // Bytes appended to the file successfully so far (headers and block
  // trailers included); equals the file size when no Append failed.
  uint64_t BytesWritten() const { return bytes_written_; }

 private:
  // Appends one physical record. REQUIRES: it fits in the current block.
  Status EmitPhysicalRecord(RecordType type, const char* ptr, size_t length);
  Status Append(const Slice& data);

  WritableFile* const dest_;
  size_t block_offset_ = 0;  // position within the current block
  uint64_t bytes_written_ = 0;
  Status error_;  // first Append error; sticky

  // crc::Value of each type byte, precomputed to extend over payloads.
  uint32_t type_crc_[kMaxRecordType + 1];
};

}  // namespace log
}  // namespace strata
