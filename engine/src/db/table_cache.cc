#include "db/table_cache.h"

#include "db/filename.h"
#include "table/table.h"
#include "util/coding.h"

namespace strata {
namespace {

std::string CacheKey(uint64_t number) {
  std::string key;
  PutFixed64(&key, number);
  return key;
}

}  // namespace

TableCache::TableCache(std::string dir, Env* env, int max_open_tables, LRUCache* block_cache,
                       ReadCounters* counters)
    : dir_(std::move(dir)),
      env_(env),
      cache_(static_cast<size_t>(max_open_tables > 0 ? max_open_tables : 1)),
      block_cache_(block_cache),
      counters_(counters) {}

Status TableCache::GetProperties(uint64_t number, uint64_t file_size, pb::TableProperties* properties) {
  std::shared_ptr<Table> table;
  Status s = FindTable(number, file_size, &table);
  if (s.ok()) *properties = table->properties();
  return s;
}

Status TableCache::FindTable(uint64_t number, uint64_t file_size, std::shared_ptr<Table>* table) {
  std::string key = CacheKey(number);
  if (auto cached = cache_.Lookup(key)) {
    hits_.fetch_add(1, std::memory_order_relaxed);
    *table = std::static_pointer_cast<Table>(cached);
    return Status::OK();
  }
  misses_.fetch_add(1, std::memory_order_relaxed);
  std::string path = TableFileName(dir_, number);
  std::unique_ptr<RandomAccessFile> file;
  Status s = env_->NewRandomAccessFile(path, &file);
  // The manifest names this table: its absence is damage, not a missing key.
  if (s.IsNotFound()) return Status::Corruption(path + ": table file named by the manifest is missing");
  if (!s.ok()) return s;
  TableReadOptions options;
  options.block_cache = block_cache_;
  options.cache_id = block_cache_ ? block_cache_->NewId() : 0;
  options.counters = counters_;
  std::unique_ptr<Table> opened;
  s = Table::Open(options, std::move(file), file_size, &opened);
  if (!s.ok()) return s.WithContext(path);
  std::shared_ptr<Table> shared(std::move(opened));
  cache_.Insert(key, shared, 1);
  *table = std::move(shared);
  return Status::OK();
}

Iterator* TableCache::NewIterator(const ReadOptions& options, uint64_t number, uint64_t file_size) {
  std::shared_ptr<Table> table;
  Status s = FindTable(number, file_size, &table);
  if (!s.ok()) return NewEmptyIterator(s);
  Iterator* iter = table->NewIterator(options);
  iter->RegisterCleanup([table]() {});  // keeps the reader alive
  return iter;
}

Status TableCache::Get(const ReadOptions& options, uint64_t number, uint64_t file_size, const Slice& ikey,
                       const std::function<void(const Slice&, const Slice&)>& found) {
  std::shared_ptr<Table> table;
  Status s = FindTable(number, file_size, &table);
  if (!s.ok()) return s;
  return table->InternalGet(options, ikey, found);
}

void TableCache::Evict(uint64_t number) {
  cache_.Erase(CacheKey(number));
}

}  // namespace strata
