#include "table/table.h"

#include <algorithm>
#include <cstring>
#include <utility>

#include "cache/lru_cache.h"
#include "db/dbformat.h"
#include "table/block.h"
#include "table/block_iter.h"
#include "table/bloom.h"
#include "table/two_level_iterator.h"
#include "util/coding.h"

namespace strata {

namespace {

// Where the block at handle ends, trailer included; false on overflow.
bool BlockEnd(const BlockHandle& handle, uint64_t* end) {
  const uint64_t max = ~uint64_t{0};
  if (handle.offset() > max - kBlockTrailerSize ||
      handle.size() > max - kBlockTrailerSize - handle.offset()) {
    return false;
  }
  *end = handle.offset() + handle.size() + kBlockTrailerSize;
  return true;
}

// Checks that a block (trailer included) ends exactly at end.
Status CheckEndsAt(const char* what, const BlockHandle& handle, uint64_t end) {
  uint64_t actual_end;
  if (!BlockEnd(handle, &actual_end) || actual_end != end) {
    return Status::Corruption(std::string("table layout: ") + what + " block at offset " +
                              std::to_string(handle.offset()) + " size " + std::to_string(handle.size()) +
                              " does not end at " + std::to_string(end) + " where the next part begins");
  }
  return Status::OK();
}

// The blocks are contiguous, in the order data..., filter, index,
// properties, then the footer. Sets *data_end to the end of the data blocks.
Status CheckLayout(const Footer& footer, uint64_t file_size, uint64_t* data_end) {
  Status s = CheckEndsAt("properties", footer.properties_handle, file_size - Footer::kEncodedLength);
  if (s.ok()) s = CheckEndsAt("index", footer.index_handle, footer.properties_handle.offset());
  if (!s.ok()) return s;
  *data_end = footer.index_handle.offset();
  const BlockHandle& filter = footer.filter_handle;
  if (filter.size() != 0) {
    s = CheckEndsAt("filter", filter, footer.index_handle.offset());
    if (!s.ok()) return s;
    *data_end = filter.offset();
  } else if (filter.offset() != 0) {
    return Status::Corruption("footer: empty filter handle with offset " + std::to_string(filter.offset()));
  }
  return Status::OK();
}

std::string Label(const char* what, const BlockHandle& handle) {
  return std::string(what) + " block at offset " + std::to_string(handle.offset());
}

}  // namespace

Table::Table(const TableReadOptions& options, std::unique_ptr<RandomAccessFile> file, uint64_t file_size)
    : options_(options), file_(std::move(file)), file_size_(file_size) {}

Table::~Table() = default;

Status Table::Open(const TableReadOptions& options, std::unique_ptr<RandomAccessFile> file,
                   uint64_t file_size, std::unique_ptr<Table>* table) {
  table->reset();
  if (file == nullptr) return Status::InvalidArgument("Table::Open: no file");
  if (file_size < Footer::kEncodedLength) {
    return Status::Corruption("file of " + std::to_string(file_size) +
                              " bytes is too short for a table footer (" +
                              std::to_string(Footer::kEncodedLength) + " bytes)");
  }

  char footer_space[Footer::kEncodedLength];
  Slice footer_input;
  Status s =
      file->Read(file_size - Footer::kEncodedLength, Footer::kEncodedLength, &footer_input, footer_space);
  if (!s.ok()) return s.WithContext("reading table footer");
  const bool mapped = ReadPointsIntoFile(*file, footer_input, footer_space, sizeof(footer_space));
  Footer footer;
  s = footer.DecodeFrom(footer_input);
  if (!s.ok()) return s;
  uint64_t data_end = 0;
  s = CheckLayout(footer, file_size, &data_end);
  if (!s.ok()) return s;

  std::unique_ptr<Table> t(new Table(options, std::move(file), file_size));
  t->footer_ = footer;
  t->data_end_ = data_end;
  if (t->options_.block_cache != nullptr && t->options_.cache_id == 0) {
    t->options_.cache_id = t->options_.block_cache->NewId();
  }

  // Properties.
  BlockContents contents;
  s = ReadBlock(*t->file_, file_size, footer.properties_handle, &contents);
  if (!s.ok()) return s.WithContext("properties block");
  if (!t->properties_.ParseFromArray(contents.data.data(), static_cast<int>(contents.data.size()))) {
    return Status::Corruption(Label("properties", footer.properties_handle) +
                              ": not a valid TableProperties message");
  }
  t->data_blocks_in_place_ = mapped && t->properties_.num_compressed_data_blocks() == 0;
  t->reads_ahead_ = !mapped;

  // Filter.
  if (footer.filter_handle.size() != 0) {
    s = ReadBlock(*t->file_, file_size, footer.filter_handle, &t->filter_);
    if (!s.ok()) return s.WithContext("filter block");
    if (t->filter_.data.size() < 2) {
      return Status::Corruption(Label("filter", footer.filter_handle) + ": " +
                                std::to_string(t->filter_.data.size()) +
                                " bytes, too short for a bloom filter");
    }
  }

  // Index, checked entry by entry: ascending keys, and handles naming
  // contiguous data blocks that exactly fill [0, data_end).
  s = ReadBlock(*t->file_, file_size, footer.index_handle, &contents);
  if (!s.ok()) return s.WithContext("index block");
  const std::string index_label = Label("index", footer.index_handle);
  s = Block::Parse(std::move(contents), BlockLabel("index", footer.index_handle.offset()), &t->index_block_);
  if (!s.ok()) return s;
  std::unique_ptr<Iterator> it(t->index_block_->NewIterator(KeyOrder::kInternalKey));
  // In process memory, a data block is verified once (verified_), or, in a
  // file made in process, only when a read asks.
  const bool in_memory = t->file_->ContentsInProcessMemory();
  t->made_in_process_ = in_memory && t->file_->ContentsMadeInProcess();
  const bool verifies_once = in_memory && !t->made_in_process_;
  std::string previous_key;
  uint64_t next_offset = 0;
  uint64_t entries = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next(), entries++) {
    const std::string where = index_label + ": entry " + std::to_string(entries);
    if (entries > 0 && CompareInternalKeys(previous_key, it->key()) >= 0) {
      return Status::Corruption(where + ": keys out of order");
    }
    previous_key.assign(it->key().data(), it->key().size());
    Slice value = it->value();
    BlockHandle handle;
    if (!handle.DecodeFrom(&value).ok() || !value.empty()) {
      return Status::Corruption(where + ": malformed block handle");
    }
    uint64_t end;
    if (handle.offset() != next_offset || !BlockEnd(handle, &end) || end > data_end) {
      return Status::Corruption(where + ": data block at offset " + std::to_string(handle.offset()) +
                                " size " + std::to_string(handle.size()) +
                                " does not follow the previous block at " + std::to_string(next_offset) +
                                " inside the data area of " + std::to_string(data_end) + " bytes");
    }
    if (verifies_once) t->data_block_offsets_.push_back(handle.offset());
    next_offset = end;
  }
  if (!it->status().ok()) return it->status();
  if (next_offset != data_end) {
    return Status::Corruption(index_label + ": data blocks end at " + std::to_string(next_offset) +
                              ", the data area at " + std::to_string(data_end));
  }
  if (entries != t->properties_.num_data_blocks()) {
    return Status::Corruption(index_label + ": " + std::to_string(entries) + " data blocks, properties say " +
                              std::to_string(t->properties_.num_data_blocks()));
  }

  if (verifies_once) t->verified_.reset(new std::atomic<bool>[entries]());
  *table = std::move(t);
  return Status::OK();
}

std::atomic<bool>* Table::VerifiedFlag(uint64_t offset) const {
  if (!verified_) return nullptr;
  const auto at = std::lower_bound(data_block_offsets_.begin(), data_block_offsets_.end(), offset);
  if (at == data_block_offsets_.end() || *at != offset) return nullptr;  // not a data block: verify
  return &verified_[at - data_block_offsets_.begin()];
}

Status Table::DataBlock(const ReadOptions& options, const Slice& index_value, Readahead* readahead,
                        std::shared_ptr<Block>* out) const {
  Slice input = index_value;
  BlockHandle handle;
  Status s = handle.DecodeFrom(&input);
  if (!s.ok()) return s.WithContext("index entry");
  if (readahead != nullptr) {
    // How many blocks the iterator read just before this one, in file order.
    uint64_t end;
    readahead->run = handle.offset() == readahead->next ? readahead->run + 1 : 0;
    readahead->next = BlockEnd(handle, &end) ? end : ~uint64_t{0};
  }

  // Blocks read in place never enter the cache: do not look there either.
  LRUCache* cache = data_blocks_in_place_ ? nullptr : options_.block_cache;
  char cache_key[16];
  std::shared_ptr<Block> block;
  if (cache != nullptr) {
    EncodeFixed64(cache_key, options_.cache_id);
    EncodeFixed64(cache_key + 8, handle.offset());
    block = std::static_pointer_cast<Block>(cache->Lookup(Slice(cache_key, sizeof(cache_key))));
    if (options_.counters != nullptr) {
      (block != nullptr ? options_.counters->block_cache_hits : options_.counters->block_cache_misses)
          .fetch_add(1, std::memory_order_relaxed);
    }
  }
  if (block == nullptr) {
    std::atomic<bool>* verified = VerifiedFlag(handle.offset());
    const bool verify =
        options.verify_checksums ||
        (!made_in_process_ && (verified == nullptr || !verified->load(std::memory_order_acquire)));
    BlockContents contents;
    s = ReadDataBlock(handle, verify, readahead, &contents);
    if (!s.ok()) return s.WithContext("data block");
    if (verified != nullptr) verified->store(true, std::memory_order_release);
    // A view is not cached. Into the mapped file: a cached block could
    // outlive this table and its mapping (LevelDB does the same), and
    // reading it again costs a parse of its restart array. Into bytes read
    // ahead: it would keep all of them alive.
    const bool view = contents.owned == nullptr;
    s = Block::Parse(std::move(contents), BlockLabel("data", handle.offset()), &block);
    if (!s.ok()) return s;
    if (!view && cache != nullptr && options.fill_cache) {
      cache->Insert(Slice(cache_key, sizeof(cache_key)), block, block->size());
    }
  }
  *out = std::move(block);
  return Status::OK();
}

// Read ahead: from the third data block read in file order (a short scan's
// blocks are read one by one, and cached), then twice as much each time.
// The bound keeps what an open iterator pins small: the bytes holding the
// block it is on.
constexpr int kBlocksBeforeReadahead = 2;
constexpr size_t kFirstReadahead = 16 * 1024;
constexpr size_t kMaxReadahead = 64 * 1024;

Status Table::ReadDataBlock(const BlockHandle& handle, bool verify, Readahead* readahead,
                            BlockContents* contents) const {
  if (readahead != nullptr && reads_ahead_) {
    Status s = CheckBlockBounds(file_size_, handle);
    if (!s.ok()) return s;
    const uint64_t begin = handle.offset(), end = begin + handle.size() + kBlockTrailerSize;
    if (!readahead->Holds(begin, end)) {
      if (readahead->run >= kBlocksBeforeReadahead) {
        readahead->window = std::min(std::max(2 * readahead->window, kFirstReadahead), kMaxReadahead);
        ReadAhead(begin, end, readahead);
      } else {
        readahead->bytes.reset();
        readahead->window = 0;
      }
    }
    if (readahead->Holds(begin, end)) {
      s = DecodeBlock(readahead->bytes.get() + (begin - readahead->offset), handle, verify, contents);
      if (s.ok() && contents->owned == nullptr) contents->pinned = readahead->bytes;
      return s;
    }
  }
  return ReadBlock(*file_, file_size_, handle, contents, verify, /*allow_view=*/true);
}

void Table::ReadAhead(uint64_t begin, uint64_t end, Readahead* readahead) const {
  // Up to the end of the data blocks, or of the block (CheckBlockBounds let
  // through a block past data_end_ only into the file's other blocks).
  const uint64_t limit = std::max(data_end_, end);
  const size_t n = static_cast<size_t>(
      std::min<uint64_t>(std::max<uint64_t>(readahead->window, end - begin), limit - begin));
  std::shared_ptr<char[]> bytes(new char[n]);
  Slice result;
  readahead->bytes.reset();
  // A failed or short read leaves none: ReadBlock then reads the block and
  // reports what is wrong.
  if (!file_->Read(begin, n, &result, bytes.get()).ok() || result.size() != n) return;
  if (result.data() != bytes.get()) std::memcpy(bytes.get(), result.data(), n);  // a file's own memory
  readahead->bytes = std::move(bytes);
  readahead->offset = begin;
  readahead->size = n;
}

Iterator* Table::NewIterator(const ReadOptions& options) const {
  return NewTwoLevelIterator(std::make_unique<BlockIter>(index_block_.get(), KeyOrder::kInternalKey),
                             [this, options, readahead = Readahead()](const Slice& index_value,
                                                                      std::shared_ptr<Block>* block) mutable {
                               return DataBlock(options, index_value, &readahead, block);
                             });
}

Status Table::InternalGet(const ReadOptions& options, const Slice& internal_key,
                          const std::function<void(const Slice& ikey, const Slice& value)>& on_found) const {
  if (internal_key.size() < kInternalKeyTrailer) {
    return Status::InvalidArgument("Table::InternalGet: key of " + std::to_string(internal_key.size()) +
                                   " bytes is not an internal key");
  }
  if (!filter_.data.empty()) {
    ReadCounters* counters = options_.counters;
    if (counters != nullptr) counters->bloom_checks.fetch_add(1, std::memory_order_relaxed);
    if (!BloomFilterMayMatch(filter_.data, ExtractUserKey(internal_key))) {
      if (counters != nullptr) counters->bloom_useful.fetch_add(1, std::memory_order_relaxed);
      return Status::OK();
    }
  }

  // Iterators on the stack: a lookup allocates no iterator and registers no
  // cleanup (the block is pinned by `block` meanwhile).
  BlockIter index(index_block_.get(), KeyOrder::kInternalKey);
  // The first block whose index key is >= internal_key holds the answer,
  // unless internal_key falls between that block's last key and its
  // (shortened) index key: then it is the first entry of the next block.
  for (index.Seek(internal_key); index.Valid(); index.Next()) {
    std::shared_ptr<Block> block;
    Status s = DataBlock(options, index.value(), /*readahead=*/nullptr, &block);
    if (!s.ok()) return s;
    BlockIter entries(block.get(), KeyOrder::kInternalKey);
    entries.Seek(internal_key);
    if (entries.Valid()) {
      on_found(entries.key(), entries.value());
      return Status::OK();
    }
    if (!entries.status().ok()) return entries.status();
  }
  return index.status();
}

uint64_t Table::ApproximateOffsetOf(const Slice& internal_key) const {
  const uint64_t data_end =
      footer_.filter_handle.size() != 0 ? footer_.filter_handle.offset() : footer_.index_handle.offset();
  if (internal_key.size() < kInternalKeyTrailer) return 0;
  std::unique_ptr<Iterator> index(index_block_->NewIterator(KeyOrder::kInternalKey));
  index->Seek(internal_key);
  if (!index->Valid()) return data_end;
  Slice value = index->value();
  BlockHandle handle;
  return handle.DecodeFrom(&value).ok() ? handle.offset() : data_end;
}

}  // namespace strata
