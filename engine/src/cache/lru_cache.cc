#include "cache/lru_cache.h"

#include <functional>
#include <list>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace strata {

namespace {

std::string_view View(const Slice& s) {
  return std::string_view(s.data(), s.size());
}

size_t HashKey(std::string_view key) {
  return std::hash<std::string_view>()(key);
}

}  // namespace

// One shard: a map from key to a node of a list kept in recency order, most
// recently used at the front. The map's keys view the strings owned by the
// list nodes, which never move.
class LRUCache::Shard {
 public:
  explicit Shard(size_t capacity) : capacity_(capacity) {}

  void Insert(const Slice& key, std::shared_ptr<void> value, size_t charge) {
    std::list<Entry> evicted;  // destroyed after the lock is released
    std::lock_guard<std::mutex> lock(mu_);
    auto it = map_.find(View(key));
    if (it != map_.end()) RemoveLocked(it->second, &evicted);
    if (capacity_ == 0 || charge > capacity_) return;
    lru_.push_front(Entry{key.ToString(), std::move(value), charge});
    map_.emplace(View(lru_.front().key), lru_.begin());
    usage_ += charge;
    while (usage_ > capacity_) RemoveLocked(std::prev(lru_.end()), &evicted);
  }

  std::shared_ptr<void> Lookup(const Slice& key) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = map_.find(View(key));
    if (it == map_.end()) return nullptr;
    lru_.splice(lru_.begin(), lru_, it->second);  // iterators stay valid
    return it->second->value;
  }

  void Erase(const Slice& key) {
    std::list<Entry> evicted;  // destroyed after the lock is released
    std::lock_guard<std::mutex> lock(mu_);
    auto it = map_.find(View(key));
    if (it != map_.end()) RemoveLocked(it->second, &evicted);
  }

  size_t Usage() const {
    std::lock_guard<std::mutex> lock(mu_);
    return usage_;
  }

 private:
  struct Entry {
    std::string key;
    std::shared_ptr<void> value;
    size_t charge;
  };

  // Unlinks the entry into *out, so that its value is destroyed by the
  // caller (possibly after the lock is released), never inside the map.
  void RemoveLocked(std::list<Entry>::iterator entry, std::list<Entry>* out) {
    map_.erase(View(entry->key));
    usage_ -= entry->charge;
    out->splice(out->end(), lru_, entry);
  }

  const size_t capacity_;
  mutable std::mutex mu_;
  size_t usage_ = 0;
  std::list<Entry> lru_;
  std::unordered_map<std::string_view, std::list<Entry>::iterator> map_;
};

LRUCache::LRUCache(size_t capacity, int shard_bits)
    : capacity_(capacity), shard_bits_(shard_bits < 0 ? 0 : (shard_bits > 8 ? 8 : shard_bits)) {
  const size_t n = size_t{1} << shard_bits_;
  // Split the capacity exactly, so the shards together never exceed it.
  for (size_t i = 0; i < n; i++) {
    shards_.push_back(std::make_unique<Shard>(capacity / n + (i < capacity % n ? 1 : 0)));
  }
}

LRUCache::~LRUCache() = default;

LRUCache::Shard& LRUCache::ShardFor(const Slice& key) {
  if (shard_bits_ == 0) return *shards_[0];
  // Mix the hash so that the top bits used here are independent of the low
  // bits the shard's hash map uses for its buckets.
  uint64_t h = static_cast<uint64_t>(HashKey(View(key))) * 0x9e3779b97f4a7c15ull;
  return *shards_[h >> (64 - shard_bits_)];
}

void LRUCache::Insert(const Slice& key, std::shared_ptr<void> value, size_t charge) {
  ShardFor(key).Insert(key, std::move(value), charge);
}

std::shared_ptr<void> LRUCache::Lookup(const Slice& key) {
  return ShardFor(key).Lookup(key);
}

void LRUCache::Erase(const Slice& key) {
  ShardFor(key).Erase(key);
}

size_t LRUCache::Usage() const {
  size_t total = 0;
  for (const auto& shard : shards_) total += shard->Usage();
  return total;
}

}  // namespace strata
