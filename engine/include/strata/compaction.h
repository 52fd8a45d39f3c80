// Compaction as a pure job (DESIGN.md decision 3).
//
// The engine picks a job: which tables merge into which level, and the
// facts the merge needs (oldest live snapshot, key ranges of deeper levels).
// Running it is a function from the input table files to new output table
// files, with no access to engine state, so it can run on a background
// thread, inline, or in another wasm instance in a Web Worker. The engine
// then installs the outputs with one manifest edit.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "strata/options.h"
#include "strata/slice.h"
#include "strata/status.h"

namespace strata {

class Env;

struct CompactionInput {
  uint64_t file_number = 0;
  std::string path;  // full path in the job's Env
  uint64_t size = 0;
  int level = 0;
};

struct KeyRange {
  std::string smallest;  // user keys, inclusive
  std::string largest;
};

struct CompactionJob {
  uint64_t id = 0;
  int output_level = 0;
  // Tables in merge priority: within L0 newest first, then the next level.
  std::vector<CompactionInput> inputs;
  // Versions older than this, shadowed by a newer version also older than
  // it, are invisible to every snapshot and are dropped.
  uint64_t smallest_snapshot = 0;
  // User-key ranges of tables in levels below output_level: a tombstone for
  // a key outside all of them can be dropped once no snapshot needs it.
  std::vector<KeyRange> deeper_ranges;
  // Ranges and sizes of output_level+1 tables, to cut outputs so that none
  // overlaps too much of the next level (bounds future compactions).
  std::vector<KeyRange> grandparent_ranges;
  std::vector<uint64_t> grandparent_sizes;
  uint64_t max_grandparent_overlap = 0;

  // How to write the outputs.
  std::string output_dir;
  size_t target_file_size = 0;
  size_t block_size = 4096;
  int block_restart_interval = 16;
  int bloom_bits_per_key = 10;
  Compression compression = Compression::kNone;
  int zlib_level = 1;
};

struct CompactionOutput {
  uint64_t file_number = 0;
  std::string path;
  uint64_t size = 0;
  std::string smallest;  // internal keys
  std::string largest;
  uint64_t smallest_seq = 0;
  uint64_t largest_seq = 0;
  uint64_t entries = 0;
  uint64_t tombstones = 0;
  uint64_t raw_key_bytes = 0;
  uint64_t raw_value_bytes = 0;
  // The table's properties block as written (a serialized
  // pb::TableProperties): the engine keeps it with the table's metadata, so
  // that a check of what a table holds (CompactRange's last pass) needs no
  // read of the file.
  std::string properties;
};

struct CompactionResult {
  uint64_t job_id = 0;
  Status status;
  std::vector<CompactionOutput> outputs;
  uint64_t bytes_read = 0;
  uint64_t bytes_written = 0;
  uint64_t entries_read = 0;
  uint64_t entries_written = 0;
  uint64_t entries_dropped = 0;
  uint64_t micros = 0;
  // Where it ran, set by the executor ("thread", "inline", ...); reported in
  // the compaction's end event, not encoded.
  std::string runner;
};

// Names the output files of a job. Must be thread-safe.
using FileNumberAllocator = std::function<uint64_t()>;

// Runs a job: reads the inputs through env, writes outputs into
// job.output_dir with names from allocate_number, returns what it wrote.
// On error the outputs written so far are removed. Touches nothing else.
CompactionResult RunCompactionJob(const CompactionJob& job, Env* env,
                                  const FileNumberAllocator& allocate_number);

// Runs compaction jobs somewhere: the default runs them inline; the browser
// build sends them to a Web Worker.
class CompactionExecutor {
 public:
  virtual ~CompactionExecutor() = default;
  // Starts the job and calls done exactly once with its result, on any
  // thread, possibly before Execute returns. The engine never has more than
  // one job outstanding.
  virtual void Execute(const CompactionJob& job, Env* env, FileNumberAllocator allocate_number,
                       std::function<void(CompactionResult)> done) = 0;
};

// A versioned binary encoding of jobs and results, to hand a job to another
// wasm instance (the compaction Web Worker) and its result back. Every field
// round-trips. Decoding checks every bound: bad, truncated or trailing bytes
// give Corruption naming the field, and leave *job / *result unchanged.
// The format is described in src/compaction/job_codec.cc.
std::string EncodeCompactionJob(const CompactionJob& job);
Status DecodeCompactionJob(const Slice& bytes, CompactionJob* job);
std::string EncodeCompactionResult(const CompactionResult& result);
Status DecodeCompactionResult(const Slice& bytes, CompactionResult* result);

}  // namespace strata
