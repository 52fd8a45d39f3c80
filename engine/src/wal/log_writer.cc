#include "wal/log_writer.h"

#include <algorithm>
#include <cassert>

#include "strata/env.h"
#include "util/coding.h"
#include "util/crc.h"

namespace strata::log {

Writer::Writer(WritableFile* dest) : dest_(dest) {
  for (int i = 0; i <= kMaxRecordType; i++) {
    const char t = static_cast<char>(i);
    type_crc_[i] = crc::Value(&t, 1);
  }
}

Status Writer::AddRecord(const Slice& record) {
  if (!error_.ok()) return error_;

  const char* ptr = record.data();
  size_t left = record.size();

  // Fragment the record. An empty record is still emitted: one FULL
  // physical record with no payload.
  bool begin = true;
  do {
    const size_t leftover = kBlockSize - block_offset_;
    if (leftover < kHeaderSize) {
      // Not even a header fits: zero-fill the trailer, start a new block.
      if (leftover > 0) {
        static constexpr char kZeroes[kHeaderSize - 1] = {};
        Status s = Append(Slice(kZeroes, leftover));
        if (!s.ok()) return s;
      }
      block_offset_ = 0;
    }
    assert(kBlockSize - block_offset_ >= kHeaderSize);

    const size_t avail = kBlockSize - block_offset_ - kHeaderSize;
    const size_t fragment_length = std::min(left, avail);
    const bool end = (left == fragment_length);
    RecordType type;
    if (begin && end) {
      type = kFullType;
    } else if (begin) {
      type = kFirstType;
    } else if (end) {
      type = kLastType;
    } else {
      type = kMiddleType;
    }

    Status s = EmitPhysicalRecord(type, ptr, fragment_length);
    if (!s.ok()) return s;
    ptr += fragment_length;
    left -= fragment_length;
    begin = false;
  } while (left > 0);
  return Status::OK();
}

Status Writer::EmitPhysicalRecord(RecordType type, const char* ptr, size_t length) {
  assert(length <= 0xffff);
  assert(block_offset_ + kHeaderSize + length <= kBlockSize);

  char header[kHeaderSize];
  const uint32_t crc = crc::Mask(crc::Extend(type_crc_[type], ptr, length));
  EncodeFixed32(header, crc);
  header[4] = static_cast<char>(length & 0xff);
  header[5] = static_cast<char>(length >> 8);
  header[6] = static_cast<char>(type);

  Status s = Append(Slice(header, kHeaderSize));
  if (s.ok()) s = Append(Slice(ptr, length));
  if (s.ok()) block_offset_ += kHeaderSize + length;
  return s;
}

Status Writer::Append(const Slice& data) {
  if (data.empty()) return Status::OK();
  Status s = dest_->Append(data);
  if (s.ok()) {
    bytes_written_ += data.size();
  } else {
    error_ = s;
  }
  return s;
}

}  // namespace strata::log
