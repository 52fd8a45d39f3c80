// Block: a parsed, immutable block of sorted key/value entries (the layout
// BlockBuilder writes; see block_builder.h and table_format.md), and
// iterators over it.
//
// Block contents come from disk, so nothing in them is trusted: Parse checks
// the restart array, and iterators check every entry they decode. A
// malformed entry makes the iterator invalid with a Corruption status that
// names the block and the entry's offset; it never reads outside the block.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>

#include "strata/iterator.h"
#include "strata/slice.h"
#include "strata/status.h"
#include "table/block_contents.h"

namespace strata {

// How the keys of a block are ordered (and therefore how Seek compares).
enum class KeyOrder {
  kBytewise,
  // Internal keys (db/dbformat.h), compared by CompareInternalKeys. An entry
  // whose key is shorter than the 8-byte tag is Corruption, and Seek to a
  // target that short is InvalidArgument.
  kInternalKey,
};

// Names a block in error messages ("data block at offset 1234"). Built as
// text only when an error needs it: blocks are parsed on every cache miss.
class BlockLabel {
 public:
  BlockLabel(const char* name) : kind_(name) {}  // NOLINT: a fixed name, as in tests
  BlockLabel(const char* kind, uint64_t offset) : kind_(kind), offset_(offset), has_offset_(true) {}
  std::string ToString() const;

 private:
  const char* kind_;  // a string literal
  uint64_t offset_ = 0;
  bool has_offset_ = false;
};

class Block {
 public:
  // Takes the contents (owned, or a view into a mapped file that must
  // outlive the block: a table's, for blocks that do not outlive the table)
  // and checks its restart array: a count of at least 1, restart[0] == 0,
  // and later restart points strictly ascending and inside the entries
  // area. label names the block in error messages.
  static Status Parse(BlockContents contents, const BlockLabel& label, std::shared_ptr<Block>* block);

  // For Parse alone (through std::make_shared, one allocation with its count).
  class PassKey {
    friend class Block;
    explicit PassKey() = default;  // explicit: not an aggregate, so PassKey{} is refused outside Block
  };
  Block(PassKey, BlockContents contents, const BlockLabel& label, uint32_t restart_offset,
        uint32_t num_restarts)
      : contents_(std::move(contents)),
        label_(label),
        restart_offset_(restart_offset),
        num_restarts_(num_restarts) {}
  Block(const Block&) = delete;
  Block& operator=(const Block&) = delete;

  // Bytes of the block contents (its charge in the block cache).
  size_t size() const { return contents_.data.size(); }

  // An iterator over the entries, ordered by order. The block must outlive
  // the iterator (pin it with Iterator::RegisterCleanup if needed).
  Iterator* NewIterator(KeyOrder order) const;

 private:
  friend class BlockIter;
  const BlockContents contents_;
  const BlockLabel label_;
  const uint32_t restart_offset_;  // where the restart array begins
  const uint32_t num_restarts_;    // >= 1
};

}  // namespace strata
