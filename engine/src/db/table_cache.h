// TableCache: open table readers, kept in an LRU of max_open_tables entries
// so hot tables are not reopened (and their index and filter not reread).
// Thread-safe.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>

#include "cache/lru_cache.h"
#include "proto/table_properties.pb.h"
#include "strata/env.h"
#include "strata/iterator.h"
#include "strata/options.h"
#include "table/read_counters.h"

namespace strata {

class Table;

class TableCache {
 public:
  // block_cache and counters may be null; both must outlive the cache.
  TableCache(std::string dir, Env* env, int max_open_tables, LRUCache* block_cache, ReadCounters* counters);

  // An iterator over the table's internal keys, which keeps the table open.
  // On error, an empty iterator with that status.
  Iterator* NewIterator(const ReadOptions& options, uint64_t number, uint64_t file_size);

  // Calls found(ikey, value) with the first entry >= ikey, unless the bloom
  // filter rules the user key out.
  Status Get(const ReadOptions& options, uint64_t number, uint64_t file_size, const Slice& ikey,
             const std::function<void(const Slice&, const Slice&)>& found);

  // The table's properties block (opening the table if it is not open).
  Status GetProperties(uint64_t number, uint64_t file_size, pb::TableProperties* properties);

  // Forgets the reader of a deleted table.
  void Evict(uint64_t number);

  uint64_t hits() const { return hits_.load(std::memory_order_relaxed); }
  uint64_t misses() const { return misses_.load(std::memory_order_relaxed); }

 private:
  Status FindTable(uint64_t number, uint64_t file_size, std::shared_ptr<Table>* table);

  const std::string dir_;
  Env* const env_;
  LRUCache cache_;
  LRUCache* const block_cache_;
  ReadCounters* const counters_;
  std::atomic<uint64_t> hits_{0};
  std::atomic<uint64_t> misses_{0};
};

}  // namespace strata
