#include "table/compression.h"

#include <zlib.h>

#include <string>

#include "table/format.h"
#include "util/coding.h"

namespace strata {

namespace {

// Deflate cannot expand data by more than about 1032:1; a size prefix beyond
// that (plus slack for the zlib header and tiny streams) cannot be honest.
constexpr uint64_t kMaxDeflateRatio = 1032;
constexpr uint64_t kRatioSlack = 64;
constexpr uInt kAdlerBytes = 4;  // the zlib stream's trailer

}  // namespace

bool ZlibCompress(const Slice& raw, int level, std::string* out) {
  if (raw.size() > kMaxBlockSize) return false;
  if (level < 1) level = 1;
  if (level > 9) level = 9;
  PutVarint32(out, static_cast<uint32_t>(raw.size()));
  const size_t start = out->size();
  uLongf bound = compressBound(static_cast<uLong>(raw.size()));
  out->resize(start + bound);
  int rc = compress2(reinterpret_cast<Bytef*>(&(*out)[start]), &bound,
                     reinterpret_cast<const Bytef*>(raw.data()), static_cast<uLong>(raw.size()), level);
  if (rc != Z_OK) return false;
  out->resize(start + bound);
  return true;
}

Status ZlibUncompress(const Slice& stored, BlockContents* out) {
  *out = BlockContents();
  Slice input = stored;
  uint32_t size = 0;
  if (!GetVarint32(&input, &size)) {
    return Status::Corruption("zlib block: malformed uncompressed-size prefix");
  }
  if (size > kMaxBlockSize) {
    return Status::Corruption("zlib block: claims " + std::to_string(size) +
                              " uncompressed bytes, over the " + std::to_string(kMaxBlockSize) +
                              "-byte block limit");
  }
  if (size > input.size() * kMaxDeflateRatio + kRatioSlack) {
    return Status::Corruption("zlib block: claims " + std::to_string(size) + " bytes from a " +
                              std::to_string(input.size()) + "-byte stream, more than deflate can produce");
  }

  // The stream's header (RFC 1950: deflate, no preset dictionary), then
  // its deflate data, inflated raw: the Adler-32 after it is not computed
  // again, as the block's CRC-32C already vouches for every stored byte
  // (ReadBlock checks it before a block is first used; RocksDB stores raw
  // deflate with no Adler-32 at all). Its 4 bytes must still be there.
  if (input.size() < 2 + kAdlerBytes) return Status::Corruption("zlib block: stream is truncated");
  const unsigned cmf = static_cast<uint8_t>(input[0]), flg = static_cast<uint8_t>(input[1]);
  if ((cmf & 0x0f) != Z_DEFLATED || (cmf >> 4) > 7 || (cmf * 256 + flg) % 31 != 0 || (flg & 0x20) != 0) {
    return Status::Corruption("zlib block: malformed stream header");
  }
  input.remove_prefix(2);

  // Not zeroed first: inflate writes every byte, or the block is refused.
  std::unique_ptr<char[]> buffer(new char[size]);
  z_stream zs{};
  if (inflateInit2(&zs, -MAX_WBITS) != Z_OK) return Status::Corruption("zlib block: inflateInit failed");
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(input.data()));
  zs.avail_in = static_cast<uInt>(input.size());
  zs.next_out = reinterpret_cast<Bytef*>(buffer.get());
  zs.avail_out = static_cast<uInt>(size);
  int rc = inflate(&zs, Z_FINISH);
  const std::string zmsg = zs.msg != nullptr ? zs.msg : "";
  const uInt left_in = zs.avail_in;
  const uInt left_out = zs.avail_out;
  inflateEnd(&zs);

  if (rc != Z_STREAM_END) {
    if ((rc == Z_BUF_ERROR || rc == Z_OK) && left_out == 0) {
      return Status::Corruption("zlib block: stream inflates to more than the " + std::to_string(size) +
                                " bytes its prefix claims");
    }
    if (rc == Z_BUF_ERROR) return Status::Corruption("zlib block: stream is truncated");
    return Status::Corruption("zlib block: malformed stream" + (zmsg.empty() ? "" : " (" + zmsg + ")"));
  }
  if (left_out != 0) {
    return Status::Corruption("zlib block: stream inflates to " + std::to_string(size - left_out) +
                              " bytes, its prefix claims " + std::to_string(size));
  }
  if (left_in < kAdlerBytes) {
    return Status::Corruption("zlib block: stream is truncated (its Adler-32 is missing)");
  }
  if (left_in > kAdlerBytes) {
    return Status::Corruption("zlib block: " + std::to_string(left_in - kAdlerBytes) +
                              " trailing bytes after the stream");
  }
  out->data = Slice(buffer.get(), size);
  out->owned = std::move(buffer);
  return Status::OK();
}

}  // namespace strata
