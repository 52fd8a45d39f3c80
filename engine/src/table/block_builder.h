// BlockBuilder: lays out sorted key/value entries as one block.
//
// Block layout (see table_format.md):
//
//   entry*  restart[num_restarts]  num_restarts
//
//   entry   := varint32 shared . varint32 non_shared . varint32 value_size
//              . key_delta[non_shared] . value[value_size]
//   restart := fixed32 offset of an entry whose shared is 0
//   num_restarts := fixed32 (>= 1; restart[0] is 0)
//
// Each key is stored as the length of the prefix it shares with the previous
// key plus the bytes that differ. Every restart_interval entries the full
// key is stored (shared = 0) and its offset recorded, so a reader can binary
// search the restart points and decode forward from one.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "strata/slice.h"

namespace strata {

class BlockBuilder {
 public:
  // restart_interval < 1 is taken as 1.
  explicit BlockBuilder(int restart_interval);
  BlockBuilder(const BlockBuilder&) = delete;
  BlockBuilder& operator=(const BlockBuilder&) = delete;

  // REQUIRES: Finish() not called since the last Reset(); key greater than
  // every key added so far, in the order the block's reader uses.
  void Add(const Slice& key, const Slice& value);

  // Appends the restart array and returns the whole block, which stays
  // valid until Reset() or destruction.
  Slice Finish();

  // Starts a new, empty block.
  void Reset();

  // Bytes the block would take if finished now.
  size_t CurrentSizeEstimate() const;
  bool empty() const { return buffer_.empty(); }
  // The last key added (empty after Reset).
  Slice last_key() const { return last_key_; }

 private:
  const int restart_interval_;
  std::string buffer_;
  std::vector<uint32_t> restarts_;
  int counter_ = 0;  // entries since the last restart
  bool finished_ = false;
  std::string last_key_;
};

}  // namespace strata
