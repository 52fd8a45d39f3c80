#include "table/two_level_iterator.h"

#include <cassert>
#include <memory>
#include <string>
#include <utility>

namespace strata {

namespace {

class TwoLevelIterator final : public Iterator {
 public:
  TwoLevelIterator(Iterator* index_iter, BlockFunction block_function)
      : index_iter_(index_iter), block_function_(std::move(block_function)) {}

  bool Valid() const override { return data_iter_ != nullptr && data_iter_->Valid(); }

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
    if (data_iter_ != nullptr && !data_iter_->status().ok()) return data_iter_->status();
    return Status::OK();
  }

  void Seek(const Slice& target) override {
    index_iter_->Seek(target);
    InitDataBlock();
    if (data_iter_ != nullptr) data_iter_->Seek(target);
    SkipEmptyDataBlocksForward();
  }

  void SeekToFirst() override {
    index_iter_->SeekToFirst();
    InitDataBlock();
    if (data_iter_ != nullptr) data_iter_->SeekToFirst();
    SkipEmptyDataBlocksForward();
  }

  void SeekToLast() override {
    index_iter_->SeekToLast();
    InitDataBlock();
    if (data_iter_ != nullptr) data_iter_->SeekToLast();
    SkipEmptyDataBlocksBackward();
  }

  void Next() override {
    assert(Valid());
    data_iter_->Next();
    SkipEmptyDataBlocksForward();
  }

  void Prev() override {
    assert(Valid());
    data_iter_->Prev();
    SkipEmptyDataBlocksBackward();
  }

 private:
  // True if the current block iterator failed: stay put on it, invalid, so
  // that status() reports the error.
  bool DataIterFailed() const { return data_iter_ != nullptr && !data_iter_->status().ok(); }

  void SkipEmptyDataBlocksForward() {
    while (data_iter_ == nullptr || !data_iter_->Valid()) {
      if (DataIterFailed() || !index_iter_->Valid()) {
        if (!DataIterFailed()) data_iter_.reset();
        return;
      }
      index_iter_->Next();
      InitDataBlock();
      if (data_iter_ != nullptr) data_iter_->SeekToFirst();
    }
  }

  void SkipEmptyDataBlocksBackward() {
    while (data_iter_ == nullptr || !data_iter_->Valid()) {
      if (DataIterFailed() || !index_iter_->Valid()) {
        if (!DataIterFailed()) data_iter_.reset();
        return;
      }
      index_iter_->Prev();
      InitDataBlock();
      if (data_iter_ != nullptr) data_iter_->SeekToLast();
    }
  }

  // Points data_iter_ at the block the index iterator is on (reusing the
  // open one if it is the same block), or at nothing.
  void InitDataBlock() {
    if (!index_iter_->Valid()) {
      data_iter_.reset();
      data_block_handle_.clear();
      return;
    }
    const Slice handle = index_iter_->value();
    if (data_iter_ != nullptr && handle == Slice(data_block_handle_) && data_iter_->status().ok()) return;
    data_iter_.reset(block_function_(handle));
    data_block_handle_.assign(handle.data(), handle.size());
  }

  std::unique_ptr<Iterator> index_iter_;
  BlockFunction block_function_;
  std::unique_ptr<Iterator> data_iter_;  // nullptr: not on any block
  std::string data_block_handle_;        // index value data_iter_ was opened from
};

}  // namespace

Iterator* NewTwoLevelIterator(Iterator* index_iter, BlockFunction block_function) {
  return new TwoLevelIterator(index_iter, std::move(block_function));
}

}  // namespace strata
