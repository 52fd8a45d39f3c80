#include "wal/log_reader.h"

#include <algorithm>
#include <cassert>

#include "strata/env.h"
#include "util/coding.h"
#include "util/crc.h"

namespace strata::log {

namespace {

std::string At(uint64_t offset) {
  return " at offset " + std::to_string(offset);
}

// Same code as `s`, with `suffix` appended to its message.
Status Extend(const Status& s, const std::string& suffix) {
  const std::string msg = s.message() + suffix;
  return s.IsIOError() ? Status::IOError(msg) : Status::Corruption(msg);
}

}  // namespace

Reader::Reporter::~Reporter() = default;

Reader::Reader(SequentialFile* file, Reporter* reporter, bool verify_checksums)
    : file_(file),
      reporter_(reporter),
      verify_checksums_(verify_checksums),
      backing_store_(new char[kBlockSize]) {}

Reader::~Reader() = default;

bool Reader::ReadRecord(Slice* record, std::string* scratch) {
  scratch->clear();
  *record = Slice();

  // The logical record being assembled from FIRST MIDDLE* fragments.
  bool in_fragmented_record = false;
  uint64_t record_offset = 0;  // its first header
  size_t record_bytes = 0;     // its physical bytes so far, headers included

  // Drops the record in progress, if any.
  // torn_write: whether a torn write could leave the record unfinished.
  auto abandon_record = [&](const char* why, bool torn_write) {
    if (!in_fragmented_record) return;
    AddDrop(record_offset, record_bytes,
            Status::Corruption("fragmented record" + At(record_offset) + " " + why), torn_write);
    in_fragmented_record = false;
    scratch->clear();
  };

  while (true) {
    Slice fragment;
    uint64_t offset = 0;
    const unsigned int type = ReadPhysicalRecord(&fragment, &offset);
    const size_t physical_bytes = kHeaderSize + fragment.size();

    switch (type) {
      case kFullType:
        abandon_record("ends without a LAST fragment (a FULL record follows)", false);
        *record = fragment;
        last_record_offset_ = offset;
        ReportDrops();
        return true;

      case kFirstType:
        abandon_record("ends without a LAST fragment (a FIRST fragment follows)", false);
        in_fragmented_record = true;
        record_offset = offset;
        record_bytes = physical_bytes;
        scratch->assign(fragment.data(), fragment.size());
        break;

      case kMiddleType:
      case kLastType:
        if (!in_fragmented_record) {
          AddDrop(offset, physical_bytes,
                  Status::Corruption(std::string(type == kMiddleType ? "MIDDLE" : "LAST") + " fragment" +
                                     At(offset) + " without a FIRST fragment before it"),
                  false);
          break;
        }
        record_bytes += physical_bytes;
        scratch->append(fragment.data(), fragment.size());
        if (type == kLastType) {
          *record = Slice(*scratch);
          last_record_offset_ = record_offset;
          ReportDrops();
          return true;
        }
        break;

      case kEof:
        abandon_record("is truncated: the file ends before its LAST fragment", true);
        ReportDrops();
        return false;

      case kBadRecord:
        // A fragment of the record in progress is lost with the bad one
        // (whose own drop says whether a torn write explains it).
        abandon_record("lost a fragment", true);
        break;

      default:
        assert(false);  // ReadPhysicalRecord returns only the cases above
        return false;
    }
  }
}

unsigned int Reader::ReadPhysicalRecord(Slice* fragment, uint64_t* offset) {
  while (true) {
    if (buffer_.size() < kHeaderSize) {
      if (!eof_) {
        // After a full block, fewer than kHeaderSize bytes are its trailer:
        // padding, not data. Skip it and read the next block.
        buffer_.clear();
        Status s = file_->Read(kBlockSize, &buffer_, backing_store_.get());
        if (!s.ok()) {
          buffer_.clear();
          eof_ = true;
          AddDrop(end_of_buffer_offset_, 0,
                  Status::IOError("reading the log" + At(end_of_buffer_offset_) + ": " + s.ToString()),
                  false);
          return kEof;
        }
        end_of_buffer_offset_ += buffer_.size();
        if (buffer_.size() < kBlockSize) eof_ = true;
        continue;
      }
      // A short last block: what is left is the start of a header that the
      // file ends in the middle of (block trailers only end full blocks).
      if (!buffer_.empty()) {
        const uint64_t at = end_of_buffer_offset_ - buffer_.size();
        AddDrop(at, buffer_.size(),
                Status::Corruption("truncated record header" + At(at) + ": the file ends after " +
                                   std::to_string(buffer_.size()) + " of its " + std::to_string(kHeaderSize) +
                                   " bytes"),
                true);
        buffer_.clear();
      }
      return kEof;
    }

    const char* header = buffer_.data();
    const uint64_t header_offset = end_of_buffer_offset_ - buffer_.size();
    const size_t length = static_cast<size_t>(static_cast<uint8_t>(header[4])) |
                          static_cast<size_t>(static_cast<uint8_t>(header[5])) << 8;
    const unsigned int type = static_cast<uint8_t>(header[6]);

    if (kHeaderSize + length > buffer_.size()) {
      // The length runs past the data read. In the last block, a record
      // that would still fit in its block was cut short by the end of the
      // file (a torn write); anything else is a damaged length. Either way
      // nothing after the header can be trusted: drop the rest of the block.
      const size_t dropped = buffer_.size();
      const size_t room = kBlockSize - static_cast<size_t>(header_offset % kBlockSize);
      if (eof_ && kHeaderSize + length <= room) {
        AddDrop(header_offset, dropped,
                Status::Corruption("truncated record" + At(header_offset) + ": the file ends after " +
                                   std::to_string(dropped) + " of its " +
                                   std::to_string(kHeaderSize + length) + " bytes"),
                true);
      } else {
        AddDrop(header_offset, dropped,
                Status::Corruption("bad record length " + std::to_string(length) + At(header_offset) +
                                   ": only " + std::to_string(dropped - kHeaderSize) +
                                   " bytes follow the header in its block"),
                true);  // garbage after the last record, as some file systems leave: tolerated at the tail
      }
      buffer_.clear();
      return kBadRecord;
    }

    if (type == kZeroType && length == 0) {
      // Zero-filled space (preallocation, or a file extended before its data
      // reached the disk). The writer never emits this; skip the block.
      AddDrop(header_offset, buffer_.size(), Status::Corruption("zero-filled space" + At(header_offset)),
              true);
      buffer_.clear();
      return kBadRecord;
    }

    if (verify_checksums_) {
      const uint32_t expected = crc::Unmask(DecodeFixed32(header));
      const uint32_t actual = crc::Value(header + 6, 1 + length);
      if (actual != expected) {
        // The length may be what is damaged, so no later record in this
        // block can be located reliably: drop the rest of the block. But a
        // valid record right after this one (where its length says) means
        // the record was complete and then damaged: no torn write.
        const bool valid_record_follows = ValidRecordAt(
            Slice(buffer_.data() + kHeaderSize + length, buffer_.size() - kHeaderSize - length));
        AddDrop(header_offset, buffer_.size(),
                Status::Corruption("checksum mismatch in record" + At(header_offset)), !valid_record_follows);
        buffer_.clear();
        return kBadRecord;
      }
    }

    buffer_.remove_prefix(kHeaderSize + length);

    if (type == kZeroType || type > kMaxRecordType) {
      AddDrop(header_offset, kHeaderSize + length,
              Status::Corruption("unknown record type " + std::to_string(type) + At(header_offset)), false);
      return kBadRecord;
    }

    *fragment = Slice(header + kHeaderSize, length);
    *offset = header_offset;
    return type;
  }
}

bool Reader::ValidRecordAt(const Slice& data) const {
  if (data.size() < kHeaderSize) return false;
  const size_t length = static_cast<size_t>(static_cast<uint8_t>(data[4])) |
                        static_cast<size_t>(static_cast<uint8_t>(data[5])) << 8;
  const unsigned int type = static_cast<uint8_t>(data[6]);
  if (type == kZeroType || type > kMaxRecordType || kHeaderSize + length > data.size()) return false;
  return crc::Unmask(DecodeFixed32(data.data())) == crc::Value(data.data() + 6, 1 + length);
}

void Reader::AddDrop(uint64_t offset, size_t bytes, const Status& reason, bool torn_write) {
  if (!drop_pending_) {
    drop_pending_ = true;
    drop_bytes_ = 0;
    drop_start_ = offset;
    drop_reason_ = reason;
    drop_torn_write_ = true;
  } else if (reason.IsIOError() && !drop_reason_.IsIOError()) {
    drop_reason_ = reason;  // an I/O error matters more than damage
  }
  drop_bytes_ += bytes;
  drop_start_ = std::min(drop_start_, offset);
  drop_torn_write_ = drop_torn_write_ && torn_write && !reason.IsIOError();
}

void Reader::ReportDrops() {
  if (!drop_pending_) return;
  drop_pending_ = false;
  if (reporter_ == nullptr) return;
  reporter_->Dropped(drop_bytes_,
                     Extend(drop_reason_, "; dropped " + std::to_string(drop_bytes_) + " bytes from offset " +
                                              std::to_string(drop_start_)),
                     drop_torn_write_);
}

}  // namespace strata::log
