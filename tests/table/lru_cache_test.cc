// LRUCache: byte-bounded, least recently used out first, values kept alive
// while held, safe under concurrent use.
#include "cache/lru_cache.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <list>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "util/random.h"

namespace strata {
namespace {

std::shared_ptr<void> Value(int v) {
  return std::make_shared<int>(v);
}

int Get(LRUCache& cache, const std::string& key) {
  auto v = cache.Lookup(key);
  return v == nullptr ? -1 : *std::static_pointer_cast<int>(v);
}

TEST(LRUCache, MissReturnsNullAndHitReturnsValue) {
  LRUCache cache(1000);
  EXPECT_EQ(cache.Lookup("absent"), nullptr);
  cache.Insert("a", Value(1), 10);
  EXPECT_EQ(Get(cache, "a"), 1);
  EXPECT_EQ(cache.Usage(), 10u);
  EXPECT_EQ(cache.Capacity(), 1000u);
}

TEST(LRUCache, InsertReplacesTheValueAndItsCharge) {
  LRUCache cache(1000);
  cache.Insert("a", Value(1), 10);
  cache.Insert("a", Value(2), 30);
  EXPECT_EQ(Get(cache, "a"), 2);
  EXPECT_EQ(cache.Usage(), 30u);
}

TEST(LRUCache, EvictsLeastRecentlyUsedFirst) {
  LRUCache cache(3, /*shard_bits=*/0);
  cache.Insert("a", Value(1), 1);
  cache.Insert("b", Value(2), 1);
  cache.Insert("c", Value(3), 1);
  cache.Insert("d", Value(4), 1);  // evicts a, the oldest
  EXPECT_EQ(Get(cache, "a"), -1);
  EXPECT_EQ(Get(cache, "b"), 2);   // b is now the most recently used
  cache.Insert("e", Value(5), 1);  // evicts c
  EXPECT_EQ(Get(cache, "c"), -1);
  EXPECT_EQ(Get(cache, "b"), 2);
  EXPECT_EQ(Get(cache, "d"), 4);
  EXPECT_EQ(Get(cache, "e"), 5);
  EXPECT_EQ(cache.Usage(), 3u);
}

TEST(LRUCache, LargeInsertEvictsAsManyAsNeeded) {
  LRUCache cache(10, 0);
  for (int i = 0; i < 10; i++) cache.Insert(std::to_string(i), Value(i), 1);
  cache.Insert("big", Value(99), 7);
  EXPECT_EQ(cache.Usage(), 10u);
  for (int i = 0; i < 7; i++) EXPECT_EQ(Get(cache, std::to_string(i)), -1) << i;
  for (int i = 7; i < 10; i++) EXPECT_EQ(Get(cache, std::to_string(i)), i);
  EXPECT_EQ(Get(cache, "big"), 99);
}

TEST(LRUCache, EraseRemovesTheEntry) {
  LRUCache cache(100);
  cache.Insert("a", Value(1), 5);
  cache.Erase("a");
  cache.Erase("never inserted");
  EXPECT_EQ(Get(cache, "a"), -1);
  EXPECT_EQ(cache.Usage(), 0u);
}

TEST(LRUCache, EntryLargerThanAShardIsNotKeptAndDropsTheOldValue) {
  LRUCache cache(16, 0);
  cache.Insert("a", Value(1), 4);
  cache.Insert("a", Value(2), 17);
  EXPECT_EQ(Get(cache, "a"), -1);
  EXPECT_EQ(cache.Usage(), 0u);
}

TEST(LRUCache, ZeroCapacityKeepsNothing) {
  LRUCache cache(0);
  cache.Insert("a", Value(1), 1);
  cache.Insert("b", Value(2), 0);
  EXPECT_EQ(cache.Lookup("a"), nullptr);
  EXPECT_EQ(cache.Lookup("b"), nullptr);
  EXPECT_EQ(cache.Usage(), 0u);
}

TEST(LRUCache, ShardedUsageNeverExceedsCapacity) {
  LRUCache cache(1000);
  Random rnd(3);
  for (int i = 0; i < 10000; i++) {
    cache.Insert("key" + std::to_string(rnd.Uniform(3000)), Value(i), 1 + rnd.Uniform(40));
    ASSERT_LE(cache.Usage(), 1000u);
  }
  EXPECT_GT(cache.Usage(), 500u);
}

TEST(LRUCache, EvictedValueStaysAliveWhileAReaderHoldsIt) {
  LRUCache cache(1, 0);
  cache.Insert("a", Value(7), 1);
  std::shared_ptr<void> held = cache.Lookup("a");
  std::weak_ptr<void> watch = held;
  cache.Insert("b", Value(8), 1);  // evicts a
  EXPECT_EQ(cache.Lookup("a"), nullptr);
  ASSERT_FALSE(watch.expired());
  EXPECT_EQ(*std::static_pointer_cast<int>(held), 7);
  held.reset();
  EXPECT_TRUE(watch.expired());
}

TEST(LRUCache, DestructionReleasesValues) {
  std::weak_ptr<void> watch;
  {
    LRUCache cache(10, 0);
    auto v = Value(1);
    watch = v;
    cache.Insert("a", std::move(v), 1);
    EXPECT_FALSE(watch.expired());
  }
  EXPECT_TRUE(watch.expired());
}

// Thousands of keys of lengths 0 to 45 bytes (the table grows many times),
// some differing only in their last byte, and every other one erased.
TEST(LRUCache, ManyKeysStayFindableThroughGrowthAndErase) {
  LRUCache cache(1 << 20, /*shard_bits=*/0);
  std::vector<std::string> keys = {""};
  for (int i = 1; i < 5000; i++) keys.push_back(std::string(i % 41, 'k') + std::to_string(i));
  for (size_t i = 0; i < keys.size(); i++) cache.Insert(keys[i], Value(static_cast<int>(i)), 1);
  EXPECT_EQ(cache.Usage(), keys.size());
  for (size_t i = 0; i < keys.size(); i++) ASSERT_EQ(Get(cache, keys[i]), static_cast<int>(i)) << i;
  for (size_t i = 0; i < keys.size(); i += 2) cache.Erase(keys[i]);
  for (size_t i = 0; i < keys.size(); i++) {
    ASSERT_EQ(Get(cache, keys[i]), i % 2 == 0 ? -1 : static_cast<int>(i)) << i;
  }
  EXPECT_EQ(cache.Usage(), keys.size() / 2);
}

// Against a model of the recency list: random inserts (new keys and
// replacements), lookups and erases in one shard, with the table growing
// between them; after every step the same keys are held, and the oldest go
// first.
TEST(LRUCache, MatchesAModelOfRecencyThroughGrowth) {
  constexpr size_t kCapacity = 300;
  LRUCache cache(kCapacity, /*shard_bits=*/0);
  std::list<int> model;  // least recently used first; each entry has charge 1
  auto touch = [&model](int k) {
    model.remove(k);
    model.push_back(k);
  };
  Random rnd(301);
  for (int step = 0; step < 20000; step++) {
    const int k = static_cast<int>(rnd.Uniform(step < 2000 ? 400 : 1000));  // more keys later: growth
    const std::string key = "key" + std::to_string(k);
    switch (rnd.Uniform(3)) {
      case 0:
        cache.Insert(key, Value(k), 1);
        touch(k);
        if (model.size() > kCapacity) model.pop_front();
        break;
      case 1: {
        const bool held = std::find(model.begin(), model.end(), k) != model.end();
        ASSERT_EQ(Get(cache, key), held ? k : -1) << step;
        if (held) touch(k);
        break;
      }
      default: cache.Erase(key); model.remove(k);
    }
    ASSERT_EQ(cache.Usage(), model.size()) << step;
  }
  for (int k = 0; k < 1000; k++) {
    const bool held = std::find(model.begin(), model.end(), k) != model.end();
    ASSERT_EQ(cache.Lookup("key" + std::to_string(k)) != nullptr, held) << k;
  }
}

TEST(LRUCache, ZeroChargeEntriesAreKeptAndCountNothing) {
  LRUCache cache(10, /*shard_bits=*/0);
  cache.Insert("free", Value(1), 0);
  cache.Insert("a", Value(2), 10);
  EXPECT_EQ(Get(cache, "free"), 1);
  EXPECT_EQ(Get(cache, "a"), 2);
  EXPECT_EQ(cache.Usage(), 10u);
}

// A value's destructor may use the cache: replaced, evicted and erased values
// are released after the shard's lock (this test deadlocks otherwise).
TEST(LRUCache, ValuesAreReleasedOutsideTheLock) {
  LRUCache cache(2, /*shard_bits=*/0);
  int released = 0;
  auto value = [&cache, &released](int v) {
    return std::shared_ptr<void>(new int(v), [&cache, &released](void* p) {
      cache.Lookup("probe");  // takes the shard's lock
      released++;
      delete static_cast<int*>(p);
    });
  };
  cache.Insert("a", value(1), 1);
  cache.Insert("a", value(2), 1);  // replaces
  EXPECT_EQ(released, 1);
  cache.Insert("b", value(3), 1);
  cache.Insert("c", value(4), 1);  // evicts a
  EXPECT_EQ(released, 2);
  cache.Erase("b");
  EXPECT_EQ(released, 3);
  cache.Erase("c");  // none left for the cache's own destructor to release
  EXPECT_EQ(released, 4);
}

TEST(LRUCache, NewIdIsNeverZeroAndNeverRepeats) {
  LRUCache cache(10);
  uint64_t a = cache.NewId(), b = cache.NewId();
  EXPECT_NE(a, 0u);
  EXPECT_NE(a, b);
}

TEST(LRUCache, ConcurrentInsertLookupEraseKeepTheCacheConsistent) {
  LRUCache cache(5000);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; t++) {
    threads.emplace_back([&cache, t] {
      Random rnd(100 + t);
      for (int i = 0; i < 20000; i++) {
        const std::string key = "k" + std::to_string(rnd.Uniform(500));
        switch (rnd.Uniform(4)) {
          case 0: cache.Insert(key, Value(static_cast<int>(key.size())), 1 + rnd.Uniform(30)); break;
          case 1: cache.Erase(key); break;
          default: {
            auto v = cache.Lookup(key);
            if (v != nullptr) {
              ASSERT_EQ(*std::static_pointer_cast<int>(v), static_cast<int>(key.size()));
            }
          }
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_LE(cache.Usage(), 5000u);
}

}  // namespace
}  // namespace strata
