#include "strata/iterator.h"

namespace strata {

Iterator::~Iterator() {
  for (auto& fn : cleanups_) fn();
}

bool Iterator::NextEntry(Slice* key, Slice* value) {
  Next();
  if (!Valid()) return false;
  *key = this->key();
  *value = this->value();
  return true;
}

namespace {

class EmptyIterator final : public Iterator {
 public:
  explicit EmptyIterator(Status s) : status_(std::move(s)) {}
  bool Valid() const override { return false; }
  void Seek(const Slice&) override {}
  void SeekToFirst() override {}
  void SeekToLast() override {}
  void Next() override { assert(false); }
  void Prev() override { assert(false); }
  Slice key() const override {
    assert(false);
    return Slice();
  }
  Slice value() const override {
    assert(false);
    return Slice();
  }
  Status status() const override { return status_; }

 private:
  Status status_;
};

}  // namespace

Iterator* NewEmptyIterator(Status status) {
  return new EmptyIterator(std::move(status));
}

}  // namespace strata
