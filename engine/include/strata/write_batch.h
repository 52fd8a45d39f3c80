// WriteBatch: puts and deletes applied atomically by DB::Write, in order,
// also across a crash (the batch is one WAL record).
//
// Puts and deletes check the key and value sizes (see options.h); a batch
// that received a bad entry remembers the first problem and DB::Write
// rejects the whole batch with InvalidArgument.
#pragma once

#include <cstdint>
#include <string>

#include "strata/slice.h"
#include "strata/status.h"

namespace strata {

class WriteBatch {
 public:
  WriteBatch();

  void Put(const Slice& key, const Slice& value);
  void Delete(const Slice& key);
  void Clear();

  // Number of puts and deletes.
  uint32_t Count() const;
  // Bytes of the encoded batch, as written to the WAL.
  size_t ApproximateSize() const { return rep_.size(); }
  // Ok, or InvalidArgument naming the first bad entry added.
  const Status& status() const { return status_; }

  class Handler {
   public:
    virtual ~Handler() = default;
    virtual void Put(const Slice& key, const Slice& value) = 0;
    virtual void Delete(const Slice& key) = 0;
  };
  // Calls handler for each entry in order. Corruption if the encoding is bad.
  Status Iterate(Handler* handler) const;

 private:
  friend class WriteBatchInternal;
  std::string rep_;  // format in engine/src/db/write_batch.cc
  Status status_;
};

}  // namespace strata
