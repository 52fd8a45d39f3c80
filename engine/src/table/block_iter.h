// The iterator over a Block's entries, in a header of its own so that a
// reader that needs one for a moment (Table::InternalGet) can keep it on
// the stack instead of allocating it.
#pragma once

#include <cassert>
#include <cstdint>
#include <limits>
#include <string>

#include "db/dbformat.h"
#include "table/block.h"
#include "util/coding.h"

namespace strata {

// Iterates a block whose restart array Parse has checked. Every entry is
// decoded with bounds checks against the start of the restart array.
//
// Position: current_ is the offset of the current entry (restarts_ when not
// valid), restart_index_ the restart region holding it, key_ its full key,
// value_ its value, which also marks where the next entry begins.
class BlockIter final : public Iterator {
 public:
  BlockIter(const Block* block, KeyOrder order)
      : block_(block),
        data_(block->contents_.data.data()),
        restarts_(block->restart_offset_),
        num_restarts_(block->num_restarts_),
        internal_keys_(order == KeyOrder::kInternalKey),
        current_(restarts_),
        restart_index_(num_restarts_) {}

  bool Valid() const override { return current_ < restarts_; }
  Status status() const override { return status_; }
  Slice key() const override {
    assert(Valid());
    return key_;
  }
  Slice value() const override {
    assert(Valid());
    return value_;
  }

  void Next() override {
    assert(Valid());
    ParseNextKey();
  }

  bool NextEntry(Slice* key, Slice* value) override {
    Next();
    if (!Valid()) return false;
    *key = key_;
    *value = value_;
    return true;
  }

  void Prev() override {
    assert(Valid());
    const uint32_t original = current_;
    // Back up to the last restart point before the current entry.
    while (RestartPoint(restart_index_) >= original) {
      if (restart_index_ == 0) {  // no entry before the first
        Invalidate();
        return;
      }
      restart_index_--;
    }
    SeekToRestartPoint(restart_index_);
    do {
      if (!ParseNextKey()) return;
    } while (NextEntryOffset() < original);
    if (NextEntryOffset() != original) Corrupt(current_, "entry overruns the entry after it");
  }

  void Seek(const Slice& target) override {
    if (!status_.ok()) return;
    if (internal_keys_ && target.size() < kInternalKeyTrailer) {
      status_ = Status::InvalidArgument("seek target of " + std::to_string(target.size()) +
                                        " bytes is shorter than an internal key tag");
      Invalidate();
      return;
    }
    // Binary search for the last restart point whose key is < target.
    uint32_t left = 0;
    uint32_t right = num_restarts_ - 1;
    while (left < right) {
      const uint32_t mid = left + (right - left + 1) / 2;
      const uint32_t offset = RestartPoint(mid);
      uint32_t shared, non_shared, value_size;
      const char* key_delta = DecodeEntry(offset, &shared, &non_shared, &value_size);
      if (key_delta == nullptr) return Corrupt(offset, "malformed entry header");
      if (shared != 0) return Corrupt(offset, "entry at a restart point shares a prefix");
      if (internal_keys_ && non_shared < kInternalKeyTrailer) {
        return Corrupt(offset, "key shorter than an internal key tag");
      }
      if (Compare(Slice(key_delta, non_shared), target) < 0) {
        left = mid;
      } else {
        right = mid - 1;
      }
    }
    // Scan forward from it to the first key >= target.
    SeekToRestartPoint(left);
    while (ParseNextKey()) {
      if (Compare(key_, target) >= 0) return;
    }
  }

  void SeekToFirst() override {
    if (!status_.ok()) return;
    SeekToRestartPoint(0);
    ParseNextKey();
  }

  void SeekToLast() override {
    if (!status_.ok()) return;
    SeekToRestartPoint(num_restarts_ - 1);
    while (ParseNextKey() && NextEntryOffset() < restarts_) {
    }
  }

 private:
  int Compare(const Slice& a, const Slice& b) const {
    return internal_keys_ ? CompareInternalKeys(a, b) : a.compare(b);
  }

  uint32_t RestartPoint(uint32_t index) const {
    assert(index < num_restarts_);
    return DecodeFixed32(data_ + restarts_ + index * sizeof(uint32_t));
  }

  uint32_t NextEntryOffset() const { return static_cast<uint32_t>(value_.data() + value_.size() - data_); }

  // Positions just before the entry at the restart point, so that
  // ParseNextKey decodes it.
  void SeekToRestartPoint(uint32_t index) {
    key_.clear();
    restart_index_ = index;
    value_ = Slice(data_ + RestartPoint(index), 0);
  }

  void Invalidate() {
    current_ = restarts_;
    restart_index_ = num_restarts_;
    key_.clear();
    value_ = Slice();
  }

  void Corrupt(uint32_t offset, const char* what) {
    status_ = Status::Corruption(block_->label_.ToString() + ": entry at offset " + std::to_string(offset) +
                                 ": " + what);
    Invalidate();
  }

  // Decodes the three lengths of the entry at offset and checks that its key
  // delta and value lie before the restart array. Returns where the key
  // delta begins, or nullptr if the entry is malformed.
  const char* DecodeEntry(uint32_t offset, uint32_t* shared, uint32_t* non_shared,
                          uint32_t* value_size) const {
    const char* p = data_ + offset;
    const char* limit = data_ + restarts_;
    if (limit - p >= 3 &&
        ((static_cast<uint8_t>(p[0]) | static_cast<uint8_t>(p[1]) | static_cast<uint8_t>(p[2])) & 128) == 0) {
      // The common case: all three lengths fit one byte each.
      *shared = static_cast<uint8_t>(p[0]);
      *non_shared = static_cast<uint8_t>(p[1]);
      *value_size = static_cast<uint8_t>(p[2]);
      p += 3;
    } else {
      if ((p = GetVarint32Ptr(p, limit, shared)) == nullptr) return nullptr;
      if ((p = GetVarint32Ptr(p, limit, non_shared)) == nullptr) return nullptr;
      if ((p = GetVarint32Ptr(p, limit, value_size)) == nullptr) return nullptr;
    }
    if (uint64_t{*non_shared} + *value_size > static_cast<uint64_t>(limit - p)) return nullptr;
    return p;
  }

  // Moves to the entry after the current position. False at the end of the
  // block (invalid, status unchanged) or on a malformed entry (Corruption).
  bool ParseNextKey() {
    current_ = NextEntryOffset();
    if (current_ >= restarts_) {
      Invalidate();
      return false;
    }
    while (restart_index_ + 1 < num_restarts_ && RestartPoint(restart_index_ + 1) <= current_) {
      restart_index_++;
    }
    uint32_t shared, non_shared, value_size;
    const char* key_delta = DecodeEntry(current_, &shared, &non_shared, &value_size);
    if (key_delta == nullptr) {
      Corrupt(current_, "malformed entry header");
      return false;
    }
    if (shared > key_.size() || (shared != 0 && current_ == RestartPoint(restart_index_))) {
      Corrupt(current_, "entry shares more bytes than the previous key has");
      return false;
    }
    key_.resize(shared);
    key_.append(key_delta, non_shared);
    if (internal_keys_ && key_.size() < kInternalKeyTrailer) {
      Corrupt(current_, "key shorter than an internal key tag");
      return false;
    }
    value_ = Slice(key_delta + non_shared, value_size);
    return true;
  }

  const Block* const block_;
  const char* const data_;
  const uint32_t restarts_;
  const uint32_t num_restarts_;
  const bool internal_keys_;

  uint32_t current_;
  uint32_t restart_index_;
  std::string key_;
  Slice value_;
  Status status_;
};

}  // namespace strata
