// The building blocks of the table file format: block handles, the footer,
// and reading one block with its trailer. The whole format is described in
// table_format.md next to this file; keep the two in step.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "strata/env.h"
#include "strata/slice.h"
#include "strata/status.h"
#include "table/block_contents.h"

namespace strata {

// Version of the table format written by TableBuilder and the only one
// Table::Open accepts. Bump it with any incompatible change to the format.
constexpr uint32_t kTableFormatVersion = 1;

// Last 8 bytes of every table file (fixed64): the ASCII bytes "STRATAtb"
// read as a little-endian integer, so a hex dump of the file ends in
// "STRATAtb". Tells a table from any other file.
constexpr uint64_t kTableMagicNumber = 0x6274'4154'4152'5453ull;

// Every block is followed by a trailer: 1 byte compression type (a
// strata::Compression value), then fixed32 masked CRC-32C of the stored block
// bytes followed by that type byte.
constexpr size_t kBlockTrailerSize = 5;

// Largest uncompressed block a reader accepts (and a writer produces): one
// maximum-size entry plus a full block, with room to spare.
constexpr size_t kMaxBlockSize = size_t{256} << 20;

// Where a block lives in the file: its offset and its size without the
// trailer. Encoded as varint64 offset, varint64 size.
class BlockHandle {
 public:
  static constexpr size_t kMaxEncodedLength = 10 + 10;

  BlockHandle() = default;
  BlockHandle(uint64_t offset, uint64_t size) : offset_(offset), size_(size) {}

  uint64_t offset() const { return offset_; }
  uint64_t size() const { return size_; }

  void EncodeTo(std::string* dst) const;
  // Consumes the handle from *input; Corruption if it is malformed.
  Status DecodeFrom(Slice* input);

 private:
  uint64_t offset_ = 0;
  uint64_t size_ = 0;
};

// The fixed-size end of every table file:
//
//   properties_handle  varint64 offset, varint64 size
//   filter_handle      varint64 offset, varint64 size (size 0: no filter)
//   index_handle       varint64 offset, varint64 size
//   zero padding       up to byte 60
//   format_version     fixed32
//   footer_crc         fixed32, masked CRC-32C of bytes [0, 64)
//   magic              fixed64 kTableMagicNumber
class Footer {
 public:
  static constexpr size_t kHandleArea = 3 * BlockHandle::kMaxEncodedLength;  // 60
  static constexpr size_t kEncodedLength = kHandleArea + 4 + 4 + 8;          // 76

  BlockHandle properties_handle;
  BlockHandle filter_handle;
  BlockHandle index_handle;
  uint32_t format_version = kTableFormatVersion;

  // Appends exactly kEncodedLength bytes.
  void EncodeTo(std::string* dst) const;
  // input must be the last kEncodedLength bytes of the file. Corruption
  // naming the field if the magic, checksum, version or a handle is bad.
  Status DecodeFrom(const Slice& input);
};

// Whether a read of file into scratch (scratch_size bytes) answered with a
// view into the file's own memory, valid while the file is open (a mapped
// file), rather than with a copy in scratch.
inline bool ReadPointsIntoFile(const RandomAccessFile& file, const Slice& result, const char* scratch,
                               size_t scratch_size) {
  return file.ContentsInProcessMemory() &&
         (result.data() < scratch || result.data() >= scratch + scratch_size);
}

// Checks that the block at handle and its trailer lie inside a file of
// file_size bytes, before the footer, and that no writer makes one as large.
Status CheckBlockBounds(uint64_t file_size, const BlockHandle& handle);

// Checks and decodes the block at handle whose stored bytes and trailer are
// at stored (handle.size() + kBlockTrailerSize bytes): verifies the checksum
// unless verify_checksum is false, then answers a view of an uncompressed
// block there (contents->owned null) or inflates a compressed one into
// memory of its own.
Status DecodeBlock(const char* stored, const BlockHandle& handle, bool verify_checksum,
                   BlockContents* contents);

// Reads the block at handle from a file of file_size bytes: checks that the
// block and its trailer lie inside the file before the footer, verifies the
// checksum unless verify_checksum is false (only for a block verified before
// in memory that cannot have changed since: Table), and inflates it if it is
// compressed. On success *contents holds the uncompressed block in memory of
// its own, or, when allow_view is true and the block is stored uncompressed
// in memory the file keeps for its lifetime (a mapped file: Read answered
// with a pointer into the file rather than into the buffer it was given), a
// view of it there. Corruption names the offset and what is wrong.
Status ReadBlock(const RandomAccessFile& file, uint64_t file_size, const BlockHandle& handle,
                 BlockContents* contents, bool verify_checksum = true, bool allow_view = false);

// Appends the trailer for block contents stored with the given type byte.
void AppendBlockTrailer(std::string* dst, const Slice& stored, uint8_t type);

}  // namespace strata
