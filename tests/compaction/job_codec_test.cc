// The binary encoding of compaction jobs and results
// (strata/compaction.h, engine/src/compaction/job_codec.cc).
#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <initializer_list>
#include <limits>
#include <new>
#include <string>
#include <vector>

#include "strata/compaction.h"
#include "util/coding.h"
#include "util/random.h"

// To check that a decoder rejects a huge declared count without reserving
// it, this test binary replaces the global allocation functions with ones
// that record the largest request while tracking is on. They only forward
// to malloc/free. Sanitizer builds keep their own allocator (and its
// new/delete mismatch checks), so there the check is skipped.
#if defined(__SANITIZE_ADDRESS__)
#define STRATA_TRACK_ALLOCATIONS 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(memory_sanitizer)
#define STRATA_TRACK_ALLOCATIONS 0
#endif
#endif
#ifndef STRATA_TRACK_ALLOCATIONS
#define STRATA_TRACK_ALLOCATIONS 1
#endif

namespace {
std::atomic<bool> g_tracking{false};
std::atomic<size_t> g_largest_allocation{0};
}  // namespace

#if STRATA_TRACK_ALLOCATIONS
namespace {
void* TrackedAllocate(size_t n) noexcept {
  if (g_tracking.load(std::memory_order_relaxed)) {
    size_t seen = g_largest_allocation.load(std::memory_order_relaxed);
    while (n > seen && !g_largest_allocation.compare_exchange_weak(seen, n)) {
    }
  }
  return std::malloc(n == 0 ? 1 : n);
}
void* TrackedAllocateOrThrow(size_t n) {
  void* p = TrackedAllocate(n);
  if (p == nullptr) throw std::bad_alloc();
  return p;
}
}  // namespace

void* operator new(size_t n) {
  return TrackedAllocateOrThrow(n);
}
void* operator new[](size_t n) {
  return TrackedAllocateOrThrow(n);
}
void* operator new(size_t n, const std::nothrow_t&) noexcept {
  return TrackedAllocate(n);
}
void* operator new[](size_t n, const std::nothrow_t&) noexcept {
  return TrackedAllocate(n);
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete[](void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, size_t) noexcept {
  std::free(p);
}
void operator delete[](void* p, size_t) noexcept {
  std::free(p);
}
void operator delete(void* p, const std::nothrow_t&) noexcept {
  std::free(p);
}
void operator delete[](void* p, const std::nothrow_t&) noexcept {
  std::free(p);
}
#endif

namespace strata {
namespace {

std::string Bytes(std::initializer_list<int> bytes) {
  std::string s;
  for (int b : bytes) s.push_back(static_cast<char>(b));
  return s;
}

// Every field set, no two numbers alike, keys with 0x00 and 0xff bytes.
CompactionJob FullJob() {
  CompactionJob job;
  job.id = 0x0123456789abcdefULL;
  job.output_level = 3;
  job.inputs.push_back({101, "/db/000101.sst", 4096001, 2});
  job.inputs.push_back({std::numeric_limits<uint64_t>::max(), Bytes({'/', 0x00, 0xff, 'x'}), 0, -7});
  job.inputs.push_back({103, "", 300, 3});
  job.smallest_snapshot = 0xfedcba9876543210ULL;
  job.deeper_ranges.push_back({Bytes({0x00}), Bytes({0xff, 0xff})});
  job.deeper_ranges.push_back({"apple", Bytes({'p', 0x00, 'r'})});
  job.grandparent_ranges.push_back({"", Bytes({0xff})});
  job.grandparent_ranges.push_back({Bytes({0x00, 0x00}), "zz"});
  job.grandparent_ranges.push_back({"m", "n"});
  job.grandparent_sizes = {11, 1ULL << 40, 0, 13};  // length differs on purpose
  job.max_grandparent_overlap = 987654321;
  job.output_dir = Bytes({'/', 'o', 0x00, 'u', 0xff, 't'});
  job.target_file_size = 64 << 20;
  job.block_size = 16385;
  job.block_restart_interval = -1;
  job.bloom_bits_per_key = std::numeric_limits<int>::max();
  job.compression = Compression::kZlib;
  job.zlib_level = std::numeric_limits<int>::min();
  return job;
}

CompactionResult FullResult() {
  CompactionResult result;
  result.job_id = 0xdeadbeefcafef00dULL;
  result.status = Status::IOError(Bytes({'d', 'i', 's', 'k', 0x00, 0xff, '!'}));
  CompactionOutput a;
  a.file_number = 200;
  a.path = "/db/000200.sst";
  a.size = 123456;
  a.smallest = Bytes({'a', 0x00, 1, 0, 0, 0, 0, 0, 0, 0xff});
  a.largest = Bytes({0xff, 0xff, 0xff, 0x00});
  a.smallest_seq = 1;
  a.largest_seq = std::numeric_limits<uint64_t>::max();
  a.entries = 3000;
  a.tombstones = 40;
  a.raw_key_bytes = 50001;
  a.raw_value_bytes = 600002;
  a.properties = Bytes({0x08, 0x00, 0xff, 'p'});
  CompactionOutput b;
  b.file_number = 201;
  b.path = Bytes({0x00});
  b.size = 7;
  b.smallest = "";
  b.largest = "k";
  b.smallest_seq = 8;
  b.largest_seq = 9;
  b.entries = 10;
  b.tombstones = 11;
  b.raw_key_bytes = 12;
  b.raw_value_bytes = 13;
  result.outputs = {a, b};
  result.bytes_read = 1000001;
  result.bytes_written = 1000002;
  result.entries_read = 1000003;
  result.entries_written = 1000004;
  result.entries_dropped = 1000005;
  result.micros = 1ULL << 63;
  return result;
}

void ExpectRangesEqual(const std::vector<KeyRange>& a, const std::vector<KeyRange>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); i++) {
    EXPECT_EQ(a[i].smallest, b[i].smallest) << i;
    EXPECT_EQ(a[i].largest, b[i].largest) << i;
  }
}

void ExpectJobsEqual(const CompactionJob& a, const CompactionJob& b) {
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.output_level, b.output_level);
  ASSERT_EQ(a.inputs.size(), b.inputs.size());
  for (size_t i = 0; i < a.inputs.size(); i++) {
    EXPECT_EQ(a.inputs[i].file_number, b.inputs[i].file_number) << i;
    EXPECT_EQ(a.inputs[i].path, b.inputs[i].path) << i;
    EXPECT_EQ(a.inputs[i].size, b.inputs[i].size) << i;
    EXPECT_EQ(a.inputs[i].level, b.inputs[i].level) << i;
  }
  EXPECT_EQ(a.smallest_snapshot, b.smallest_snapshot);
  ExpectRangesEqual(a.deeper_ranges, b.deeper_ranges);
  ExpectRangesEqual(a.grandparent_ranges, b.grandparent_ranges);
  EXPECT_EQ(a.grandparent_sizes, b.grandparent_sizes);
  EXPECT_EQ(a.max_grandparent_overlap, b.max_grandparent_overlap);
  EXPECT_EQ(a.output_dir, b.output_dir);
  EXPECT_EQ(a.target_file_size, b.target_file_size);
  EXPECT_EQ(a.block_size, b.block_size);
  EXPECT_EQ(a.block_restart_interval, b.block_restart_interval);
  EXPECT_EQ(a.bloom_bits_per_key, b.bloom_bits_per_key);
  EXPECT_EQ(a.compression, b.compression);
  EXPECT_EQ(a.zlib_level, b.zlib_level);
}

void ExpectResultsEqual(const CompactionResult& a, const CompactionResult& b) {
  EXPECT_EQ(a.job_id, b.job_id);
  EXPECT_EQ(a.status.code(), b.status.code());
  EXPECT_EQ(a.status.message(), b.status.message());
  ASSERT_EQ(a.outputs.size(), b.outputs.size());
  for (size_t i = 0; i < a.outputs.size(); i++) {
    const CompactionOutput& x = a.outputs[i];
    const CompactionOutput& y = b.outputs[i];
    EXPECT_EQ(x.file_number, y.file_number) << i;
    EXPECT_EQ(x.path, y.path) << i;
    EXPECT_EQ(x.size, y.size) << i;
    EXPECT_EQ(x.smallest, y.smallest) << i;
    EXPECT_EQ(x.largest, y.largest) << i;
    EXPECT_EQ(x.smallest_seq, y.smallest_seq) << i;
    EXPECT_EQ(x.largest_seq, y.largest_seq) << i;
    EXPECT_EQ(x.entries, y.entries) << i;
    EXPECT_EQ(x.tombstones, y.tombstones) << i;
    EXPECT_EQ(x.raw_key_bytes, y.raw_key_bytes) << i;
    EXPECT_EQ(x.raw_value_bytes, y.raw_value_bytes) << i;
    EXPECT_EQ(x.properties, y.properties) << i;
  }
  EXPECT_EQ(a.bytes_read, b.bytes_read);
  EXPECT_EQ(a.bytes_written, b.bytes_written);
  EXPECT_EQ(a.entries_read, b.entries_read);
  EXPECT_EQ(a.entries_written, b.entries_written);
  EXPECT_EQ(a.entries_dropped, b.entries_dropped);
  EXPECT_EQ(a.micros, b.micros);
}

// A job and a result that decoding must leave alone when it fails.
CompactionJob SentinelJob() {
  CompactionJob job;
  job.id = 424242;
  job.output_dir = "sentinel";
  return job;
}

CompactionResult SentinelResult() {
  CompactionResult result;
  result.job_id = 424242;
  result.status = Status::Busy("sentinel");
  return result;
}

Status DecodeJob(const std::string& bytes) {
  CompactionJob job = SentinelJob();
  Status s = DecodeCompactionJob(bytes, &job);
  if (!s.ok()) ExpectJobsEqual(job, SentinelJob());
  return s;
}

Status DecodeResult(const std::string& bytes) {
  CompactionResult result = SentinelResult();
  Status s = DecodeCompactionResult(bytes, &result);
  if (!s.ok()) ExpectResultsEqual(result, SentinelResult());
  return s;
}

void ExpectCorruption(const Status& s, const std::string& words) {
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(s.message().find(words), std::string::npos) << "\"" << words << "\" not in " << s.ToString();
}

TEST(JobCodecTest, JobRoundTrip) {
  const CompactionJob job = FullJob();
  const std::string bytes = EncodeCompactionJob(job);
  CompactionJob decoded;
  ASSERT_TRUE(DecodeCompactionJob(bytes, &decoded).ok());
  ExpectJobsEqual(decoded, job);
  EXPECT_EQ(EncodeCompactionJob(decoded), bytes);
}

TEST(JobCodecTest, ResultRoundTrip) {
  const CompactionResult result = FullResult();
  const std::string bytes = EncodeCompactionResult(result);
  CompactionResult decoded;
  ASSERT_TRUE(DecodeCompactionResult(bytes, &decoded).ok());
  ExpectResultsEqual(decoded, result);
  EXPECT_TRUE(decoded.status.IsIOError());
  EXPECT_EQ(EncodeCompactionResult(decoded), bytes);
}

TEST(JobCodecTest, EveryStatusCodeRoundTrips) {
  const std::vector<Status> statuses = {
      Status::OK(),          Status::NotFound("nf"), Status::Corruption("c"), Status::InvalidArgument(""),
      Status::IOError("io"), Status::Busy("b"),      Status::ReadOnly("ro"),
  };
  for (const Status& status : statuses) {
    CompactionResult result = FullResult();
    result.status = status;
    CompactionResult decoded;
    ASSERT_TRUE(DecodeCompactionResult(EncodeCompactionResult(result), &decoded).ok()) << status.ToString();
    EXPECT_EQ(decoded.status.code(), status.code());
    EXPECT_EQ(decoded.status.message(), status.message());
  }
}

TEST(JobCodecTest, EmptyVectorsRoundTrip) {
  CompactionJob job = FullJob();
  job.inputs.clear();
  job.deeper_ranges.clear();
  job.grandparent_ranges.clear();
  job.grandparent_sizes.clear();
  job.output_dir.clear();
  CompactionJob decoded_job = FullJob();
  ASSERT_TRUE(DecodeCompactionJob(EncodeCompactionJob(job), &decoded_job).ok());
  ExpectJobsEqual(decoded_job, job);

  CompactionResult result;  // OK, no outputs, zero counters
  CompactionResult decoded_result = FullResult();
  ASSERT_TRUE(DecodeCompactionResult(EncodeCompactionResult(result), &decoded_result).ok());
  ExpectResultsEqual(decoded_result, result);
  EXPECT_TRUE(decoded_result.status.ok());
}

TEST(JobCodecTest, ExtremeNumbersRoundTrip) {
  for (int v : {0, 1, -1, 63, -64, 64, std::numeric_limits<int>::max(), std::numeric_limits<int>::min()}) {
    CompactionJob job;
    job.output_level = v;
    job.inputs.push_back({0, "", 0, v});
    job.block_restart_interval = v;
    job.bloom_bits_per_key = ~v;
    job.zlib_level = v;
    job.target_file_size = std::numeric_limits<size_t>::max();
    job.block_size = 0;
    job.id = job.smallest_snapshot = job.max_grandparent_overlap = std::numeric_limits<uint64_t>::max();
    CompactionJob decoded;
    ASSERT_TRUE(DecodeCompactionJob(EncodeCompactionJob(job), &decoded).ok()) << v;
    ExpectJobsEqual(decoded, job);
  }
}

// The example in job_codec.cc's format comment.
TEST(JobCodecTest, DefaultEncodingsAreStable) {
  EXPECT_EQ(EncodeCompactionJob(CompactionJob()),
            Bytes({'J', 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x80, 0x20, 0x20, 0x14, 0, 2}));
  EXPECT_EQ(EncodeCompactionResult(CompactionResult()), Bytes({'R', 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}));
}

TEST(JobCodecTest, EveryTruncationIsCorruption) {
  const std::string job = EncodeCompactionJob(FullJob());
  for (size_t n = 0; n < job.size(); n++) {
    Status s = DecodeJob(job.substr(0, n));
    EXPECT_TRUE(s.IsCorruption()) << n << ": " << s.ToString();
    EXPECT_EQ(s.message().rfind("compaction job: ", 0), 0u) << s.ToString();
  }
  const std::string result = EncodeCompactionResult(FullResult());
  for (size_t n = 0; n < result.size(); n++) {
    Status s = DecodeResult(result.substr(0, n));
    EXPECT_TRUE(s.IsCorruption()) << n << ": " << s.ToString();
    EXPECT_EQ(s.message().rfind("compaction result: ", 0), 0u) << s.ToString();
  }
  // The same for empty vectors, whose counts are the last byte of a field.
  const std::string empty_job = EncodeCompactionJob(CompactionJob());
  for (size_t n = 0; n < empty_job.size(); n++)
    EXPECT_TRUE(DecodeJob(empty_job.substr(0, n)).IsCorruption()) << n;
  const std::string empty_result = EncodeCompactionResult(CompactionResult());
  for (size_t n = 0; n < empty_result.size(); n++) {
    EXPECT_TRUE(DecodeResult(empty_result.substr(0, n)).IsCorruption()) << n;
  }
}

TEST(JobCodecTest, TruncationNamesTheField) {
  const std::string job = EncodeCompactionJob(FullJob());
  ExpectCorruption(DecodeJob(""), "magic: truncated");
  ExpectCorruption(DecodeJob(job.substr(0, 1)), "version: truncated");
  // The inputs count is checked against the bytes left first: three
  // inputs need at least 12.
  std::string prefix = job.substr(0, 2);
  PutVarint64(&prefix, FullJob().id);
  prefix.push_back(static_cast<char>(6));  // output_level 3, zigzag
  prefix.push_back(static_cast<char>(3));  // three inputs
  ASSERT_EQ(job.compare(0, prefix.size(), prefix), 0);
  ExpectCorruption(DecodeJob(prefix), "compaction job: inputs: count 3 cannot fit in the 0 bytes left");
  // Cut two bytes into the second input's 4-byte path: after the first
  // input (1 + 1 + 14 + 4 + 1 bytes), the second's file_number (10 bytes,
  // all ones) and its path length.
  ExpectCorruption(DecodeJob(job.substr(0, prefix.size() + 21 + 10 + 1 + 2)),
                   "compaction job: inputs[1].path: length 4 runs past the end (2 bytes left)");
  ExpectCorruption(DecodeJob(job.substr(0, job.size() - 1)), "compaction job: zlib_level: truncated");

  const std::string result = EncodeCompactionResult(FullResult());
  ExpectCorruption(DecodeResult(result.substr(0, result.size() - 1)), "compaction result: micros: truncated");
}

TEST(JobCodecTest, WrongVersionOrMagicIsCorruption) {
  const std::string job = EncodeCompactionJob(FullJob());
  const std::string result = EncodeCompactionResult(FullResult());
  for (int version : {0, 1, 3, 0x81, 0xff}) {
    std::string j = job;
    j[1] = static_cast<char>(version);
    ExpectCorruption(DecodeJob(j), "compaction job: version: is " + std::to_string(version));
    std::string r = result;
    r[1] = static_cast<char>(version);
    ExpectCorruption(DecodeResult(r), "compaction result: version: is " + std::to_string(version));
  }
  // Each flipped bit of the version byte.
  for (int bit = 0; bit < 8; bit++) {
    std::string j = job;
    j[1] = static_cast<char>(j[1] ^ (1 << bit));
    EXPECT_TRUE(DecodeJob(j).IsCorruption()) << bit;
    std::string r = result;
    r[1] = static_cast<char>(r[1] ^ (1 << bit));
    EXPECT_TRUE(DecodeResult(r).IsCorruption()) << bit;
  }
  ExpectCorruption(DecodeJob(result), "compaction job: magic: is 0x52, want 0x4a");
  ExpectCorruption(DecodeResult(job), "compaction result: magic: is 0x4a, want 0x52");
}

TEST(JobCodecTest, TrailingBytesAreCorruption) {
  for (const std::string& garbage : {Bytes({0}), Bytes({0xff}), std::string("more than one byte")}) {
    ExpectCorruption(DecodeJob(EncodeCompactionJob(FullJob()) + garbage),
                     "end: " + std::to_string(garbage.size()) + " trailing bytes");
    ExpectCorruption(DecodeJob(EncodeCompactionJob(CompactionJob()) + garbage), "trailing bytes");
    ExpectCorruption(DecodeResult(EncodeCompactionResult(FullResult()) + garbage), "trailing bytes");
    ExpectCorruption(DecodeResult(EncodeCompactionResult(CompactionResult()) + garbage), "trailing bytes");
  }
}

// Bytes of a job up to (not including) the inputs count.
std::string JobPrefixBeforeInputs() {
  std::string s = Bytes({'J', 2});
  PutVarint64(&s, 5);  // id
  PutVarint32(&s, 2);  // output_level 1
  return s;
}

TEST(JobCodecTest, HugeCountIsCorruptionWithoutAllocating) {
  struct Case {
    std::string bytes;
    std::string words;
  };
  std::vector<Case> cases;
  // inputs: a count of 2^32-1 followed by one plausible input.
  {
    std::string s = JobPrefixBeforeInputs();
    PutVarint32(&s, 0xffffffffu);
    s += Bytes({1, 0, 1, 0});
    cases.push_back({s, "compaction job: inputs: count 4294967295 cannot fit in the 4 bytes left"});
  }
  // The same count for each later vector of a job: encode a job whose
  // vector has one element, then replace that element's count.
  {
    std::string s = JobPrefixBeforeInputs();
    PutVarint32(&s, 0);  // inputs
    PutVarint64(&s, 9);  // smallest_snapshot
    std::string deeper = s;
    PutVarint32(&deeper, 0x7fffffffu);
    deeper += std::string(100, '\0');
    cases.push_back({deeper, "deeper_ranges: count 2147483647 cannot fit in the 100 bytes left"});
    PutVarint32(&s, 0);  // deeper_ranges
    std::string grandparents = s;
    PutVarint32(&grandparents, 1000);
    grandparents += std::string(1999, '\0');
    cases.push_back({grandparents, "grandparent_ranges: count 1000 cannot fit in the 1999 bytes left"});
    PutVarint32(&s, 0);  // grandparent_ranges
    std::string sizes = s;
    PutVarint32(&sizes, 0xffffffffu);
    sizes += std::string(30, '\0');
    cases.push_back({sizes, "grandparent_sizes: count 4294967295 cannot fit in the 30 bytes left"});
  }
  {
    std::string s = Bytes({'R', 2, 7, 0, 0});  // job_id 7, OK, no message
    PutVarint32(&s, 0xffffffffu);
    s += std::string(50, '\x01');
    cases.push_back({s, "compaction result: outputs: count 4294967295 cannot fit in the 50 bytes left"});
  }
  // A string length far past the end.
  {
    std::string s = JobPrefixBeforeInputs();
    PutVarint32(&s, 1);
    PutVarint64(&s, 77);           // file_number
    PutVarint32(&s, 0xfffffff0u);  // path length
    s += "abc";
    cases.push_back(
        {s, "compaction job: inputs[0].path: length 4294967280 runs past the end (3 bytes left)"});
  }

  if (STRATA_TRACK_ALLOCATIONS) {  // the hook sees allocations
    g_largest_allocation = 0;
    g_tracking = true;
    std::string big(100000, 'x');
    g_tracking = false;
    EXPECT_EQ(big.size(), 100000u);
    EXPECT_GE(g_largest_allocation.load(), 100000u);
  }
  for (const Case& c : cases) {
    Status s;
    g_largest_allocation = 0;
    g_tracking = true;
    if (c.bytes[0] == 'J') {
      CompactionJob job;
      s = DecodeCompactionJob(c.bytes, &job);
    } else {
      CompactionResult result;
      s = DecodeCompactionResult(c.bytes, &result);
    }
    g_tracking = false;
    ExpectCorruption(s, c.words);
    if (STRATA_TRACK_ALLOCATIONS) {
      EXPECT_LT(g_largest_allocation.load(), 4096u) << c.words;
    }
  }
}

TEST(JobCodecTest, OutOfRangeValuesAreCorruption) {
  // Compression is the second-to-last field, before a one-byte zlib_level.
  CompactionJob full = FullJob();
  full.zlib_level = 9;
  std::string job = EncodeCompactionJob(full);
  ASSERT_EQ(job[job.size() - 2], static_cast<char>(Compression::kZlib));
  for (int v : {2, 0x7f, 0xff}) {
    std::string bad = job;
    bad[bad.size() - 2] = static_cast<char>(v);
    ExpectCorruption(DecodeJob(bad), "compaction job: compression: unknown value " + std::to_string(v));
  }

  // Status code and message follow the one-byte job_id.
  for (uint32_t code : {7u, 100u, 0x80000000u, 0xffffffffu}) {
    std::string bad = Bytes({'R', 2, 0});
    PutVarint32(&bad, code);
    bad += Bytes({0, 0, 0, 0, 0, 0, 0, 0});  // message, outputs, counters
    ExpectCorruption(DecodeResult(bad),
                     "compaction result: status code: unknown code " + std::to_string(code));
  }
  ExpectCorruption(DecodeResult(Bytes({'R', 2, 0, 0, 1, 'x', 0, 0, 0, 0, 0, 0, 0})),
                   "status message: present on an OK status");

  // A varint32 field (output_level) that overflows 32 bits, or runs on for
  // more than 5 bytes.
  ExpectCorruption(DecodeJob(Bytes({'J', 2, 0, 0xff, 0xff, 0xff, 0xff, 0x1f, 0})),
                   "output_level: malformed varint");
  ExpectCorruption(DecodeJob(Bytes({'J', 2, 0, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0})),
                   "output_level: malformed varint");
  // A varint64 (id) of 11 bytes.
  ExpectCorruption(DecodeJob(Bytes({'J', 2, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0})),
                   "compaction job: id: malformed varint");

  // A size_t field larger than this build's size_t (only possible where it
  // has 32 bits, as in wasm).
  if (sizeof(size_t) < sizeof(uint64_t)) {
    CompactionJob big;
    std::string bytes = EncodeCompactionJob(big);
    // target_file_size is the 0 at offset 11 (see DefaultEncodingsAreStable).
    std::string huge;
    PutVarint64(&huge, uint64_t{1} << 40);
    bytes.replace(11, 1, huge);
    ExpectCorruption(DecodeJob(bytes), "target_file_size: value 1099511627776 does not fit in size_t");
  }
}

// Damage anywhere must give OK or Corruption, never a crash, a hang or a
// huge allocation; run under the sanitizers this also checks every bound.
TEST(JobCodecTest, DamagedEncodingsNeverCrash) {
  const std::vector<std::string> encodings = {EncodeCompactionJob(FullJob()),
                                              EncodeCompactionResult(FullResult())};
  for (const std::string& good : encodings) {
    for (size_t i = 0; i < good.size(); i++) {
      for (int v = 0; v < 256; v++) {
        std::string bad = good;
        bad[i] = static_cast<char>(v);
        Status s = bad[0] == 'J' ? DecodeJob(bad) : DecodeResult(bad);
        EXPECT_TRUE(s.ok() || s.IsCorruption()) << i << " " << v << ": " << s.ToString();
      }
    }
    Random rnd(301);
    for (int iter = 0; iter < 20000; iter++) {
      std::string bad = good;
      const int edits = 1 + static_cast<int>(rnd.Uniform(4));
      for (int e = 0; e < edits; e++) {
        const size_t pos = rnd.Uniform(static_cast<uint32_t>(bad.size()));
        switch (rnd.Uniform(3)) {
          case 0: bad[pos] = static_cast<char>(rnd.Uniform(256)); break;
          case 1: bad.erase(pos, 1 + rnd.Uniform(3)); break;
          default: bad.insert(pos, 1, static_cast<char>(rnd.Uniform(256))); break;
        }
        if (bad.empty()) bad = "J";
      }
      Status s = good[0] == 'J' ? DecodeJob(bad) : DecodeResult(bad);
      EXPECT_TRUE(s.ok() || s.IsCorruption()) << s.ToString();
    }
  }
}

}  // namespace
}  // namespace strata
