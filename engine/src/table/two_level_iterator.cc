#include "table/two_level_iterator.h"

#include <cassert>
#include <optional>
#include <string>
#include <utility>

namespace strata {

namespace {

class TwoLevelIterator final : public Iterator {
 public:
  TwoLevelIterator(std::unique_ptr<BlockIter> index_iter, DataBlockFunction data_block)
      : index_iter_(std::move(index_iter)), data_block_function_(std::move(data_block)) {}

  bool Valid() const override { return data_iter_.has_value() && data_iter_->Valid(); }

  Slice key() const override {
    assert(Valid());
    return data_iter_->key();
  }
  Slice value() const override {
    assert(Valid());
    return data_iter_->value();
  }

  Status status() const override {
    if (!index_iter_->status().ok()) return index_iter_->status();
    if (!data_status_.ok()) return data_status_;
    if (data_iter_.has_value() && !data_iter_->status().ok()) return data_iter_->status();
    return Status::OK();
  }

  void Seek(const Slice& target) override {
    index_iter_->Seek(target);
    InitDataBlock();
    if (data_iter_.has_value()) data_iter_->Seek(target);
    SkipEmptyDataBlocksForward();
  }

  void SeekToFirst() override {
    index_iter_->SeekToFirst();
    InitDataBlock();
    if (data_iter_.has_value()) data_iter_->SeekToFirst();
    SkipEmptyDataBlocksForward();
  }

  void SeekToLast() override {
    index_iter_->SeekToLast();
    InitDataBlock();
    if (data_iter_.has_value()) data_iter_->SeekToLast();
    SkipEmptyDataBlocksBackward();
  }

  void Next() override {
    assert(Valid());
    data_iter_->Next();
    SkipEmptyDataBlocksForward();
  }

  bool NextEntry(Slice* key, Slice* value) override {
    assert(Valid());
    if (!data_iter_->NextEntry(key, value)) {  // BlockIter is final: no virtual call
      SkipEmptyDataBlocksForward();
      if (!Valid()) return false;
      *key = data_iter_->key();
      *value = data_iter_->value();
    }
    return true;
  }

  void Prev() override {
    assert(Valid());
    data_iter_->Prev();
    SkipEmptyDataBlocksBackward();
  }

 private:
  // True if loading the data block failed or its iterator did: stay put,
  // invalid, so that status() reports the error.
  bool DataFailed() const {
    return !data_status_.ok() || (data_iter_.has_value() && !data_iter_->status().ok());
  }

  // Past the last (first) block InitDataBlock has left data_iter_ empty.
  void SkipEmptyDataBlocksForward() {
    while (!data_iter_.has_value() || !data_iter_->Valid()) {
      if (DataFailed() || !index_iter_->Valid()) return;
      index_iter_->Next();
      InitDataBlock();
      if (data_iter_.has_value()) data_iter_->SeekToFirst();
    }
  }

  void SkipEmptyDataBlocksBackward() {
    while (!data_iter_.has_value() || !data_iter_->Valid()) {
      if (DataFailed() || !index_iter_->Valid()) return;
      index_iter_->Prev();
      InitDataBlock();
      if (data_iter_.has_value()) data_iter_->SeekToLast();
    }
  }

  // Points data_iter_ at the block the index iterator is on (keeping the
  // open one if it is the same block), or at nothing; a block that fails to
  // load leaves data_iter_ empty and its error in data_status_.
  void InitDataBlock() {
    if (!index_iter_->Valid()) {
      data_iter_.reset();
      data_block_.reset();
      data_status_ = Status::OK();
      data_block_handle_.clear();
      return;
    }
    const Slice handle = index_iter_->value();
    if (data_iter_.has_value() && handle == Slice(data_block_handle_) && data_iter_->status().ok()) return;
    data_iter_.reset();
    data_status_ = data_block_function_(handle, &data_block_);
    if (data_status_.ok()) {
      data_iter_.emplace(data_block_.get(), KeyOrder::kInternalKey);
    } else {
      data_block_.reset();
    }
    data_block_handle_.assign(handle.data(), handle.size());
  }

  std::unique_ptr<BlockIter> index_iter_;
  DataBlockFunction data_block_function_;
  std::shared_ptr<Block> data_block_;   // pinned while data_iter_ reads it (declared first: outlives it)
  std::optional<BlockIter> data_iter_;  // empty: not on any block
  Status data_status_;                  // why the block the index is on did not load
  std::string data_block_handle_;       // index value data_iter_ was opened from
};

}  // namespace

Iterator* NewTwoLevelIterator(std::unique_ptr<BlockIter> index_iter, DataBlockFunction data_block) {
  return new TwoLevelIterator(std::move(index_iter), std::move(data_block));
}

}  // namespace strata
