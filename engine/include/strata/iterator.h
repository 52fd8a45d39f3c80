// Iterator: an ordered cursor over key/value pairs.
//
// Keys are ordered bytewise. key() and value() stay valid until the iterator
// is moved or destroyed. An iterator that hits an error becomes !Valid() and
// reports it through status(). Not thread-safe.
#pragma once

#include <functional>
#include <vector>

#include "strata/slice.h"
#include "strata/status.h"

namespace strata {

class Iterator {
 public:
  Iterator() = default;
  Iterator(const Iterator&) = delete;
  Iterator& operator=(const Iterator&) = delete;
  virtual ~Iterator();

  virtual bool Valid() const = 0;
  virtual void SeekToFirst() = 0;
  virtual void SeekToLast() = 0;
  // Positions at the first key >= target.
  virtual void Seek(const Slice& target) = 0;
  // REQUIRES: Valid()
  virtual void Next() = 0;
  // REQUIRES: Valid()
  virtual void Prev() = 0;
  // REQUIRES: Valid()
  virtual Slice key() const = 0;
  // REQUIRES: Valid()
  virtual Slice value() const = 0;
  virtual Status status() const = 0;

  // Next(), then Valid(); when valid, *key and *value are set to key() and
  // value(). A scan's step in one call instead of four: iterators built on
  // others (a merge of levels of tables of blocks) answer it with one call
  // to the iterator below instead of four through every layer.
  // REQUIRES: Valid()
  virtual bool NextEntry(Slice* key, Slice* value);

  // Runs fn when this iterator is destroyed (releases what it pins).
  void RegisterCleanup(std::function<void()> fn) { cleanups_.push_back(std::move(fn)); }

 private:
  std::vector<std::function<void()>> cleanups_;
};

// An iterator over nothing, with the given status.
Iterator* NewEmptyIterator(Status status = Status::OK());

}  // namespace strata
