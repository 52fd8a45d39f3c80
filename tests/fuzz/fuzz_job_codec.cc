// libFuzzer target: the input is an encoded compaction job or result
// (strata/compaction.h, engine/src/compaction/job_codec.cc). Decodes it as
// both (the magic byte lets at most one succeed). A decode that succeeds
// must survive encode + decode unchanged; one that fails must leave its
// output untouched, as compaction.h promises. Either violation aborts.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "strata/compaction.h"
#include "strata/status.h"

namespace strata {
namespace {

void Fail(const char* what) {
  fprintf(stderr, "fuzz_job_codec: %s\n", what);
  abort();
}

bool SameRanges(const std::vector<KeyRange>& a, const std::vector<KeyRange>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); i++) {
    if (a[i].smallest != b[i].smallest || a[i].largest != b[i].largest) return false;
  }
  return true;
}

bool SameJob(const CompactionJob& a, const CompactionJob& b) {
  if (a.inputs.size() != b.inputs.size()) return false;
  for (size_t i = 0; i < a.inputs.size(); i++) {
    const CompactionInput& x = a.inputs[i];
    const CompactionInput& y = b.inputs[i];
    if (x.file_number != y.file_number || x.path != y.path || x.size != y.size || x.level != y.level) {
      return false;
    }
  }
  return a.id == b.id && a.output_level == b.output_level && a.smallest_snapshot == b.smallest_snapshot &&
         SameRanges(a.deeper_ranges, b.deeper_ranges) &&
         SameRanges(a.grandparent_ranges, b.grandparent_ranges) &&
         a.grandparent_sizes == b.grandparent_sizes &&
         a.max_grandparent_overlap == b.max_grandparent_overlap && a.output_dir == b.output_dir &&
         a.target_file_size == b.target_file_size && a.block_size == b.block_size &&
         a.block_restart_interval == b.block_restart_interval &&
         a.bloom_bits_per_key == b.bloom_bits_per_key && a.compression == b.compression &&
         a.zlib_level == b.zlib_level;
}

bool SameResult(const CompactionResult& a, const CompactionResult& b) {
  if (a.outputs.size() != b.outputs.size()) return false;
  for (size_t i = 0; i < a.outputs.size(); i++) {
    const CompactionOutput& x = a.outputs[i];
    const CompactionOutput& y = b.outputs[i];
    if (x.file_number != y.file_number || x.path != y.path || x.size != y.size || x.smallest != y.smallest ||
        x.largest != y.largest || x.smallest_seq != y.smallest_seq || x.largest_seq != y.largest_seq ||
        x.entries != y.entries || x.tombstones != y.tombstones || x.raw_key_bytes != y.raw_key_bytes ||
        x.raw_value_bytes != y.raw_value_bytes || x.properties != y.properties) {
      return false;
    }
  }
  return a.job_id == b.job_id && a.status.code() == b.status.code() &&
         a.status.message() == b.status.message() && a.bytes_read == b.bytes_read &&
         a.bytes_written == b.bytes_written && a.entries_read == b.entries_read &&
         a.entries_written == b.entries_written && a.entries_dropped == b.entries_dropped &&
         a.micros == b.micros;
}

// What a failed decode must leave behind: a value no input decodes to by
// accident.
CompactionJob SentinelJob() {
  CompactionJob job;
  job.id = 0x5e171e1;
  job.output_dir = "sentinel";
  return job;
}

CompactionResult SentinelResult() {
  CompactionResult result;
  result.job_id = 0x5e171e1;
  result.status = Status::Busy("sentinel");
  return result;
}

void FuzzJob(const Slice& input) {
  CompactionJob first = SentinelJob();
  if (!DecodeCompactionJob(input, &first).ok()) {
    if (!SameJob(first, SentinelJob())) Fail("a failed job decode changed its output");
    return;
  }
  CompactionJob second;
  Status s = DecodeCompactionJob(EncodeCompactionJob(first), &second);
  if (!s.ok()) Fail(("a re-encoded job does not decode: " + s.ToString()).c_str());
  if (!SameJob(first, second)) Fail("a job changed across encode + decode");
}

void FuzzResult(const Slice& input) {
  CompactionResult first = SentinelResult();
  if (!DecodeCompactionResult(input, &first).ok()) {
    if (!SameResult(first, SentinelResult())) Fail("a failed result decode changed its output");
    return;
  }
  CompactionResult second;
  Status s = DecodeCompactionResult(EncodeCompactionResult(first), &second);
  if (!s.ok()) Fail(("a re-encoded result does not decode: " + s.ToString()).c_str());
  if (!SameResult(first, second)) Fail("a result changed across encode + decode");
}

}  // namespace
}  // namespace strata

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const strata::Slice input(reinterpret_cast<const char*>(data), size);
  strata::FuzzJob(input);
  strata::FuzzResult(input);
  return 0;
}
