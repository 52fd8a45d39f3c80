// TableBuilder: writes a sorted run of internal keys as one table file (the
// format in table_format.md). Not thread-safe.
//
// Use: Add() every entry in ascending order, then Finish() (or Abandon() to
// give up). Finish writes the rest of the file but neither syncs nor closes
// it: the caller does that, so it decides about durability.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "proto/table_properties.pb.h"
#include "strata/env.h"
#include "strata/options.h"
#include "strata/slice.h"
#include "strata/status.h"
#include "table/block_builder.h"
#include "table/bloom.h"
#include "table/format.h"

namespace strata {

struct TableBuilderOptions {
  // Uncompressed bytes at which a data block is cut (1 .. 64 MiB).
  size_t block_size = 4096;
  // Entries between restart points in data blocks (>= 1).
  int block_restart_interval = 16;
  // Bloom filter bits per user key; 0 writes no filter.
  int bloom_bits_per_key = 10;
  // Compression tried on each data block. A zlib block is kept only if it
  // is at least 12.5% smaller than the raw block.
  Compression compression = Compression::kNone;
  int zlib_level = 1;  // 1..9
};

class TableBuilder {
 public:
  // file must stay open until Finish() or Abandon(). Invalid options make
  // status() InvalidArgument, and the builder then writes nothing.
  TableBuilder(const TableBuilderOptions& options, WritableFile* file);
  TableBuilder(const TableBuilder&) = delete;
  TableBuilder& operator=(const TableBuilder&) = delete;
  ~TableBuilder();

  // Appends an entry. REQUIRES: internal_key is a well-formed internal key,
  // strictly greater (CompareInternalKeys) than every key added before;
  // otherwise status() becomes InvalidArgument and later calls do nothing.
  // Also a no-op once status() is not ok or after Finish/Abandon.
  void Add(const Slice& internal_key, const Slice& value);

  // Writes the last data block, the filter, the index, the properties and
  // the footer. Returns status(). No Add/Finish after it.
  Status Finish();

  // Stops building; the caller deletes the partial file.
  void Abandon();

  uint64_t NumEntries() const { return props_.num_entries(); }
  // Bytes appended to the file so far: the file's size after Finish.
  uint64_t FileSize() const { return offset_; }
  // First error met (invalid options or key order, or a failed write).
  Status status() const { return status_; }
  // Filled in as entries are added; complete after Finish.
  const pb::TableProperties& properties() const { return props_; }

 private:
  void FlushDataBlock();
  // Stores contents as a block, zlib-compressed if try_compress and that
  // saves enough, and sets *handle to where it went. Returns the bytes
  // written, trailer included; *compressed (if given) tells how it was
  // stored.
  uint64_t WriteBlock(const Slice& contents, bool try_compress, BlockHandle* handle,
                      bool* compressed = nullptr);
  void Append(const Slice& data);

  const TableBuilderOptions options_;
  WritableFile* const file_;
  uint64_t offset_ = 0;
  Status status_;
  bool closed_ = false;

  BlockBuilder data_block_;
  BlockBuilder index_block_;
  BloomFilterBuilder bloom_;  // unused when bloom_bits_per_key is 0
  // After a data block is written, its index entry waits for the next key,
  // so that the separator can be chosen between the two blocks.
  bool pending_index_entry_ = false;
  BlockHandle pending_handle_;

  std::string compressed_;  // scratch for zlib output
  pb::TableProperties props_;
};

}  // namespace strata
