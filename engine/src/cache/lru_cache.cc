#include "cache/lru_cache.h"

#include <cstdlib>
#include <cstring>
#include <mutex>
#include <new>

namespace strata {

namespace {

// A 32-bit hash of a key (cache keys are 8 or 16 bytes: a file number, a
// cache id and a block offset). 64-bit words, multiply and xor-shift, then a
// final avalanche so that both the top bits (the shard) and the low bits
// (the bucket) depend on every byte.
uint32_t HashKey(const Slice& key) {
  constexpr uint64_t kMul = 0x9e3779b97f4a7c15ull;
  const char* p = key.data();
  size_t n = key.size();
  uint64_t h = n * kMul;
  for (; n >= 8; p += 8, n -= 8) {
    uint64_t word;
    std::memcpy(&word, p, 8);
    h = (h ^ word) * kMul;
    h ^= h >> 32;
  }
  if (n > 0) {
    uint64_t tail = 0;
    std::memcpy(&tail, p, n);
    h = (h ^ tail) * kMul;
  }
  h ^= h >> 29;
  h *= 0xbf58476d1ce4e5b9ull;
  h ^= h >> 32;
  return static_cast<uint32_t>(h);
}

}  // namespace

// One shard: a hash table of entries chained per bucket, and a list of the
// same entries in recency order. An entry is one allocation holding its key,
// so an insert allocates once and an eviction frees once (besides the value
// itself); the table and the list link the entries in place.
class LRUCache::Shard {
 public:
  explicit Shard(size_t capacity)
      : capacity_(capacity), buckets_(new Entry*[kInitialBuckets]()), bucket_count_(kInitialBuckets) {
    lru_.newer = lru_.older = &lru_;
  }

  ~Shard() {
    for (Entry* e = lru_.older; e != &lru_;) {
      Entry* older = e->older;
      Delete(e);
      e = older;
    }
  }

  Shard(const Shard&) = delete;
  Shard& operator=(const Shard&) = delete;

  void Insert(const Slice& key, uint32_t hash, std::shared_ptr<void> value, size_t charge) {
    Entry* removed = nullptr;  // deleted after the lock is released
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (Entry* old = *Find(key, hash)) Remove(old, &removed);
      if (capacity_ != 0 && charge <= capacity_) {
        Entry* e = New(key, hash, value, charge);
        if (e != nullptr) {
          Link(e);
          while (usage_ > capacity_) Remove(lru_.newer, &removed);  // the oldest
        }
      }
    }
    DeleteAll(removed);
  }

  std::shared_ptr<void> Lookup(const Slice& key, uint32_t hash) {
    std::lock_guard<std::mutex> lock(mu_);
    Entry* e = *Find(key, hash);
    if (e == nullptr) return nullptr;
    Unlist(e);
    ListAsNewest(e);
    return e->value;
  }

  void Erase(const Slice& key, uint32_t hash) {
    Entry* removed = nullptr;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (Entry* e = *Find(key, hash)) Remove(e, &removed);
    }
    DeleteAll(removed);
  }

  size_t Usage() const {
    std::lock_guard<std::mutex> lock(mu_);
    return usage_;
  }

 private:
  // The key's bytes follow the struct in the same allocation.
  struct Entry {
    std::shared_ptr<void> value;
    size_t charge = 0;
    Entry* next_in_bucket = nullptr;  // also links removed entries awaiting deletion
    Entry* newer = nullptr;           // the recency list is circular through lru_
    Entry* older = nullptr;
    uint32_t hash = 0;
    uint32_t key_size = 0;

    const char* key_data() const { return reinterpret_cast<const char*>(this + 1); }
    bool Is(const Slice& key, uint32_t h) const {
      return hash == h && key_size == key.size() && std::memcmp(key_data(), key.data(), key_size) == 0;
    }
  };

  static constexpr size_t kInitialBuckets = 16;

  // nullptr when memory is short: the entry is then not cached, and value
  // stays with the caller (to be released after the lock).
  static Entry* New(const Slice& key, uint32_t hash, std::shared_ptr<void>& value, size_t charge) {
    void* memory = std::malloc(sizeof(Entry) + key.size());
    if (memory == nullptr) return nullptr;
    Entry* e = new (memory) Entry;
    e->value = std::move(value);
    e->charge = charge;
    e->hash = hash;
    e->key_size = static_cast<uint32_t>(key.size());
    std::memcpy(reinterpret_cast<char*>(e + 1), key.data(), key.size());
    return e;
  }

  static void Delete(Entry* e) {
    e->~Entry();
    std::free(e);
  }

  static void DeleteAll(Entry* removed) {
    while (removed != nullptr) {
      Entry* next = removed->next_in_bucket;
      Delete(removed);
      removed = next;
    }
  }

  // The link that points at key's entry, or the null link ending its bucket.
  Entry** Find(const Slice& key, uint32_t hash) {
    Entry** link = &buckets_[hash & (bucket_count_ - 1)];
    while (*link != nullptr && !(*link)->Is(key, hash)) link = &(*link)->next_in_bucket;
    return link;
  }

  // Adds e (its key absent) to the table as the most recently used entry.
  void Link(Entry* e) {
    if (count_ >= bucket_count_) Grow();
    Entry** bucket = &buckets_[e->hash & (bucket_count_ - 1)];
    e->next_in_bucket = *bucket;
    *bucket = e;
    count_++;
    usage_ += e->charge;
    ListAsNewest(e);
  }

  // Takes e out of the table and the list, onto the *removed chain.
  void Remove(Entry* e, Entry** removed) {
    Entry** link = Find(Slice(e->key_data(), e->key_size), e->hash);
    *link = e->next_in_bucket;
    count_--;
    usage_ -= e->charge;
    Unlist(e);
    e->next_in_bucket = *removed;
    *removed = e;
  }

  void Grow() {
    // Short of memory, the chains just grow longer.
    const size_t count = bucket_count_ * 2;
    std::unique_ptr<Entry*[]> grown(new (std::nothrow) Entry*[count]());
    if (!grown) return;
    for (size_t i = 0; i < bucket_count_; i++) {
      for (Entry* head = buckets_[i]; head != nullptr;) {
        Entry* next = head->next_in_bucket;
        Entry** bucket = &grown[head->hash & (count - 1)];
        head->next_in_bucket = *bucket;
        *bucket = head;
        head = next;
      }
    }
    buckets_ = std::move(grown);
    bucket_count_ = count;
  }

  // lru_.older is the most recently used entry, lru_.newer the least.
  void ListAsNewest(Entry* e) {
    e->newer = &lru_;
    e->older = lru_.older;
    lru_.older->newer = e;
    lru_.older = e;
  }

  static void Unlist(Entry* e) {
    e->newer->older = e->older;
    e->older->newer = e->newer;
  }

  const size_t capacity_;
  mutable std::mutex mu_;
  size_t usage_ = 0;
  size_t count_ = 0;
  Entry lru_;  // the list's head, not an entry
  std::unique_ptr<Entry*[]> buckets_;
  size_t bucket_count_;  // a power of two
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

// The shard comes from the hash's top bits; a shard's buckets use its low ones.
LRUCache::Shard& LRUCache::ShardFor(uint32_t hash) {
  return *shards_[shard_bits_ == 0 ? 0 : hash >> (32 - shard_bits_)];
}

void LRUCache::Insert(const Slice& key, std::shared_ptr<void> value, size_t charge) {
  const uint32_t hash = HashKey(key);
  ShardFor(hash).Insert(key, hash, std::move(value), charge);
}

std::shared_ptr<void> LRUCache::Lookup(const Slice& key) {
  const uint32_t hash = HashKey(key);
  return ShardFor(hash).Lookup(key, hash);
}

void LRUCache::Erase(const Slice& key) {
  const uint32_t hash = HashKey(key);
  ShardFor(hash).Erase(key, hash);
}

size_t LRUCache::Usage() const {
  size_t total = 0;
  for (const auto& shard : shards_) total += shard->Usage();
  return total;
}

}  // namespace strata
