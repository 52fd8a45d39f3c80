// The write-ahead log record format, shared by log::Writer and log::Reader.
// log_format.md next to this file walks records through fragmentation and
// explains how torn tails are detected.
//
//   file     := block*                    (the last block may be short)
//   block    := physical_record* trailer  (exactly kBlockSize bytes)
//   trailer  := 0..kHeaderSize-1 zero bytes, present only when fewer than
//               kHeaderSize bytes remain in the block
//   physical_record := checksum: fixed32  (crc::Mask(crc::Value(type . payload)))
//                      length:   fixed16  (payload bytes, little-endian)
//                      type:     uint8    (RecordType)
//                      payload:  uint8[length]
//
// A logical record is one FULL physical record, or FIRST MIDDLE* LAST with
// the payloads concatenated. A physical record never crosses a block
// boundary. Persisted: never renumber the types or change the sizes.
#pragma once

#include <cstddef>
#include <cstdint>

namespace strata::log {

enum RecordType : uint8_t {
  // Reserved: zero-filled space (a preallocated or torn file) reads as type 0.
  kZeroType = 0,
  kFullType = 1,
  // The fragments of a logical record that does not fit in one block.
  kFirstType = 2,
  kMiddleType = 3,
  kLastType = 4,
};
constexpr int kMaxRecordType = kLastType;

constexpr size_t kBlockSize = 32768;

// checksum (4) + length (2) + type (1).
constexpr size_t kHeaderSize = 4 + 2 + 1;

}  // namespace strata::log
