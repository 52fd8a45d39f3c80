#include "table/table_builder.h"

#include <string>

#include "db/dbformat.h"
#include "table/compression.h"
#include "table/index_keys.h"

namespace strata {

namespace {

constexpr size_t kMaxOptionBlockSize = size_t{64} << 20;
constexpr int kMaxBloomBitsPerKey = 64;

Status CheckOptions(const TableBuilderOptions& o) {
  if (o.block_size < 1 || o.block_size > kMaxOptionBlockSize) {
    return Status::InvalidArgument("block_size must be 1 .. 64 MiB, not " + std::to_string(o.block_size));
  }
  if (o.block_restart_interval < 1) {
    return Status::InvalidArgument("block_restart_interval must be >= 1, not " +
                                   std::to_string(o.block_restart_interval));
  }
  if (o.bloom_bits_per_key < 0 || o.bloom_bits_per_key > kMaxBloomBitsPerKey) {
    return Status::InvalidArgument("bloom_bits_per_key must be 0 .. 64, not " +
                                   std::to_string(o.bloom_bits_per_key));
  }
  if (o.compression != Compression::kNone && o.compression != Compression::kZlib) {
    return Status::InvalidArgument("unknown compression " + std::to_string(static_cast<int>(o.compression)));
  }
  if (o.zlib_level < 1 || o.zlib_level > 9) {
    return Status::InvalidArgument("zlib_level must be 1 .. 9, not " + std::to_string(o.zlib_level));
  }
  return Status::OK();
}

}  // namespace

TableBuilder::TableBuilder(const TableBuilderOptions& options, WritableFile* file)
    : options_(options),
      file_(file),
      status_(CheckOptions(options)),
      data_block_(options.block_restart_interval),
      index_block_(1),  // index blocks are small; every entry a restart point
      bloom_(options.bloom_bits_per_key) {
  props_.set_bloom_bits_per_key(static_cast<uint32_t>(options.bloom_bits_per_key));
  props_.set_compression(static_cast<uint32_t>(options.compression));
  props_.set_format_version(kTableFormatVersion);
  props_.set_num_shadowed(0);
}

TableBuilder::~TableBuilder() = default;

void TableBuilder::Add(const Slice& internal_key, const Slice& value) {
  if (closed_ || !status_.ok()) return;
  ParsedInternalKey parsed;
  if (!ParseInternalKey(internal_key, &parsed)) {
    status_ = Status::InvalidArgument("TableBuilder::Add: malformed internal key of " +
                                      std::to_string(internal_key.size()) + " bytes");
    return;
  }
  const bool first = props_.num_entries() == 0;
  if (!first && CompareInternalKeys(internal_key, props_.largest_key()) <= 0) {
    status_ = Status::InvalidArgument("TableBuilder::Add: keys not in strictly ascending order");
    return;
  }

  if (pending_index_entry_) {
    // The block just written ends at largest_key; internal_key starts the
    // next one: any key between them separates the two.
    std::string separator = props_.largest_key();
    ShortenSeparator(&separator, internal_key);
    std::string handle;
    pending_handle_.EncodeTo(&handle);
    index_block_.Add(separator, handle);
    pending_index_entry_ = false;
  }

  if (options_.bloom_bits_per_key > 0) bloom_.AddKey(parsed.user_key);

  if (first) {
    props_.set_smallest_key(internal_key.data(), internal_key.size());
    props_.set_smallest_seq(parsed.sequence);
    props_.set_largest_seq(parsed.sequence);
  } else {
    if (parsed.sequence < props_.smallest_seq()) props_.set_smallest_seq(parsed.sequence);
    if (parsed.sequence > props_.largest_seq()) props_.set_largest_seq(parsed.sequence);
    if (ExtractUserKey(props_.largest_key()) == parsed.user_key)
      props_.set_num_shadowed(props_.num_shadowed() + 1);
  }
  props_.set_largest_key(internal_key.data(), internal_key.size());
  props_.set_num_entries(props_.num_entries() + 1);
  if (parsed.type == kTypeDeletion) props_.set_num_tombstones(props_.num_tombstones() + 1);
  props_.set_raw_key_bytes(props_.raw_key_bytes() + internal_key.size());
  props_.set_raw_value_bytes(props_.raw_value_bytes() + value.size());

  data_block_.Add(internal_key, value);
  if (data_block_.CurrentSizeEstimate() >= options_.block_size) FlushDataBlock();
}

void TableBuilder::FlushDataBlock() {
  if (data_block_.empty() || !status_.ok()) return;
  bool compressed = false;
  const uint64_t written = WriteBlock(data_block_.Finish(), options_.compression == Compression::kZlib,
                                      &pending_handle_, &compressed);
  data_block_.Reset();
  if (!status_.ok()) return;
  pending_index_entry_ = true;
  props_.set_data_bytes(props_.data_bytes() + written);
  props_.set_num_data_blocks(props_.num_data_blocks() + 1);
  if (compressed) props_.set_num_compressed_data_blocks(props_.num_compressed_data_blocks() + 1);
}

uint64_t TableBuilder::WriteBlock(const Slice& contents, bool try_compress, BlockHandle* handle,
                                  bool* compressed) {
  if (compressed != nullptr) *compressed = false;
  if (contents.size() > kMaxBlockSize) {
    status_ = Status::InvalidArgument("block of " + std::to_string(contents.size()) +
                                      " bytes exceeds the block size limit");
    return 0;
  }
  Slice stored = contents;
  auto type = static_cast<uint8_t>(Compression::kNone);
  if (try_compress) {
    compressed_.clear();
    // Keep the compressed form only if it saves at least 1/8 of the block.
    if (ZlibCompress(contents, options_.zlib_level, &compressed_) &&
        compressed_.size() < contents.size() - contents.size() / 8) {
      stored = compressed_;
      type = static_cast<uint8_t>(Compression::kZlib);
      if (compressed != nullptr) *compressed = true;
    }
  }
  *handle = BlockHandle(offset_, stored.size());
  std::string trailer;
  AppendBlockTrailer(&trailer, stored, type);
  Append(stored);
  Append(trailer);
  return stored.size() + trailer.size();
}

void TableBuilder::Append(const Slice& data) {
  if (!status_.ok()) return;
  status_ = file_->Append(data);
  if (status_.ok()) offset_ += data.size();
}

Status TableBuilder::Finish() {
  if (closed_) {
    return status_.ok() ? Status::InvalidArgument("TableBuilder::Finish after Finish or Abandon") : status_;
  }
  FlushDataBlock();
  closed_ = true;
  if (!status_.ok()) return status_;

  Footer footer;
  if (options_.bloom_bits_per_key > 0) {
    props_.set_filter_bytes(WriteBlock(bloom_.Finish(), false, &footer.filter_handle));
  }

  if (pending_index_entry_) {
    std::string successor = props_.largest_key();
    ShortenSuccessor(&successor);
    std::string handle;
    pending_handle_.EncodeTo(&handle);
    index_block_.Add(successor, handle);
    pending_index_entry_ = false;
  }
  props_.set_index_bytes(WriteBlock(index_block_.Finish(), false, &footer.index_handle));

  std::string properties;
  if (!props_.SerializeToString(&properties)) {
    status_ = Status::InvalidArgument("table properties failed to serialize");
    return status_;
  }
  WriteBlock(properties, false, &footer.properties_handle);

  std::string encoded;
  footer.EncodeTo(&encoded);
  Append(encoded);
  return status_;
}

void TableBuilder::Abandon() {
  closed_ = true;
}

}  // namespace strata
