// Binary encoding of CompactionJob and CompactionResult (strata/compaction.h),
// to hand a job to another wasm instance (the compaction Web Worker) and its
// result back.
//
// Notation, all little-endian as in util/coding.h:
//   byte  one raw byte
//   u32   varint32              u64  varint64
//   int   zigzag varint32 (any int round-trips; small ones take one byte)
//   sz    size_t as varint64; the decoder rejects values its size_t cannot
//         hold (wasm32 has a 32-bit size_t)
//   str   u32 length, then the bytes (any bytes, 0x00 and 0xff included)
//   n x   u32 count, then that many x
//
// Job                                  Result
//   byte  'J' (0x4a)                     byte  'R' (0x52)
//   byte  version = 2                    byte  version = 2
//   u64   id                             u64   job_id
//   int   output_level                   u32   status code (Status::Code)
//   n     inputs: u64 file_number,       str   status message (empty if OK)
//           str path, u64 size,          n     outputs: u64 file_number,
//           int level                              str path, u64 size,
//   u64   smallest_snapshot                        str smallest, str largest,
//   n     deeper_ranges:                           u64 smallest_seq,
//           str smallest, str largest              u64 largest_seq,
//   n     grandparent_ranges:                      u64 entries, u64 tombstones,
//           str smallest, str largest              u64 raw_key_bytes,
//   n     grandparent_sizes: u64                   u64 raw_value_bytes,
//   u64   max_grandparent_overlap                  str properties
//                                        u64   bytes_read, bytes_written,
//   str   output_dir                     u64   entries_read, entries_written,
//   sz    target_file_size, block_size   u64   entries_dropped, micros
//   int   block_restart_interval,
//         bloom_bits_per_key
//   byte  compression (0 none, 1 zlib)
//   int   zlib_level
//
// Every field is always present, in this order; nothing follows the last.
// grandparent_sizes is its own vector, so a job whose sizes and ranges
// disagree in length still round-trips. Both ends are one build, so a
// decoder accepts only its own version: any change to the layout bumps it.
//
// Decoding trusts nothing: a wrong magic or version, a truncated, overlong
// or overflowing varint, a string or count running past the end, a size_t,
// compression or status code out of range, an OK status with a message, or
// trailing bytes is Corruption naming the field. A count is checked against
// the bytes left (each element takes at least one byte per field) before
// anything is reserved, so allocation is bounded by the input size.
//
// Example: a default-constructed CompactionJob encodes to 18 bytes:
//   4a 02 | 00 00 | 00 | 00 | 00 00 00 | 00 | 00 | 00 80 20 | 20 14 | 00 02
//   (magic, version | id, output_level | inputs | smallest_snapshot |
//   three empty range/size vectors | overlap | output_dir | target_file_size,
//   block_size 4096 | restart interval 16, bloom bits 10 | kNone, zlib 1).
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "strata/compaction.h"
#include "util/coding.h"

namespace strata {

namespace {

constexpr char kJobMagic = 'J';
constexpr char kResultMagic = 'R';
constexpr uint8_t kFormatVersion = 2;  // 2: outputs carry their properties

// Smallest encoding of one vector element: one byte per field.
constexpr size_t kMinInputBytes = 4;
constexpr size_t kMinRangeBytes = 2;
constexpr size_t kMinSizeBytes = 1;
constexpr size_t kMinOutputBytes = 12;

static_assert(sizeof(int) == 4, "int is encoded as a zigzag varint32");

void PutInt(std::string* dst, int v) {
  const auto u = static_cast<uint32_t>(v);
  PutVarint32(dst, (u << 1) ^ (v < 0 ? 0xffffffffu : 0u));
}

void PutSize(std::string* dst, size_t v) {
  PutVarint64(dst, static_cast<uint64_t>(v));
}

void PutCount(std::string* dst, size_t n) {
  PutVarint32(dst, static_cast<uint32_t>(n));
}

void PutRanges(std::string* dst, const std::vector<KeyRange>& ranges) {
  PutCount(dst, ranges.size());
  for (const KeyRange& r : ranges) {
    PutLengthPrefixedSlice(dst, r.smallest);
    PutLengthPrefixedSlice(dst, r.largest);
  }
}

// Reads fields in order. The first failure sticks: later reads do nothing
// and return zero values, and status() names the field that failed.
class Reader {
 public:
  Reader(const Slice& input, const char* what) : in_(input), what_(what) {}

  bool ok() const { return status_.ok(); }

  // Checks the magic byte and version.
  void Header(char magic) {
    uint8_t b = 0;
    Byte("magic", &b);
    if (ok() && static_cast<char>(b) != magic) {
      Fail("magic", "is 0x" + Hex(b) + ", want 0x" + Hex(static_cast<uint8_t>(magic)));
    }
    Byte("version", &b);
    if (ok() && b != kFormatVersion) {
      Fail("version",
           "is " + std::to_string(b) + ", this build reads only " + std::to_string(kFormatVersion));
    }
  }

  void Byte(const char* field, uint8_t* v) {
    *v = 0;
    if (!ok()) return;
    if (in_.empty()) return Fail(field, "truncated");
    *v = static_cast<uint8_t>(in_[0]);
    in_.remove_prefix(1);
  }

  void U32(const char* field, uint32_t* v) {
    *v = 0;
    if (ok() && !GetVarint32(&in_, v)) VarintFailed(field, 5);
  }

  void U64(const char* field, uint64_t* v) {
    *v = 0;
    if (ok() && !GetVarint64(&in_, v)) VarintFailed(field, 10);
  }

  void Int(const char* field, int* v) {
    uint32_t u = 0;
    U32(field, &u);
    // Undoes PutInt; the two's-complement conversion to int is exact.
    *v = static_cast<int>(static_cast<int32_t>((u >> 1) ^ (0u - (u & 1))));
  }

  void Size(const char* field, size_t* v) {
    uint64_t u = 0;
    U64(field, &u);
    if (ok() && u > std::numeric_limits<size_t>::max()) {
      Fail(field, "value " + std::to_string(u) + " does not fit in size_t");
      u = 0;
    }
    *v = static_cast<size_t>(u);
  }

  void Str(const char* field, std::string* v) {
    v->clear();
    uint32_t len = 0;
    U32(field, &len);
    if (!ok()) return;
    if (len > in_.size()) {
      return Fail(field, "length " + std::to_string(len) + " runs past the end (" +
                             std::to_string(in_.size()) + " bytes left)");
    }
    v->assign(in_.data(), len);
    in_.remove_prefix(len);
  }

  // Reads the element count of a vector whose elements each take at least
  // min_bytes; a count the remaining input cannot hold is Corruption, so
  // the caller may reserve the count returned.
  uint32_t Count(const char* field, size_t min_bytes) {
    uint32_t n = 0;
    U32(field, &n);
    if (ok() && n > in_.size() / min_bytes) {
      Fail(field,
           "count " + std::to_string(n) + " cannot fit in the " + std::to_string(in_.size()) + " bytes left");
      n = 0;
    }
    return n;
  }

  // Names the element being read, for messages: "<vector>[<index>].<field>".
  void Element(const char* vector, uint32_t index) {
    vector_ = vector;
    index_ = index;
  }
  void EndElements() { vector_ = nullptr; }

  // The outcome: the first failure, or trailing bytes, or OK.
  Status Finish() {
    if (ok() && !in_.empty()) {
      vector_ = nullptr;
      Fail("end", std::to_string(in_.size()) + " trailing bytes");
    }
    return status_;
  }

  void Fail(const char* field, const std::string& problem) {
    if (!ok()) return;
    std::string name = vector_ == nullptr
                           ? std::string(field)
                           : std::string(vector_) + "[" + std::to_string(index_) + "]." + field;
    status_ = Status::Corruption(std::string(what_) + ": " + name + ": " + problem);
    in_.clear();
  }

 private:
  static std::string Hex(uint8_t b) {
    static const char kDigits[] = "0123456789abcdef";
    return std::string{kDigits[b >> 4], kDigits[b & 15]};
  }

  // A varint of at most max_len bytes failed to decode from in_ (which the
  // failed Get left unchanged): the input ended inside it, or it is overlong.
  void VarintFailed(const char* field, size_t max_len) {
    bool ran_out = in_.size() < max_len;
    for (size_t i = 0; ran_out && i < in_.size(); i++) {
      ran_out = (static_cast<uint8_t>(in_[i]) & 0x80) != 0;
    }
    Fail(field, ran_out ? "truncated" : "malformed varint");
  }

  Slice in_;
  const char* what_;
  const char* vector_ = nullptr;
  uint32_t index_ = 0;
  Status status_;
};

void GetRanges(Reader* r, const char* vector, std::vector<KeyRange>* ranges) {
  const uint32_t n = r->Count(vector, kMinRangeBytes);
  ranges->reserve(n);
  for (uint32_t i = 0; i < n && r->ok(); i++) {
    r->Element(vector, i);
    KeyRange range;
    r->Str("smallest", &range.smallest);
    r->Str("largest", &range.largest);
    ranges->push_back(std::move(range));
  }
  r->EndElements();
}

}  // namespace

std::string EncodeCompactionJob(const CompactionJob& job) {
  std::string dst;
  dst.push_back(kJobMagic);
  dst.push_back(static_cast<char>(kFormatVersion));
  PutVarint64(&dst, job.id);
  PutInt(&dst, job.output_level);
  PutCount(&dst, job.inputs.size());
  for (const CompactionInput& in : job.inputs) {
    PutVarint64(&dst, in.file_number);
    PutLengthPrefixedSlice(&dst, in.path);
    PutVarint64(&dst, in.size);
    PutInt(&dst, in.level);
  }
  PutVarint64(&dst, job.smallest_snapshot);
  PutRanges(&dst, job.deeper_ranges);
  PutRanges(&dst, job.grandparent_ranges);
  PutCount(&dst, job.grandparent_sizes.size());
  for (uint64_t size : job.grandparent_sizes) PutVarint64(&dst, size);
  PutVarint64(&dst, job.max_grandparent_overlap);
  PutLengthPrefixedSlice(&dst, job.output_dir);
  PutSize(&dst, job.target_file_size);
  PutSize(&dst, job.block_size);
  PutInt(&dst, job.block_restart_interval);
  PutInt(&dst, job.bloom_bits_per_key);
  dst.push_back(static_cast<char>(job.compression));
  PutInt(&dst, job.zlib_level);
  return dst;
}

Status DecodeCompactionJob(const Slice& bytes, CompactionJob* job) {
  Reader r(bytes, "compaction job");
  CompactionJob j;
  r.Header(kJobMagic);
  r.U64("id", &j.id);
  r.Int("output_level", &j.output_level);
  const uint32_t inputs = r.Count("inputs", kMinInputBytes);
  j.inputs.reserve(inputs);
  for (uint32_t i = 0; i < inputs && r.ok(); i++) {
    r.Element("inputs", i);
    CompactionInput in;
    r.U64("file_number", &in.file_number);
    r.Str("path", &in.path);
    r.U64("size", &in.size);
    r.Int("level", &in.level);
    j.inputs.push_back(std::move(in));
  }
  r.EndElements();
  r.U64("smallest_snapshot", &j.smallest_snapshot);
  GetRanges(&r, "deeper_ranges", &j.deeper_ranges);
  GetRanges(&r, "grandparent_ranges", &j.grandparent_ranges);
  const uint32_t sizes = r.Count("grandparent_sizes", kMinSizeBytes);
  j.grandparent_sizes.reserve(sizes);
  for (uint32_t i = 0; i < sizes && r.ok(); i++) {
    r.Element("grandparent_sizes", i);
    uint64_t size = 0;
    r.U64("size", &size);
    j.grandparent_sizes.push_back(size);
  }
  r.EndElements();
  r.U64("max_grandparent_overlap", &j.max_grandparent_overlap);
  r.Str("output_dir", &j.output_dir);
  r.Size("target_file_size", &j.target_file_size);
  r.Size("block_size", &j.block_size);
  r.Int("block_restart_interval", &j.block_restart_interval);
  r.Int("bloom_bits_per_key", &j.bloom_bits_per_key);
  uint8_t compression = 0;
  r.Byte("compression", &compression);
  switch (static_cast<Compression>(compression)) {
    case Compression::kNone:
    case Compression::kZlib: j.compression = static_cast<Compression>(compression); break;
    default: r.Fail("compression", "unknown value " + std::to_string(compression)); break;
  }
  r.Int("zlib_level", &j.zlib_level);
  Status s = r.Finish();
  if (s.ok()) *job = std::move(j);
  return s;
}

std::string EncodeCompactionResult(const CompactionResult& result) {
  std::string dst;
  dst.push_back(kResultMagic);
  dst.push_back(static_cast<char>(kFormatVersion));
  PutVarint64(&dst, result.job_id);
  PutVarint32(&dst, static_cast<uint32_t>(result.status.code()));
  PutLengthPrefixedSlice(&dst, result.status.message());
  PutCount(&dst, result.outputs.size());
  for (const CompactionOutput& out : result.outputs) {
    PutVarint64(&dst, out.file_number);
    PutLengthPrefixedSlice(&dst, out.path);
    PutVarint64(&dst, out.size);
    PutLengthPrefixedSlice(&dst, out.smallest);
    PutLengthPrefixedSlice(&dst, out.largest);
    PutVarint64(&dst, out.smallest_seq);
    PutVarint64(&dst, out.largest_seq);
    PutVarint64(&dst, out.entries);
    PutVarint64(&dst, out.tombstones);
    PutVarint64(&dst, out.raw_key_bytes);
    PutVarint64(&dst, out.raw_value_bytes);
    PutLengthPrefixedSlice(&dst, out.properties);
  }
  PutVarint64(&dst, result.bytes_read);
  PutVarint64(&dst, result.bytes_written);
  PutVarint64(&dst, result.entries_read);
  PutVarint64(&dst, result.entries_written);
  PutVarint64(&dst, result.entries_dropped);
  PutVarint64(&dst, result.micros);
  return dst;
}

Status DecodeCompactionResult(const Slice& bytes, CompactionResult* result) {
  Reader r(bytes, "compaction result");
  CompactionResult res;
  r.Header(kResultMagic);
  r.U64("job_id", &res.job_id);
  uint32_t code = 0;
  std::string message;
  r.U32("status code", &code);
  r.Str("status message", &message);
  if (r.ok()) {
    using Code = Status::Code;
    switch (static_cast<Code>(static_cast<int>(code))) {
      case Code::kOk:
        if (!message.empty()) r.Fail("status message", "present on an OK status");
        break;
      case Code::kNotFound: res.status = Status::NotFound(message); break;
      case Code::kCorruption: res.status = Status::Corruption(message); break;
      case Code::kInvalidArgument: res.status = Status::InvalidArgument(message); break;
      case Code::kIOError: res.status = Status::IOError(message); break;
      case Code::kBusy: res.status = Status::Busy(message); break;
      case Code::kReadOnly: res.status = Status::ReadOnly(message); break;
      default: r.Fail("status code", "unknown code " + std::to_string(code)); break;
    }
  }
  const uint32_t outputs = r.Count("outputs", kMinOutputBytes);
  res.outputs.reserve(outputs);
  for (uint32_t i = 0; i < outputs && r.ok(); i++) {
    r.Element("outputs", i);
    CompactionOutput out;
    r.U64("file_number", &out.file_number);
    r.Str("path", &out.path);
    r.U64("size", &out.size);
    r.Str("smallest", &out.smallest);
    r.Str("largest", &out.largest);
    r.U64("smallest_seq", &out.smallest_seq);
    r.U64("largest_seq", &out.largest_seq);
    r.U64("entries", &out.entries);
    r.U64("tombstones", &out.tombstones);
    r.U64("raw_key_bytes", &out.raw_key_bytes);
    r.U64("raw_value_bytes", &out.raw_value_bytes);
    r.Str("properties", &out.properties);
    res.outputs.push_back(std::move(out));
  }
  r.EndElements();
  r.U64("bytes_read", &res.bytes_read);
  r.U64("bytes_written", &res.bytes_written);
  r.U64("entries_read", &res.entries_read);
  r.U64("entries_written", &res.entries_written);
  r.U64("entries_dropped", &res.entries_dropped);
  r.U64("micros", &res.micros);
  Status s = r.Finish();
  if (s.ok()) *result = std::move(res);
  return s;
}

}  // namespace strata
