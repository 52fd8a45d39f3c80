// MemTable: the in-memory sorted buffer that receives every write before it
// is flushed to an L0 table.
//
// Entries live in an Arena, each encoded as
//   entry := varint32(internal_key_len) . internal_key . varint32(value_len) . value
// (internal_key as in db/dbformat.h; a deletion has an empty value), and are
// ordered by CompareInternalKeys: user key ascending, then sequence
// descending. Nothing is ever removed or changed; a memtable is dropped whole
// once flushed.
//
// Thread-safety: Add needs external synchronization (one writer at a time).
// Get, NewIterator and the iterators, ApproximateMemoryUsage and NumEntries
// may run concurrently with Add and with each other. Ref/Unref are atomic.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>

#include "db/dbformat.h"
#include "memtable/skiplist.h"
#include "strata/iterator.h"
#include "strata/slice.h"
#include "strata/status.h"
#include "util/arena.h"

namespace strata {

class MemTable {
 public:
  // Reference-counted: starts at zero references, so the creator calls
  // Ref(), and the last Unref() deletes it.
  MemTable();

  MemTable(const MemTable&) = delete;
  MemTable& operator=(const MemTable&) = delete;

  void Ref() { refs_.fetch_add(1, std::memory_order_relaxed); }
  // Drops a reference; deletes this memtable when none remain.
  // REQUIRES: a reference is held.
  void Unref();

  // Bytes held by the arena (entries and skip list nodes).
  size_t ApproximateMemoryUsage() const { return arena_.MemoryUsage(); }
  // Entries added so far (puts and deletions).
  uint64_t NumEntries() const { return num_entries_.load(std::memory_order_relaxed); }

  // An iterator over all entries: key() is the internal key, value() the
  // value (empty for a deletion). The caller owns it and must delete it
  // while still holding a reference to this memtable. Seek() takes an
  // internal key.
  Iterator* NewIterator();

  // Adds an entry for user_key at sequence seq: a value (type kTypeValue)
  // or a deletion (kTypeDeletion, value ignored).
  // REQUIRES: external synchronization; seq <= kMaxSequenceNumber; no entry
  // with the same user key and sequence was added before; key and value
  // within kMaxKeySize and kMaxValueSize (WriteBatch checks them).
  void Add(SequenceNumber seq, ValueType type, const Slice& user_key, const Slice& value);

  // Looks up key.user_key() as of key's sequence. If the memtable holds a
  // version of it with sequence <= that, takes the newest such version and
  // returns true with: *s = OK and *value = the value for a put, or
  // *s = NotFound for a deletion (*value untouched). Returns false, touching
  // neither, if it holds no such version.
  bool Get(const LookupKey& key, std::string* value, Status* s);

 private:
  // Orders arena entries (pointers to their varint32 key length).
  struct KeyComparator {
    int operator()(const char* a, const char* b) const;
  };
  using Table = SkipList<const char*, KeyComparator>;

  friend class MemTableIterator;

  ~MemTable();  // only via Unref()

  std::atomic<int> refs_{0};
  std::atomic<uint64_t> num_entries_{0};
  Arena arena_;
  Table table_;
};

}  // namespace strata
