// Iterators: both directions, seeks, direction switches, over the memtable,
// an immutable memtable and several levels, and the stability of an
// iterator's view while the database changes under it.
#include <atomic>
#include <thread>

#include "db/db_test_util.h"

namespace strata {
namespace dbtest {
namespace {

class DBIteratorTest : public DBTestBase {
 protected:
  DBIteratorTest() { Open(); }

  // "key->value" at the iterator, or "(invalid)".
  static std::string At(Iterator* it) {
    if (!it->Valid()) return "(invalid)";
    return it->key().ToString() + "->" + it->value().ToString();
  }
};

TEST_F(DBIteratorTest, IteratorOverAnEmptyDatabaseIsNeverValid) {
  auto it = db_->NewIterator(ReadOptions());
  it->SeekToFirst();
  EXPECT_FALSE(it->Valid());
  it->SeekToLast();
  EXPECT_FALSE(it->Valid());
  it->Seek("a");
  EXPECT_FALSE(it->Valid());
  it->Seek("");
  EXPECT_FALSE(it->Valid());
  EXPECT_TRUE(it->status().ok()) << it->status().ToString();
}

TEST_F(DBIteratorTest, ForwardAndBackwardVisitEveryKeyInOrder) {
  STRATA_ASSERT_OK(Put("b", "vb"));
  STRATA_ASSERT_OK(Put("a", "va"));
  STRATA_ASSERT_OK(Put("c", "vc"));
  auto it = db_->NewIterator(ReadOptions());
  it->SeekToFirst();
  EXPECT_EQ("a->va", At(it.get()));
  it->Next();
  EXPECT_EQ("b->vb", At(it.get()));
  it->Next();
  EXPECT_EQ("c->vc", At(it.get()));
  it->Next();
  EXPECT_EQ("(invalid)", At(it.get()));
  it->SeekToLast();
  EXPECT_EQ("c->vc", At(it.get()));
  it->Prev();
  EXPECT_EQ("b->vb", At(it.get()));
  it->Prev();
  EXPECT_EQ("a->va", At(it.get()));
  it->Prev();
  EXPECT_EQ("(invalid)", At(it.get()));
  EXPECT_TRUE(it->status().ok());
}

TEST_F(DBIteratorTest, SeekPositionsAtTheFirstKeyAtOrAfterTheTarget) {
  for (const char* k : {"b", "d", "f"}) STRATA_ASSERT_OK(Put(k, std::string("v") + k));
  STRATA_ASSERT_OK(db_->Flush());
  STRATA_ASSERT_OK(Put("e", "ve"));
  auto it = db_->NewIterator(ReadOptions());
  it->Seek("");
  EXPECT_EQ("b->vb", At(it.get()));
  it->Seek("a");
  EXPECT_EQ("b->vb", At(it.get()));
  it->Seek("b");
  EXPECT_EQ("b->vb", At(it.get()));
  it->Seek(std::string("b\0", 2));
  EXPECT_EQ("d->vd", At(it.get()));
  it->Seek("dd");
  EXPECT_EQ("e->ve", At(it.get()));
  it->Seek("f");
  EXPECT_EQ("f->vf", At(it.get()));
  it->Seek("g");
  EXPECT_EQ("(invalid)", At(it.get()));
  it->SeekToLast();
  EXPECT_EQ("f->vf", At(it.get()));
  it->Seek("c");
  it->Prev();
  EXPECT_EQ("b->vb", At(it.get()));
}

TEST_F(DBIteratorTest, DirectionSwitchesReturnTheNeighboursOverHiddenEntries) {
  // Deep level: a b c d e.
  for (const char* k : {"a", "b", "c", "d", "e"}) STRATA_ASSERT_OK(Put(k, std::string("1") + k));
  STRATA_ASSERT_OK(db_->Flush());
  STRATA_ASSERT_OK(db_->CompactRange(nullptr, nullptr));
  // L0: b overwritten, c deleted, cc added.
  STRATA_ASSERT_OK(Put("b", "2b"));
  STRATA_ASSERT_OK(Delete("c"));
  STRATA_ASSERT_OK(Put("cc", "2cc"));
  STRATA_ASSERT_OK(db_->Flush());
  // Memtable: d overwritten twice, b deleted and rewritten, e deleted.
  STRATA_ASSERT_OK(Put("d", "3d"));
  STRATA_ASSERT_OK(Put("d", "4d"));
  STRATA_ASSERT_OK(Delete("b"));
  STRATA_ASSERT_OK(Put("b", "3b"));
  STRATA_ASSERT_OK(Delete("e"));
  // Visible: a->1a b->3b cc->2cc d->4d
  auto it = db_->NewIterator(ReadOptions());
  it->Seek("b");
  EXPECT_EQ("b->3b", At(it.get()));
  it->Next();
  EXPECT_EQ("cc->2cc", At(it.get()));
  it->Prev();
  EXPECT_EQ("b->3b", At(it.get()));
  it->Prev();
  EXPECT_EQ("a->1a", At(it.get()));
  it->Next();
  EXPECT_EQ("b->3b", At(it.get()));
  it->Next();
  EXPECT_EQ("cc->2cc", At(it.get()));
  it->Next();
  EXPECT_EQ("d->4d", At(it.get()));
  it->Prev();
  EXPECT_EQ("cc->2cc", At(it.get()));
  it->Next();
  EXPECT_EQ("d->4d", At(it.get()));
  it->Next();
  EXPECT_EQ("(invalid)", At(it.get()));
  it->SeekToLast();
  EXPECT_EQ("d->4d", At(it.get()));
  it->Prev();
  EXPECT_EQ("cc->2cc", At(it.get()));
  it->Prev();
  EXPECT_EQ("b->3b", At(it.get()));
  it->Next();
  EXPECT_EQ("cc->2cc", At(it.get()));
  it->Seek("c");  // a deleted key: lands on the next visible one
  EXPECT_EQ("cc->2cc", At(it.get()));
  it->Prev();
  EXPECT_EQ("b->3b", At(it.get()));
  it->Seek("e");  // deleted, and the last key
  EXPECT_EQ("(invalid)", At(it.get()));
  EXPECT_TRUE(it->status().ok());
}

TEST_F(DBIteratorTest, LongRunsOfDeletedKeysAreSkippedInBothDirections) {
  Close();
  UseSmallBuffers();
  Open();
  STRATA_ASSERT_OK(Put("a", "va"));
  STRATA_ASSERT_OK(Put("z", "vz"));
  for (int i = 0; i < 3000; i++) STRATA_ASSERT_OK(Put("m" + Key(i), ValueFor(i, 0)));
  STRATA_ASSERT_OK(db_->Flush());
  STRATA_ASSERT_OK(db_->CompactRange(nullptr, nullptr));
  // Tombstones in tables over values deeper down, then in the memtable.
  for (int i = 0; i < 2000; i++) STRATA_ASSERT_OK(Delete("m" + Key(i)));
  STRATA_ASSERT_OK(db_->Flush());
  for (int i = 2000; i < 3000; i++) STRATA_ASSERT_OK(Delete("m" + Key(i)));
  auto it = db_->NewIterator(ReadOptions());
  it->Seek("a");
  EXPECT_EQ("a->va", At(it.get()));
  it->Next();
  EXPECT_EQ("z->vz", At(it.get()));
  it->Prev();
  EXPECT_EQ("a->va", At(it.get()));
  it->Seek("m" + Key(1500));
  EXPECT_EQ("z->vz", At(it.get()));
  it->Prev();
  EXPECT_EQ("a->va", At(it.get()));
  it->Prev();
  EXPECT_EQ("(invalid)", At(it.get()));
  EXPECT_TRUE(it->status().ok());
  EXPECT_EQ(2u, Contents().size());
  EXPECT_EQ(2u, ContentsBackward().size());
}

TEST_F(DBIteratorTest, ManyVersionsOfOneKeyShowAsItsNewestValueOnly) {
  for (int v = 0; v < 60; v++) {
    STRATA_ASSERT_OK(Put("k", "v" + std::to_string(v)));
    STRATA_ASSERT_OK(Put("k" + std::to_string(v % 3), "x"));
    if (v % 10 == 9) STRATA_ASSERT_OK(db_->Flush());
  }
  Model want = {{"k", "v59"}, {"k0", "x"}, {"k1", "x"}, {"k2", "x"}};
  CheckMatches(want);
  auto it = db_->NewIterator(ReadOptions());
  it->Seek("k");
  EXPECT_EQ("k->v59", At(it.get()));
  it->Next();
  EXPECT_EQ("k0->x", At(it.get()));
  it->Prev();
  EXPECT_EQ("k->v59", At(it.get()));
  it->Prev();
  EXPECT_EQ("(invalid)", At(it.get()));
}

TEST_F(DBIteratorTest, KeysAndValuesWithZeroBytesIterateIntact) {
  Model model;
  Rng rng(11);
  for (int i = 0; i < 200; i++) {
    std::string k = RandomBytes(rng, 1 + Uniform(rng, 20));
    std::string v = RandomBytes(rng, Uniform(rng, 300));
    STRATA_ASSERT_OK(Put(k, v));
    model[k] = v;
    if (i == 100) STRATA_ASSERT_OK(db_->Flush());
  }
  std::vector<std::string> keys;
  for (const auto& kv : model) keys.push_back(kv.first);
  auto it = db_->NewIterator(ReadOptions());
  CheckFullRange(it.get(), model, rng, keys);
  CheckRandomWalk(it.get(), model, rng, 1000, keys);
}

// ---------------------------------------------------------------------------
// Both modes of background work.

class DBIteratorModeTest : public DBModeTest {
 protected:
  DBIteratorModeTest() {
    UseSmallBuffers();
    Open();
    for (int i = 0; i < 2200; i++) key_space_.push_back(Key(i));
  }

  // Leaves data in several levels, in L0, (without a background thread) in
  // an immutable memtable, and in the memtable, with overwrites and
  // deletions at every layer.
  void BuildLayers() {
    FillRange(0, 2000, 0, 100, &model_);  // spreads over several tables
    STRATA_ASSERT_OK(db_->Flush());
    STRATA_ASSERT_OK(db_->CompactRange(nullptr, nullptr));
    Apply(3, 7, 1);
    STRATA_ASSERT_OK(db_->Flush());
    DrainPendingWork();
    Apply(5, 11, 2);
    STRATA_ASSERT_OK(db_->Flush());  // L0
    // Enough to fill a memtable: it is frozen (and, without a background
    // thread, waits as the immutable memtable).
    for (int i = 0; i < 2000; i += 2) Set(i, ValueFor(i, 3, 150));
    Apply(13, 17, 4);
    for (int i = 2000; i < 2100; i++) Set(i, ValueFor(i, 4));
    if (!options_.background_thread) {
      EXPECT_TRUE(GetStats().immutable_memtable) << "no immutable memtable to iterate over";
    }
    EXPECT_GT(TableFilesBelowL0(GetStats()), 0u);
  }

  void Set(int i, const std::string& v) {
    STRATA_ASSERT_OK(Put(Key(i), v));
    model_[Key(i)] = v;
  }
  void Del(int i) {
    STRATA_ASSERT_OK(Delete(Key(i)));
    model_.erase(Key(i));
  }
  // Overwrites every `put_every`-th key and deletes every `del_every`-th.
  void Apply(int put_every, int del_every, int version) {
    for (int i = 0; i < 2000; i++) {
      if (i % put_every == 0) Set(i, ValueFor(i, version));
      if (i % del_every == 0) Del(i);
    }
  }

  void CheckIterator(Iterator* it, const Model& model, uint64_t seed) {
    Rng rng(seed);
    for (int i = 0; i < 4 && !HasFailure(); i++) CheckFullRange(it, model, rng, key_space_);
    CheckRandomWalk(it, model, rng, 3000, key_space_);
  }

  Model model_;
  std::vector<std::string> key_space_;
  Rng rng_{99};
};

TEST_P(DBIteratorModeTest, IteratesOverMemtableImmutableMemtableAndSeveralLevels) {
  BuildLayers();
  {
    auto it = db_->NewIterator(ReadOptions());
    CheckIterator(it.get(), model_, 1);
  }
  DrainPendingWork();
  {
    auto it = db_->NewIterator(ReadOptions());
    CheckIterator(it.get(), model_, 2);
  }
  STRATA_ASSERT_OK(db_->CompactRange(nullptr, nullptr));
  auto it = db_->NewIterator(ReadOptions());
  CheckIterator(it.get(), model_, 3);
}

TEST_P(DBIteratorModeTest, IteratorKeepsItsViewWhileWritesFlushesAndCompactionsHappen) {
  BuildLayers();
  const Model before = model_;
  auto it = db_->NewIterator(ReadOptions());
  it->SeekToFirst();  // positioned before the changes, too
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(before.begin()->first, it->key().ToString());

  for (int i = 0; i < 2200; i++) {
    if (i % 2 == 0) {
      Del(i);
    } else {
      Set(i, ValueFor(i, 9, 120));
    }
  }
  STRATA_ASSERT_OK(db_->Flush());
  DrainPendingWork();
  STRATA_ASSERT_OK(db_->CompactRange(nullptr, nullptr));
  FillRange(5000, 5500, 10, 100, &model_);

  CheckIterator(it.get(), before, 4);
  // A new iterator sees the new state.
  auto fresh = db_->NewIterator(ReadOptions());
  CheckIterator(fresh.get(), model_, 5);
}

TEST_P(DBIteratorModeTest, IteratorCreatedBeforeAWriteDoesNotSeeIt) {
  STRATA_ASSERT_OK(Put("a", "1"));
  auto it = db_->NewIterator(ReadOptions());
  STRATA_ASSERT_OK(Put("b", "2"));
  STRATA_ASSERT_OK(Put("a", "3"));
  STRATA_ASSERT_OK(Delete("a"));
  it->SeekToFirst();
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ("a", it->key().ToString());
  EXPECT_EQ("1", it->value().ToString());
  it->Next();
  EXPECT_FALSE(it->Valid());
  it->SeekToLast();
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ("a", it->key().ToString());
  EXPECT_TRUE(it->status().ok());
}

// An iterator leaves out a memtable that is empty when it is made: what is
// written there afterwards must stay out of its view, data in the tables
// below stays in, and a new iterator sees both.
TEST_P(DBIteratorModeTest, IteratorMadeOverAnEmptyMemtableDoesNotSeeLaterWrites) {
  STRATA_ASSERT_OK(Put("a", "1"));
  STRATA_ASSERT_OK(Put("c", "1"));
  STRATA_ASSERT_OK(db_->Flush());
  ASSERT_EQ(0u, GetStats().memtable_entries);
  auto it = db_->NewIterator(ReadOptions());
  STRATA_ASSERT_OK(Put("b", "2"));
  STRATA_ASSERT_OK(Put("a", "3"));
  STRATA_ASSERT_OK(Delete("c"));
  std::vector<std::string> seen;
  for (it->SeekToFirst(); it->Valid(); it->Next())
    seen.push_back(it->key().ToString() + "=" + it->value().ToString());
  EXPECT_EQ((std::vector<std::string>{"a=1", "c=1"}), seen);
  it->Seek("b");
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ("c", it->key().ToString());
  EXPECT_TRUE(it->status().ok());

  auto fresh = db_->NewIterator(ReadOptions());
  seen.clear();
  for (fresh->SeekToFirst(); fresh->Valid(); fresh->Next())
    seen.push_back(fresh->key().ToString() + "=" + fresh->value().ToString());
  EXPECT_EQ((std::vector<std::string>{"a=3", "b=2"}), seen);
}

TEST_P(DBIteratorModeTest, ReadersRacingAWriterSeeOnlyWholeBatches) {
  // The writer rewrites all kKeys keys in one batch per generation (every
  // fifth generation deletes them all), so any consistent view holds
  // either no key or every key, all of one generation.
  constexpr int kKeys = 150;
  std::atomic<bool> stop{false};
  std::atomic<int> generations{0};
  std::atomic<bool> write_failed{false};
  std::thread writer([&] {
    for (int gen = 1; !stop && gen <= 3000; gen++) {
      WriteBatch b;
      for (int i = 0; i < kKeys; i++) {
        if (gen % 5 == 0) {
          b.Delete(Key(i));
        } else {
          b.Put(Key(i), "gen" + std::to_string(gen) + "|" + ValueFor(i, gen, 100));
        }
      }
      if (!db_->Write(WriteOptions(), b).ok()) write_failed = true;
      if (!options_.background_thread && db_->HasPendingWork()) {
        if (!db_->RunPendingWork().ok()) write_failed = true;
      }
      generations = gen;
    }
  });
  auto gen_of = [](const std::string& v) { return v.substr(0, v.find('|')); };
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(1500);
  int views = 0;
  while (std::chrono::steady_clock::now() < deadline && generations < 3000 && !HasFailure()) {
    views++;
    // Every generation up to `acked` was acknowledged before the view was
    // made: the view holds it or a later one (a stale view, one missing a
    // memtable that holds visible data, fails here).
    const int acked = generations;
    const Snapshot* snap = OneIn(rng_, 2) ? db_->GetSnapshot() : nullptr;
    ReadOptions ro;
    ro.snapshot = snap;
    auto it = db_->NewIterator(ro);
    int count = 0;
    std::string gen;
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      std::string g = gen_of(it->value().ToString());
      if (count == 0) gen = g;
      if (g != gen) {
        ADD_FAILURE() << "one view mixes " << gen << " and " << g << " at " << it->key().ToString();
        break;
      }
      count++;
    }
    STRATA_EXPECT_OK(it->status());
    EXPECT_TRUE(count == 0 || count == kKeys) << "a view holds " << count << " of " << kKeys << " keys";
    // The newest generation the view can hold: one being written may not
    // be counted in `generations` yet.
    const int newest = generations + 1;
    if (count == kKeys) {
      EXPECT_GE(std::stoi(gen.substr(3)), acked) << "a view older than what was acknowledged before it";
    } else if (count == 0) {
      bool deleted_since = false;  // by a generation that deletes every key
      for (int g = acked; g <= newest; g++) deleted_since = deleted_since || g % 5 == 0;
      EXPECT_TRUE(deleted_since) << "an empty view after generation " << acked << " was acknowledged";
    }
    if (snap != nullptr) {
      // Point reads at the snapshot agree with the iterator's view.
      for (int i = 0; i < kKeys; i += 37) {
        std::string v = Get(Key(i), snap);
        if (count == 0) {
          EXPECT_EQ("NOT_FOUND", v);
        } else {
          EXPECT_EQ(gen, gen_of(v));
        }
      }
      db_->ReleaseSnapshot(snap);
    }
  }
  stop = true;
  writer.join();
  EXPECT_FALSE(write_failed);
  EXPECT_GT(generations.load(), 10);
  EXPECT_GT(GetStats().flushes, 0u);
  printf("%d views over %d generations\n", views, generations.load());
}

INSTANTIATE_TEST_SUITE_P(Modes, DBIteratorModeTest, ::testing::Values(kBackgroundThread, kNoThreads),
                         ModeName);

}  // namespace
}  // namespace dbtest
}  // namespace strata
