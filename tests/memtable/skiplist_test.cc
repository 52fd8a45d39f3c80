// Tests of SkipList: ordered-set behaviour against std::set, and lock-free
// reads while a writer inserts.
#include "memtable/skiplist.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <set>
#include <thread>
#include <vector>

#include "util/arena.h"
#include "util/random.h"

namespace strata {
namespace {

using Key = uint64_t;

struct TestComparator {
  int operator()(const Key& a, const Key& b) const { return a < b ? -1 : (a > b ? +1 : 0); }
};

using TestList = SkipList<Key, TestComparator>;

TEST(SkipListTest, EmptyListHasNothing) {
  Arena arena;
  TestList list(TestComparator(), &arena);
  EXPECT_FALSE(list.Contains(10));

  TestList::Iterator iter(&list);
  EXPECT_FALSE(iter.Valid());
  iter.SeekToFirst();
  EXPECT_FALSE(iter.Valid());
  iter.Seek(100);
  EXPECT_FALSE(iter.Valid());
  iter.SeekToLast();
  EXPECT_FALSE(iter.Valid());
}

// Contains, both iteration directions and Seek from every target in
// [0, range + 2) agree with model (a Seek starts from the top level, so a
// node linked in the wrong place at any level shows).
void ExpectSameSet(const TestList& list, const std::set<Key>& model, Key kRange) {
  for (Key k = 0; k < kRange; k++) ASSERT_EQ(model.count(k) == 1, list.Contains(k)) << k;

  // Forward, from the start.
  TestList::Iterator iter(&list);
  iter.SeekToFirst();
  for (Key k : model) {
    ASSERT_TRUE(iter.Valid());
    ASSERT_EQ(k, iter.key());
    iter.Next();
  }
  EXPECT_FALSE(iter.Valid());

  // Backward, from the end.
  iter.SeekToLast();
  for (auto it = model.rbegin(); it != model.rend(); ++it) {
    ASSERT_TRUE(iter.Valid());
    ASSERT_EQ(*it, iter.key());
    iter.Prev();
  }
  EXPECT_FALSE(iter.Valid());

  // Seek lands on the first key >= target, from every target.
  for (Key target = 0; target < kRange + 2; target++) {
    iter.Seek(target);
    auto expected = model.lower_bound(target);
    if (expected == model.end()) {
      ASSERT_FALSE(iter.Valid()) << target;
    } else {
      ASSERT_TRUE(iter.Valid()) << target;
      ASSERT_EQ(*expected, iter.key());
      // A few steps each way from there.
      auto it = expected;
      for (int step = 0; step < 3 && it != model.end(); step++, ++it) {
        ASSERT_TRUE(iter.Valid());
        ASSERT_EQ(*it, iter.key());
        iter.Next();
      }
    }
  }
}

TEST(SkipListTest, BehavesLikeAnOrderedSet) {
  constexpr int kCount = 2000;
  constexpr Key kRange = 5000;
  Random rnd(1000);
  std::set<Key> model;
  Arena arena;
  TestList list(TestComparator(), &arena);
  for (int i = 0; i < kCount; i++) {
    const Key key = rnd.Uniform(kRange);
    if (model.insert(key).second) list.Insert(key);
  }
  ExpectSameSet(list, model, kRange);
}

// Inserts that go right after the previous one take a shortcut (the
// splice); every order that does, does half the time, or defeats it must
// give the same list.
TEST(SkipListTest, EveryInsertOrderGivesTheSameSet) {
  constexpr Key kRange = 3000;
  Random rnd(77);
  std::vector<Key> ascending, descending, evens_then_odds, runs, zigzag;
  for (Key k = 0; k < kRange; k++) ascending.push_back(k);
  descending.assign(ascending.rbegin(), ascending.rend());
  for (Key k = 0; k < kRange; k += 2) evens_then_odds.push_back(k);  // then each odd goes between two evens
  for (Key k = 1; k < kRange; k += 2) evens_then_odds.push_back(k);
  for (Key start = 0; start < kRange; start += 100) {  // ascending runs of 100, runs in random order
    const Key run = rnd.Uniform(kRange / 100) * 100;
    for (Key k = run; k < run + 100; k++) runs.push_back(k);
  }
  for (Key k = 0; k < kRange / 2; k++) {  // from both ends toward the middle
    zigzag.push_back(k);
    zigzag.push_back(kRange - 1 - k);
  }
  for (const auto& order : {ascending, descending, evens_then_odds, runs, zigzag}) {
    std::set<Key> model;
    Arena arena;
    TestList list(TestComparator(), &arena);
    for (Key k : order) {
      if (model.insert(k).second) list.Insert(k);
    }
    ExpectSameSet(list, model, kRange);
  }
}

TEST(SkipListTest, SeekPastTheEndAndPrevFromTheFirst) {
  Arena arena;
  TestList list(TestComparator(), &arena);
  list.Insert(5);
  list.Insert(7);
  TestList::Iterator iter(&list);
  iter.Seek(8);
  EXPECT_FALSE(iter.Valid());
  iter.Seek(6);
  ASSERT_TRUE(iter.Valid());
  EXPECT_EQ(7u, iter.key());
  iter.Prev();
  ASSERT_TRUE(iter.Valid());
  EXPECT_EQ(5u, iter.key());
  iter.Prev();
  EXPECT_FALSE(iter.Valid());
}

TEST(SkipListTest, ArenaMemoryGrowsWithInserts) {
  Arena arena;
  TestList list(TestComparator(), &arena);
  const size_t empty = arena.MemoryUsage();
  for (Key k = 0; k < 10000; k++) list.Insert(k);
  EXPECT_GT(arena.MemoryUsage(), empty + 10000 * (sizeof(Key) + sizeof(void*)));
}

// One writer inserts keys in random order while a reader walks the list
// over and over. Every pass must be strictly ascending, contain only keys
// that exist, and contain every key whose insertion finished before the
// pass began.
TEST(SkipListTest, ConcurrentReaderSeesAnOrderedSupersetOfFinishedInserts) {
  constexpr int kKeys = 20000;
  std::vector<Key> order(kKeys);
  Random rnd(7);
  for (int i = 0; i < kKeys; i++) order[i] = (rnd.Next() << 1) | 1;  // odd: never 0
  std::sort(order.begin(), order.end());
  order.erase(std::unique(order.begin(), order.end()), order.end());
  const std::set<Key> all(order.begin(), order.end());
  for (size_t i = order.size() - 1; i > 0; i--) std::swap(order[i], order[rnd.Uniform(i + 1)]);

  Arena arena;
  TestList list(TestComparator(), &arena);
  std::atomic<size_t> inserted{0};
  std::atomic<bool> failed{false};
  std::atomic<int> passes{0};
  std::atomic<bool> reader_started{false};

  std::thread reader([&] {
    reader_started.store(true);
    Random probe_rnd(11);
    std::vector<Key> seen;
    bool done = false;
    while (!done && !failed.load()) {
      done = inserted.load(std::memory_order_acquire) == order.size();
      const size_t finished = inserted.load(std::memory_order_acquire);
      seen.clear();
      TestList::Iterator iter(&list);
      for (iter.SeekToFirst(); iter.Valid(); iter.Next()) seen.push_back(iter.key());
      passes.fetch_add(1);
      for (size_t i = 1; i < seen.size(); i++) {
        if (seen[i - 1] >= seen[i]) failed.store(true);
      }
      for (Key k : seen) {
        if (all.count(k) == 0) failed.store(true);
      }
      for (size_t i = 0; i < finished; i++) {
        if (!std::binary_search(seen.begin(), seen.end(), order[i])) failed.store(true);
      }
      // Lookups through Seek and Contains see finished inserts too.
      if (finished > 0) {
        const Key probe = order[probe_rnd.Uniform(finished)];
        if (!list.Contains(probe)) failed.store(true);
        iter.Seek(probe);
        if (!iter.Valid() || iter.key() != probe) failed.store(true);
      }
    }
  });

  while (!reader_started.load()) std::this_thread::yield();
  for (size_t i = 0; i < order.size() && !failed.load(); i++) {
    list.Insert(order[i]);
    inserted.store(i + 1, std::memory_order_release);
    if (i % 200 == 0) std::this_thread::yield();
  }
  reader.join();
  EXPECT_FALSE(failed.load());
  EXPECT_GT(passes.load(), 1);
}

}  // namespace
}  // namespace strata
