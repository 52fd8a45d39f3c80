#include "table/format.h"

#include <cstring>
#include <memory>
#include <string>

#include "strata/options.h"
#include "table/compression.h"
#include "util/coding.h"
#include "util/crc.h"

namespace strata {

namespace {

// The largest stored block a writer can produce: kMaxBlockSize raw bytes, or
// their zlib form, which deflate may grow by a few bytes per 16 KiB.
constexpr uint64_t kMaxStoredBlockSize = kMaxBlockSize + kMaxBlockSize / 1024 + 64;

std::string Where(const BlockHandle& handle) {
  return "block at offset " + std::to_string(handle.offset()) + " size " + std::to_string(handle.size());
}

uint32_t BlockChecksum(const char* stored, size_t n, uint8_t type) {
  const char t = static_cast<char>(type);
  return crc::Extend(crc::Value(stored, n), &t, 1);
}

}  // namespace

void BlockHandle::EncodeTo(std::string* dst) const {
  PutVarint64(dst, offset_);
  PutVarint64(dst, size_);
}

Status BlockHandle::DecodeFrom(Slice* input) {
  if (GetVarint64(input, &offset_) && GetVarint64(input, &size_)) return Status::OK();
  return Status::Corruption("malformed block handle");
}

void Footer::EncodeTo(std::string* dst) const {
  const size_t start = dst->size();
  properties_handle.EncodeTo(dst);
  filter_handle.EncodeTo(dst);
  index_handle.EncodeTo(dst);
  dst->resize(start + kHandleArea, '\0');
  PutFixed32(dst, format_version);
  PutFixed32(dst, crc::Mask(crc::Value(dst->data() + start, kHandleArea + 4)));
  PutFixed64(dst, kTableMagicNumber);
}

Status Footer::DecodeFrom(const Slice& input) {
  if (input.size() != kEncodedLength) {
    return Status::Corruption("footer: " + std::to_string(input.size()) + " bytes, expected " +
                              std::to_string(kEncodedLength));
  }
  const char* p = input.data();
  if (DecodeFixed64(p + kHandleArea + 8) != kTableMagicNumber) {
    return Status::Corruption("footer: bad magic number (not a table file)");
  }
  const uint32_t expected = crc::Unmask(DecodeFixed32(p + kHandleArea + 4));
  if (crc::Value(p, kHandleArea + 4) != expected) return Status::Corruption("footer: checksum mismatch");
  format_version = DecodeFixed32(p + kHandleArea);
  if (format_version != kTableFormatVersion) {
    return Status::Corruption("footer: unsupported table format version " + std::to_string(format_version) +
                              " (this build reads version " + std::to_string(kTableFormatVersion) + ")");
  }
  Slice handles(p, kHandleArea);
  Status s = properties_handle.DecodeFrom(&handles);
  if (!s.ok()) return s.WithContext("footer properties handle");
  s = filter_handle.DecodeFrom(&handles);
  if (!s.ok()) return s.WithContext("footer filter handle");
  s = index_handle.DecodeFrom(&handles);
  if (!s.ok()) return s.WithContext("footer index handle");
  return Status::OK();
}

void AppendBlockTrailer(std::string* dst, const Slice& stored, uint8_t type) {
  dst->push_back(static_cast<char>(type));
  PutFixed32(dst, crc::Mask(BlockChecksum(stored.data(), stored.size(), type)));
}

Status CheckBlockBounds(uint64_t file_size, const BlockHandle& handle) {
  // Blocks live in [0, file_size - footer); check without overflowing.
  const uint64_t data_end = file_size >= Footer::kEncodedLength ? file_size - Footer::kEncodedLength : 0;
  if (handle.offset() > data_end || handle.size() > data_end - handle.offset() ||
      kBlockTrailerSize > data_end - handle.offset() - handle.size()) {
    return Status::Corruption(Where(handle) + ": extends past the end of the table's blocks (" +
                              std::to_string(data_end) + " bytes)");
  }
  if (handle.size() > kMaxStoredBlockSize) {
    return Status::Corruption(Where(handle) + ": larger than any block a table writer produces");
  }
  return Status::OK();
}

Status DecodeBlock(const char* stored, const BlockHandle& handle, bool verify_checksum,
                   BlockContents* contents) {
  *contents = BlockContents();
  const size_t n = static_cast<size_t>(handle.size());
  const auto type = static_cast<uint8_t>(stored[n]);
  const uint32_t expected = crc::Unmask(DecodeFixed32(stored + n + 1));
  if (verify_checksum && BlockChecksum(stored, n, type) != expected) {
    return Status::Corruption(Where(handle) + ": checksum mismatch");
  }
  switch (static_cast<Compression>(type)) {
    case Compression::kNone: contents->data = Slice(stored, n); return Status::OK();
    case Compression::kZlib: {
      Status s = ZlibUncompress(Slice(stored, n), contents);
      return s.ok() ? s : s.WithContext(Where(handle));
    }
  }
  return Status::Corruption(Where(handle) + ": unknown compression type " + std::to_string(type));
}

Status ReadBlock(const RandomAccessFile& file, uint64_t file_size, const BlockHandle& handle,
                 BlockContents* contents, bool verify_checksum, bool allow_view) {
  *contents = BlockContents();
  Status s = CheckBlockBounds(file_size, handle);
  if (!s.ok()) return s;

  const size_t n = static_cast<size_t>(handle.size());
  // Uninitialized: a mapped file answers without touching it at all. An
  // uncompressed block read into it stays there, owned by the block.
  std::unique_ptr<char[]> buffer(new char[n + kBlockTrailerSize]);
  Slice result;
  s = file.Read(handle.offset(), n + kBlockTrailerSize, &result, buffer.get());
  if (!s.ok()) return s.WithContext(Where(handle));
  if (result.size() != n + kBlockTrailerSize) {
    return Status::Corruption(Where(handle) + ": file ended after " + std::to_string(result.size()) +
                              " of its " + std::to_string(n + kBlockTrailerSize) + " bytes");
  }
  s = DecodeBlock(result.data(), handle, verify_checksum, contents);
  if (!s.ok() || contents->owned != nullptr) return s;  // an error, or inflated
  // Stored uncompressed: a view of result. Read may answer with bytes
  // elsewhere than at the start of the buffer (a mapped file's own memory):
  // a view there, or a copy into the buffer.
  if (result.data() != buffer.get()) {
    if (allow_view && ReadPointsIntoFile(file, result, buffer.get(), n + kBlockTrailerSize)) return s;
    std::memmove(buffer.get(), result.data(), n);
    contents->data = Slice(buffer.get(), n);
  }
  contents->owned = std::move(buffer);
  return s;
}

}  // namespace strata
