#include "db/level_iterator.h"

#include <memory>

#include "version/version.h"

namespace strata {
namespace {

class LevelIterator final : public Iterator {
 public:
  LevelIterator(std::vector<FileMetaPtr> files, TableIteratorFactory open)
      : files_(std::move(files)), open_(std::move(open)), index_(files_.size()) {}

  bool Valid() const override { return table_ != nullptr && table_->Valid(); }

  void Seek(const Slice& target) override {
    OpenTable(FindFile(files_, target));
    if (table_) table_->Seek(target);
    SkipEmptyTablesForward();
  }

  void SeekToFirst() override {
    OpenTable(0);
    if (table_) table_->SeekToFirst();
    SkipEmptyTablesForward();
  }

  void SeekToLast() override {
    OpenTable(files_.empty() ? 0 : files_.size() - 1);
    if (table_) table_->SeekToLast();
    SkipEmptyTablesBackward();
  }

  void Next() override {
    table_->Next();
    SkipEmptyTablesForward();
  }

  bool NextEntry(Slice* key, Slice* value) override {
    if (table_->NextEntry(key, value)) return true;
    SkipEmptyTablesForward();
    if (!Valid()) return false;
    *key = table_->key();
    *value = table_->value();
    return true;
  }

  void Prev() override {
    table_->Prev();
    SkipEmptyTablesBackward();
  }

  Slice key() const override { return table_->key(); }
  Slice value() const override { return table_->value(); }
  Status status() const override {
    if (!status_.ok()) return status_;
    return table_ ? table_->status() : Status::OK();
  }

 private:
  void OpenTable(size_t index) {
    SaveStatus();
    index_ = index;
    table_.reset(index < files_.size() ? open_(*files_[index]) : nullptr);
  }

  // Keeps the first error seen in a table we leave behind.
  void SaveStatus() {
    if (table_ && status_.ok()) {
      Status s = table_->status();
      if (!s.ok()) status_ = s;
    }
  }

  void SkipEmptyTablesForward() {
    while (table_ && !table_->Valid() && table_->status().ok()) {
      if (index_ + 1 >= files_.size()) {
        OpenTable(files_.size());
        return;
      }
      OpenTable(index_ + 1);
      table_->SeekToFirst();
    }
  }

  void SkipEmptyTablesBackward() {
    while (table_ && !table_->Valid() && table_->status().ok()) {
      if (index_ == 0) {
        OpenTable(files_.size());
        return;
      }
      OpenTable(index_ - 1);
      table_->SeekToLast();
    }
  }

  const std::vector<FileMetaPtr> files_;
  const TableIteratorFactory open_;
  size_t index_;
  std::unique_ptr<Iterator> table_;
  Status status_;
};

}  // namespace

Iterator* NewLevelIterator(std::vector<FileMetaPtr> files, TableIteratorFactory open_table) {
  return new LevelIterator(std::move(files), std::move(open_table));
}

}  // namespace strata
