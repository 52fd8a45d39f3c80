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

// The valid children in a binary heap whose top is the next entry in the
// direction of travel: a step moves the top child and sifts it down, which
// costs two comparisons while it stays in front (a scan reading a run of
// one table) and ~2 log2(n) at most, where a linear scan for the smallest
// costs n - 1 on every step (a database behind on compactions reads a
// dozen children: memtables, L0 tables, one per deeper level).
class MergingIterator final : public Iterator {
 public:
  explicit MergingIterator(std::vector<Iterator*> children) {
    children_.reserve(children.size());
    for (Iterator* c : children) children_.emplace_back(c);
    heap_.reserve(children_.size());
  }

  bool Valid() const override { return !heap_.empty(); }

  void SeekToFirst() override {
    for (auto& c : children_) c.SeekToFirst();
    BuildHeap(kForward);
  }

  void SeekToLast() override {
    for (auto& c : children_) c.SeekToLast();
    BuildHeap(kReverse);
  }

  void Seek(const Slice& target) override {
    for (auto& c : children_) c.Seek(target);
    BuildHeap(kForward);
  }

  void Next() override {
    if (direction_ != kForward) {
      // Moving forward: every non-current child must sit after key().
      Child* current = heap_.front();
      std::string k = key().ToString();
      for (auto& c : children_) {
        if (&c == current) continue;
        c.Seek(k);
        if (c.Valid() && CompareInternalKeys(k, c.key()) == 0) c.Next();
      }
      current->Next();
      BuildHeap(kForward);
      return;
    }
    heap_.front()->Next();
    TopMoved();
  }

  void Prev() override {
    if (direction_ != kReverse) {
      // Moving backward: every non-current child must sit before key().
      Child* current = heap_.front();
      std::string k = key().ToString();
      for (auto& c : children_) {
        if (&c == current) continue;
        c.Seek(k);
        if (c.Valid())
          c.Prev();
        else
          c.SeekToLast();
      }
      current->Prev();
      BuildHeap(kReverse);
      return;
    }
    heap_.front()->Prev();
    TopMoved();
  }

  Slice key() const override { return heap_.front()->key(); }
  Slice value() const override { return heap_.front()->value(); }

  bool NextEntry(Slice* key, Slice* value) override {
    Next();
    if (heap_.empty()) return false;
    *key = heap_.front()->key();
    *value = heap_.front()->value();
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

  // Whether a comes out before b: by key, then (equal keys) by the order
  // the children were given in, in both directions' reading order.
  bool Before(const Child* a, const Child* b) const {
    int r = CompareInternalKeys(a->key(), b->key());
    if (r == 0) r = a < b ? -1 : +1;  // children_ never moves
    return direction_ == kForward ? r < 0 : r > 0;
  }

  // A child that stopped on an error stops the merge: going on without it
  // could surface versions its entries shadow.
  void BuildHeap(Direction direction) {
    direction_ = direction;
    heap_.clear();
    for (auto& c : children_) {
      if (c.Valid()) {
        heap_.push_back(&c);
      } else if (c.failed()) {
        heap_.clear();
        return;
      }
    }
    for (size_t i = heap_.size() / 2; i-- > 0;) SiftDown(i);
  }

  void TopMoved() {
    Child* top = heap_.front();
    if (!top->Valid()) {
      if (top->failed()) {
        heap_.clear();
        return;
      }
      heap_.front() = heap_.back();
      heap_.pop_back();
      if (heap_.empty()) return;
    }
    SiftDown(0);
  }

  void SiftDown(size_t i) {
    const size_t n = heap_.size();
    Child* moving = heap_[i];
    for (;;) {
      size_t first = 2 * i + 1;
      if (first >= n) break;
      if (first + 1 < n && Before(heap_[first + 1], heap_[first])) first++;
      if (!Before(heap_[first], moving)) break;
      heap_[i] = heap_[first];
      i = first;
    }
    heap_[i] = moving;
  }

  std::vector<Child> children_;
  std::vector<Child*> heap_;  // the valid children; empty when the merge is done or failed
  Direction direction_ = kForward;
};

}  // namespace

Iterator* NewMergingIterator(std::vector<Iterator*> children) {
  if (children.size() == 1) return children[0];
  return new MergingIterator(std::move(children));
}

}  // namespace strata
