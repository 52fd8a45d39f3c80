// log::Reader: reads back the logical records a log::Writer wrote, and
// reports every byte it has to skip.
//
// Drops. Damage is skipped, never fatal: a bad physical record is dropped
// with the rest of its block when its length cannot be trusted (bad length,
// checksum mismatch, zero-filled space) and alone otherwise (unknown type,
// a MIDDLE or LAST fragment with no FIRST before it); a logical record that
// loses a fragment is dropped whole. Reading then resynchronises on the next
// FULL or FIRST fragment, at the latest at the next block boundary.
//
// Reporting contract, which the DB relies on to classify damage:
//  - Dropped bytes are file bytes (headers included) that belong to no
//    record ReadRecord returns. Zero-filled block trailers carry no data
//    and are never counted. So for any file:
//      bytes of returned records' fragments + trailers + dropped = file size.
//  - All bytes dropped between two returned records (or before the first,
//    or after the last) form one region, reported by one Dropped() call.
//    The reason is the first problem found in the region (an I/O error
//    takes precedence), its message names the file offsets.
//  - The region is reported by the ReadRecord call that ends it: before
//    that call returns the next record (damage with a valid record after
//    it) or returns false (damage at the end of the file). So at most one
//    Dropped() per ReadRecord.
//  - Each report says whether a torn write could explain the region: a
//    crash mid-append leaves a prefix of what was appended, followed by
//    zeros or (on some file systems) garbage, so an incomplete header or
//    record at the end of the file, a FIRST fragment without its LAST, zero
//    fill, a bad length and a record failing its checksum with nothing
//    valid right after it can be torn writes. Damage that valid data
//    follows cannot: a complete record failing its checksum right before a
//    valid one, a record of unknown type (its checksum is good), a MIDDLE or
//    LAST fragment without its FIRST; nor can an I/O error.
//
// No allocation depends on a length read from the file before it is checked
// against the bytes actually read; the reader holds one 32 KiB block plus
// the logical record being assembled.
//
// Thread-safety: none; one thread uses a Reader at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "strata/slice.h"
#include "strata/status.h"
#include "wal/log_format.h"

namespace strata {

class SequentialFile;

namespace log {

class Reader {
 public:
  // Told about skipped bytes; see the reporting contract above.
  class Reporter {
   public:
    virtual ~Reporter();
    // bytes: file bytes dropped (0 only for an I/O error with nothing in
    // progress). reason: Corruption naming the problem and offsets, or the
    // IOError that ended reading. torn_write: a torn write could explain
    // every problem in the region (see above).
    virtual void Dropped(size_t bytes, const Status& reason, bool torn_write) = 0;
  };

  // file: read from its current position, which must be the start of the
  // log. reporter: may be nullptr to ignore drops. Neither is owned; both
  // must outlive the Reader. verify_checksums: false skips CRC checks (for
  // tools salvaging data; the DB always verifies).
  Reader(SequentialFile* file, Reporter* reporter, bool verify_checksums);

  Reader(const Reader&) = delete;
  Reader& operator=(const Reader&) = delete;
  ~Reader();

  // Reads the next logical record into *record, which stays valid until the
  // next call or until *scratch is modified (it points into *scratch or
  // into the reader's block buffer). Returns false at the end of the file
  // or after an I/O error (reported through the Reporter); later calls
  // keep returning false.
  bool ReadRecord(Slice* record, std::string* scratch);

  // File offset of the first header of the record last returned by
  // ReadRecord; 0 before the first.
  uint64_t LastRecordOffset() const { return last_record_offset_; }

 private:
  // Beyond the RecordType values: results of ReadPhysicalRecord.
  enum : unsigned int {
    kEof = kMaxRecordType + 1,
    // A bad physical record was dropped (already added to the region);
    // any logical record in progress is lost.
    kBadRecord = kMaxRecordType + 2,
  };

  // Returns the type of the next good physical record, with its payload in
  // *fragment and its header's file offset in *offset; or kEof or
  // kBadRecord.
  unsigned int ReadPhysicalRecord(Slice* fragment, uint64_t* offset);

  // Adds `bytes` dropped at file offset `offset` to the current region;
  // torn_write: a torn write could explain this drop.
  void AddDrop(uint64_t offset, size_t bytes, const Status& reason, bool torn_write);
  // Whether a physical record with a good checksum starts at data.
  bool ValidRecordAt(const Slice& data) const;
  // Reports the current region, if any, and starts a new one.
  void ReportDrops();

  SequentialFile* const file_;
  Reporter* const reporter_;
  const bool verify_checksums_;

  const std::unique_ptr<char[]> backing_store_;  // kBlockSize bytes
  Slice buffer_;                                 // unread part of the current block
  bool eof_ = false;                             // the last read was short (or failed): no more data
  uint64_t end_of_buffer_offset_ = 0;            // file offset just past buffer_
  uint64_t last_record_offset_ = 0;

  // The region of dropped bytes not yet reported.
  bool drop_pending_ = false;
  size_t drop_bytes_ = 0;
  uint64_t drop_start_ = 0;  // lowest file offset in the region
  Status drop_reason_;
  bool drop_torn_write_ = true;  // a torn write could explain every drop in it
};

}  // namespace log
}  // namespace strata
