// Table: an open, immutable table file (format: table_format.md), read
// through a RandomAccessFile. Thread-safe: any number of threads may read
// through one Table at once.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "proto/table_properties.pb.h"
#include "strata/env.h"
#include "strata/iterator.h"
#include "strata/options.h"
#include "strata/slice.h"
#include "strata/status.h"
#include "table/format.h"
#include "table/read_counters.h"

namespace strata {

class Block;
class LRUCache;

struct TableReadOptions {
  // Cache of uncompressed data blocks, shared by tables; nullptr: none.
  LRUCache* block_cache = nullptr;
  // Prefix of this table's keys in block_cache; 0: Open takes a fresh one
  // from block_cache->NewId().
  uint64_t cache_id = 0;
  // Where to count bloom checks and cache hits; nullptr: not counted.
  ReadCounters* counters = nullptr;
};

class Table {
 public:
  // Reads and checks the footer, index, filter and properties of a table of
  // file_size bytes. Any bad byte gives Corruption naming what and where
  // (the caller adds which file). On success *table owns file.
  static Status Open(const TableReadOptions& options, std::unique_ptr<RandomAccessFile> file,
                     uint64_t file_size, std::unique_ptr<Table>* table);

  Table(const Table&) = delete;
  Table& operator=(const Table&) = delete;
  ~Table();

  // An iterator over the table's entries (internal keys, ascending), with
  // Seek, SeekToFirst, SeekToLast, Next and Prev. The Table must outlive it.
  // A damaged block ends the iteration with a Corruption status.
  //
  // Reads honour options.fill_cache (uncompressed blocks of a mapped file
  // are read in place and never cached; from another file, once the
  // iterator has read two blocks in file order, the blocks after are read
  // ahead, 16 to 64 KiB at a time, and the uncompressed ones are not
  // cached either). A data block's checksum is
  // verified whenever it is read from the file, whatever
  // options.verify_checksums says, except from a file whose contents stay
  // in process memory (RandomAccessFile::ContentsInProcessMemory): there
  // each block is verified the first time this Table reads it (never, if
  // this process made the file: ContentsMadeInProcess), and again only
  // when options.verify_checksums asks. Blocks found in the block cache
  // were verified when they entered it, but for a table made in process,
  // whose cached blocks no read verifies (compaction reads its inputs
  // through tables of its own, without the cache).
  Iterator* NewIterator(const ReadOptions& options) const;

  // Point lookup. If the bloom filter rules out ExtractUserKey(internal_key)
  // nothing is read and on_found is not called. Otherwise finds the first
  // entry >= internal_key in the table and, if there is one, calls on_found
  // with it (the caller checks whether its user key matches). Slices passed
  // to on_found are valid only during the call. InvalidArgument if
  // internal_key is shorter than an internal key tag.
  Status InternalGet(const ReadOptions& options, const Slice& internal_key,
                     const std::function<void(const Slice& ikey, const Slice& value)>& on_found) const;

  const pb::TableProperties& properties() const { return properties_; }

  // Approximate file offset where the data for internal_key begins (or
  // would begin): the offset of the data block that would hold it, or the
  // end of the data blocks if it is past the last key.
  uint64_t ApproximateOffsetOf(const Slice& internal_key) const;

 private:
  Table(const TableReadOptions& options, std::unique_ptr<RandomAccessFile> file, uint64_t file_size);

  // Bytes of the file an iterator read ahead of the data block it needed,
  // so that a scan reads the blocks after it with one file read instead of
  // one each. The window opens at the third block read in file order and
  // doubles up to a bound; a read elsewhere (a seek) closes it.
  struct Readahead {
    std::shared_ptr<const char[]> bytes;
    uint64_t offset = 0;           // where bytes begin in the file
    size_t size = 0;               // how many there are
    uint64_t next = ~uint64_t{0};  // where the block after the last one asked for begins
    int run = 0;                   // blocks asked for in file order just before the last one
    size_t window = 0;             // bytes the last read ahead read; 0: none

    bool Holds(uint64_t begin, uint64_t end) const {
      return bytes && begin >= offset && end <= offset + size;
    }
  };

  // The data block an index entry points to: from the block cache, or read
  // (and verified) from the file and cached, if options.fill_cache, unless
  // read in place or from bytes read ahead (readahead, an iterator's; null
  // for a point lookup).
  Status DataBlock(const ReadOptions& options, const Slice& index_value, Readahead* readahead,
                   std::shared_ptr<Block>* block) const;
  // Reads and checks the data block at handle: from readahead's bytes, read
  // there first if they do not hold it and the iterator is far enough into
  // a run of blocks in file order; else (and for a point lookup: readahead
  // null) from the file.
  Status ReadDataBlock(const BlockHandle& handle, bool verify, Readahead* readahead,
                       BlockContents* contents) const;
  // Reads readahead->window bytes at begin (at least the block's, which
  // ends at end, and otherwise none past the data blocks) into readahead;
  // none if the read fails.
  void ReadAhead(uint64_t begin, uint64_t end, Readahead* readahead) const;
  // Whether the data block at offset was verified; nullptr unless the file's
  // contents stay in process memory.
  std::atomic<bool>* VerifiedFlag(uint64_t offset) const;

  TableReadOptions options_;
  std::unique_ptr<RandomAccessFile> file_;
  const uint64_t file_size_;
  Footer footer_;
  uint64_t data_end_ = 0;  // where the data blocks end
  std::shared_ptr<Block> index_block_;
  BlockContents filter_;  // empty: no filter
  pb::TableProperties properties_;
  // A mapped file without compressed data blocks: every data block is read
  // in place, and the block cache is not used.
  bool data_blocks_in_place_ = false;
  // Not mapped: each file read copies, so iterators read ahead (Readahead).
  bool reads_ahead_ = false;
  // The file's bytes were made by this process (ContentsMadeInProcess):
  // data blocks are verified only when a read asks.
  bool made_in_process_ = false;
  // Only when the file's contents stay in process memory (and it was not
  // made in process): the data blocks' offsets (ascending), and which of
  // them were verified.
  std::vector<uint64_t> data_block_offsets_;
  std::unique_ptr<std::atomic<bool>[]> verified_;
};

}  // namespace strata
