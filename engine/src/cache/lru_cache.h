// LRUCache: a thread-safe, byte-bounded cache of shared values, evicting the
// least recently used entries first.
//
// The cache is split into shards (16 by default) chosen by a hash of the
// key, each with its own lock, LRU list and an equal part of the capacity,
// so concurrent readers rarely contend. Eviction is per shard: the cache as
// a whole stays within Capacity() but the order of eviction is exact only
// within a shard.
//
// Values are shared_ptrs: Lookup hands out a reference, so an entry evicted
// or erased while a reader uses it stays alive until the reader drops it.
// Used as the block cache (charge = block bytes) and the table cache
// (charge = 1 per open table).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "strata/slice.h"

namespace strata {

class LRUCache {
 public:
  // capacity: the total charge the cache may hold; 0 keeps nothing.
  // shard_bits: the cache has 2^shard_bits shards (0..8); tests use 0 to see
  // an exact LRU order.
  explicit LRUCache(size_t capacity, int shard_bits = 4);
  ~LRUCache();
  LRUCache(const LRUCache&) = delete;
  LRUCache& operator=(const LRUCache&) = delete;

  // Maps key to value, replacing any entry for key, then evicts least
  // recently used entries of the shard until its usage fits its capacity.
  // An entry whose charge exceeds its shard's capacity, or any entry when
  // that capacity is 0, is not kept (any previous entry for key is still
  // removed).
  void Insert(const Slice& key, std::shared_ptr<void> value, size_t charge);

  // The value for key, marked as most recently used; nullptr on a miss.
  std::shared_ptr<void> Lookup(const Slice& key);

  // Removes the entry for key, if any.
  void Erase(const Slice& key);

  // Sum of the charges of the entries held.
  size_t Usage() const;
  size_t Capacity() const { return capacity_; }

  // A new id on every call, never 0: lets several clients share one cache by
  // prefixing their keys with their own id.
  uint64_t NewId() { return next_id_.fetch_add(1, std::memory_order_relaxed); }

 private:
  class Shard;
  Shard& ShardFor(uint32_t hash);

  const size_t capacity_;
  const int shard_bits_;
  std::vector<std::unique_ptr<Shard>> shards_;
  std::atomic<uint64_t> next_id_{1};
};

}  // namespace strata
