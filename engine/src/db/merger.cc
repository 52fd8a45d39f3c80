#include "db/merger.h"

#include <memory>

#include "db/dbformat.h"

namespace strata {
namespace {

// A child iterator with its Valid(), key() and value() cached after every
// move, so the merge's comparisons and reads cost no virtual calls through
// the child's layers, and a step forward costs one (NextEntry).
class Child {
 public:
  explicit Child(Iterator* iter) : iter_(iter) { Update(); }

  Iterator* iter() const { return iter_.get(); }
  bool Valid() const { return valid_; }
  // Stopped on an error (checked once, when it stops).
  bool failed() const { return failed_; }
  const Slice& key() const { return key_; }
  const Slice& value() const { return value_; }

  void SeekToFirst() { iter_->SeekToFirst(), Update(); }
  void SeekToLast() { iter_->SeekToLast(), Update(); }
  void Seek(const Slice& target) { iter_->Seek(target), Update(); }
  void Next() {
    valid_ = iter_->NextEntry(&key_, &value_);
    if (!valid_) failed_ = !iter_->status().ok();
  }
  void Prev() { iter_->Prev(), Update(); }

 private:
  void Update() {
    valid_ = iter_->Valid();
    if (valid_) {
      key_ = iter_->key();
      value_ = iter_->value();
    } else {
      failed_ = !iter_->status().ok();
    }
  }

  std::unique_ptr<Iterator> iter_;
  bool valid_ = false;
  bool failed_ = false;
  Slice key_;
  Slice value_;
};

// Children are few (memtables, L0 files, one per deeper level), so a linear
// scan for the smallest beats a heap's bookkeeping.
class MergingIterator final : public Iterator {
 public:
  explicit MergingIterator(std::vector<Iterator*> children) {
    children_.reserve(children.size());
    for (Iterator* c : children) children_.emplace_back(c);
  }

  bool Valid() const override { return current_ != nullptr; }

  void SeekToFirst() override {
    for (auto& c : children_) c.SeekToFirst();
    FindSmallest();
    direction_ = kForward;
  }

  void SeekToLast() override {
    for (auto& c : children_) c.SeekToLast();
    FindLargest();
    direction_ = kReverse;
  }

  void Seek(const Slice& target) override {
    for (auto& c : children_) c.Seek(target);
    FindSmallest();
    direction_ = kForward;
  }

  void Next() override {
    // Moving forward: every non-current child must sit after key().
    if (direction_ != kForward) {
      std::string k = key().ToString();
      for (auto& c : children_) {
        if (&c == current_) continue;
        c.Seek(k);
        if (c.Valid() && CompareInternalKeys(k, c.key()) == 0) c.Next();
      }
      direction_ = kForward;
    }
    current_->Next();
    FindSmallest();
  }

  void Prev() override {
    // Moving backward: every non-current child must sit before key().
    if (direction_ != kReverse) {
      std::string k = key().ToString();
      for (auto& c : children_) {
        if (&c == current_) continue;
        c.Seek(k);
        if (c.Valid())
          c.Prev();
        else
          c.SeekToLast();
      }
      direction_ = kReverse;
    }
    current_->Prev();
    FindLargest();
  }

  Slice key() const override { return current_->key(); }
  Slice value() const override { return current_->value(); }

  bool NextEntry(Slice* key, Slice* value) override {
    Next();
    if (current_ == nullptr) return false;
    *key = current_->key();
    *value = current_->value();
    return true;
  }

  Status status() const override {
    for (const auto& c : children_) {
      Status s = c.iter()->status();
      if (!s.ok()) return s;
    }
    return Status::OK();
  }

 private:
  enum Direction { kForward, kReverse };

  // A child that stopped on an error stops the merge: going on without it
  // could surface versions its entries shadow.
  void FindSmallest() {
    current_ = nullptr;
    for (auto& c : children_) {
      if (!c.Valid()) {
        if (c.failed()) {
          current_ = nullptr;
          return;
        }
      } else if (current_ == nullptr || CompareInternalKeys(c.key(), current_->key()) < 0) {
        current_ = &c;
      }
    }
  }

  void FindLargest() {
    current_ = nullptr;
    for (auto it = children_.rbegin(); it != children_.rend(); ++it) {
      Child& c = *it;
      if (!c.Valid()) {
        if (c.failed()) {
          current_ = nullptr;
          return;
        }
      } else if (current_ == nullptr || CompareInternalKeys(c.key(), current_->key()) > 0) {
        current_ = &c;
      }
    }
  }

  std::vector<Child> children_;
  Child* current_ = nullptr;
  Direction direction_ = kForward;
};

}  // namespace

Iterator* NewMergingIterator(std::vector<Iterator*> children) {
  if (children.size() == 1) return children[0];
  return new MergingIterator(std::move(children));
}

}  // namespace strata
