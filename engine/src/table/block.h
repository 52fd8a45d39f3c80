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

namespace strata {

// How the keys of a block are ordered (and therefore how Seek compares).
enum class KeyOrder {
  kBytewise,
  // Internal keys (db/dbformat.h), compared by CompareInternalKeys. An entry
  // whose key is shorter than the 8-byte tag is Corruption, and Seek to a
  // target that short is InvalidArgument.
  kInternalKey,
};

class Block {
 public:
  // Takes ownership of contents and checks its restart array: a count of at
  // least 1, restart[0] == 0, and later restart points strictly ascending
  // and inside the entries area. label names the block in error messages
  // ("data block at offset 1234").
  static Status Parse(std::string contents, const std::string& label, std::shared_ptr<Block>* block);

  Block(const Block&) = delete;
  Block& operator=(const Block&) = delete;

  // Bytes of the block contents (its charge in the block cache).
  size_t size() const { return data_.size(); }

  // An iterator over the entries, ordered by order. The block must outlive
  // the iterator (pin it with Iterator::RegisterCleanup if needed).
  Iterator* NewIterator(KeyOrder order) const;

 private:
  friend class BlockIter;
  Block(std::string contents, std::string label, uint32_t restart_offset, uint32_t num_restarts)
      : data_(std::move(contents)),
        label_(std::move(label)),
        restart_offset_(restart_offset),
        num_restarts_(num_restarts) {}

  const std::string data_;
  const std::string label_;
  const uint32_t restart_offset_;  // where the restart array begins
  const uint32_t num_restarts_;    // >= 1
};

}  // namespace strata
