// Snapshots: reads at a point in time, across flushes and compactions, and
// the old versions a snapshot keeps alive until it is released.
#include "db/db_test_util.h"

namespace strata {
namespace dbtest {
namespace {

class DBSnapshotTest : public DBModeTest {
 protected:
  DBSnapshotTest() {
    UseSmallBuffers();
    Open();
  }
};

TEST_P(DBSnapshotTest, SnapshotReadsSeeTheStateAtCreation) {
  STRATA_ASSERT_OK(Put("k", "v1"));
  STRATA_ASSERT_OK(Put("gone", "g1"));
  const Snapshot* s1 = db_->GetSnapshot();
  ASSERT_NE(nullptr, s1);
  STRATA_ASSERT_OK(Put("k", "v2"));
  STRATA_ASSERT_OK(Delete("gone"));
  STRATA_ASSERT_OK(Put("new", "n1"));
  const Snapshot* s2 = db_->GetSnapshot();
  STRATA_ASSERT_OK(Put("k", "v3"));

  EXPECT_EQ("v1", Get("k", s1));
  EXPECT_EQ("g1", Get("gone", s1));
  EXPECT_EQ("NOT_FOUND", Get("new", s1));
  EXPECT_EQ("v2", Get("k", s2));
  EXPECT_EQ("NOT_FOUND", Get("gone", s2));
  EXPECT_EQ("n1", Get("new", s2));
  EXPECT_EQ("v3", Get("k"));
  CheckMatches({{"gone", "g1"}, {"k", "v1"}}, s1);
  CheckMatches({{"k", "v2"}, {"new", "n1"}}, s2);
  CheckMatches({{"k", "v3"}, {"new", "n1"}});
  db_->ReleaseSnapshot(s1);
  db_->ReleaseSnapshot(s2);
}

TEST_P(DBSnapshotTest, SnapshotReadsSurviveFlushAndFullCompaction) {
  Model old_model;
  FillRange(0, 1500, 0, 100, &old_model);
  STRATA_ASSERT_OK(db_->Flush());
  const Snapshot* snap = db_->GetSnapshot();
  Model model = old_model;
  for (int i = 0; i < 1500; i++) {
    if (i % 3 == 0) {
      STRATA_ASSERT_OK(Delete(Key(i)));
      model.erase(Key(i));
    } else {
      STRATA_ASSERT_OK(Put(Key(i), ValueFor(i, 1)));
      model[Key(i)] = ValueFor(i, 1);
    }
  }
  CheckMatches(old_model, snap);
  STRATA_ASSERT_OK(db_->Flush());
  CheckMatches(old_model, snap);
  DrainPendingWork();
  STRATA_ASSERT_OK(db_->CompactRange(nullptr, nullptr));
  CheckMatches(old_model, snap);
  CheckMatches(model);
  db_->ReleaseSnapshot(snap);
  CheckMatches(model);
}

TEST_P(DBSnapshotTest, EachOfSeveralSnapshotsSeesItsOwnVersion) {
  constexpr int kVersions = 6;
  std::vector<const Snapshot*> snaps;
  std::vector<Model> models;
  Model model;
  for (int v = 0; v < kVersions; v++) {
    for (int i = 0; i < 300; i++) {
      if ((i + v) % 5 == 0) {
        STRATA_ASSERT_OK(Delete(Key(i)));
        model.erase(Key(i));
      } else {
        STRATA_ASSERT_OK(Put(Key(i), ValueFor(i, v)));
        model[Key(i)] = ValueFor(i, v);
      }
    }
    snaps.push_back(db_->GetSnapshot());
    models.push_back(model);
    if (v % 2 == 1) STRATA_ASSERT_OK(db_->Flush());
  }
  for (int v = 0; v < kVersions; v++) CheckMatches(models[v], snaps[v]);
  STRATA_ASSERT_OK(db_->CompactRange(nullptr, nullptr));
  for (int v = 0; v < kVersions; v++) CheckMatches(models[v], snaps[v]);
  // Release in an order that leaves holes; the rest keep their view.
  for (int v : {2, 0, 5}) db_->ReleaseSnapshot(snaps[v]);
  STRATA_ASSERT_OK(db_->CompactRange(nullptr, nullptr));
  for (int v : {1, 3, 4}) CheckMatches(models[v], snaps[v]);
  for (int v : {1, 3, 4}) db_->ReleaseSnapshot(snaps[v]);
  CheckMatches(model);
}

TEST_P(DBSnapshotTest, SnapshotKeepsItsViewWhileBackgroundCompactionsRun) {
  Model old_model;
  FillRange(0, 1000, 0, 200, &old_model);
  const Snapshot* snap = db_->GetSnapshot();
  Model model = old_model;
  for (int round = 1; round <= 4; round++) {
    FillRange(0, 1000, round, 200, &model);
    DrainPendingWork();
    for (int i = 0; i < 1000; i += 97) EXPECT_EQ(old_model[Key(i)], Get(Key(i), snap)) << "round " << round;
  }
  EXPECT_GT(GetStats().compactions, 0u);
  CheckMatches(old_model, snap);
  CheckMatches(model);
  db_->ReleaseSnapshot(snap);
}

TEST_P(DBSnapshotTest, ReleasingTheSnapshotLetsCompactionDropOldVersions) {
  constexpr int kKeys = 1000;
  FillRange(0, kKeys, 0, 100);
  STRATA_ASSERT_OK(db_->Flush());
  const Snapshot* snap = db_->GetSnapshot();
  Model model;
  FillRange(0, kKeys, 1, 100, &model);
  STRATA_ASSERT_OK(db_->Flush());
  STRATA_ASSERT_OK(db_->CompactRange(nullptr, nullptr));
  Stats held = GetStats();
  EXPECT_GE(TotalEntries(held), 2u * kKeys) << "compaction dropped versions a live snapshot needs";
  EXPECT_EQ(ValueFor(7, 0), Get(Key(7), snap));

  db_->ReleaseSnapshot(snap);
  STRATA_ASSERT_OK(db_->CompactRange(nullptr, nullptr));
  Stats released = GetStats();
  EXPECT_EQ(static_cast<uint64_t>(kKeys), TotalEntries(released))
      << "old versions survived a full compaction";
  uint64_t held_bytes = 0, released_bytes = 0;
  for (const auto& l : held.levels) held_bytes += l.bytes;
  for (const auto& l : released.levels) released_bytes += l.bytes;
  EXPECT_LT(released_bytes, held_bytes);
  CheckMatches(model);
}

TEST_P(DBSnapshotTest, DeletedValuesAndTheirTombstonesLiveAsLongAsASnapshotNeedsThem) {
  Model old_model;
  FillRange(0, 500, 0, 100, &old_model);
  STRATA_ASSERT_OK(db_->Flush());
  STRATA_ASSERT_OK(db_->CompactRange(nullptr, nullptr));
  const Snapshot* snap = db_->GetSnapshot();
  for (int i = 0; i < 500; i++) STRATA_ASSERT_OK(Delete(Key(i)));
  STRATA_ASSERT_OK(db_->Flush());
  STRATA_ASSERT_OK(db_->CompactRange(nullptr, nullptr));
  CheckMatches(old_model, snap);
  CheckMatches(Model());
  db_->ReleaseSnapshot(snap);
  STRATA_ASSERT_OK(db_->CompactRange(nullptr, nullptr));
  Stats st = GetStats();
  EXPECT_EQ(0u, TotalTombstones(st));
  EXPECT_EQ(0u, TotalEntries(st));
  EXPECT_EQ(0u, TotalTableFiles(st));
  CheckMatches(Model());
}

TEST_P(DBSnapshotTest, SnapshotOfAnEmptyDatabaseStaysEmpty) {
  const Snapshot* snap = db_->GetSnapshot();
  ASSERT_NE(nullptr, snap);
  FillRange(0, 100);
  STRATA_ASSERT_OK(db_->Flush());
  EXPECT_EQ("NOT_FOUND", Get(Key(5), snap));
  EXPECT_TRUE(Contents(snap).empty());
  db_->ReleaseSnapshot(snap);
}

// Misuse: a released snapshot is refused, and a second release is harmless
// (a released snapshot used to be read through a dangling pointer, and a
// second release freed it twice).
class DBSnapshotMisuseTest : public DBTestBase {};

TEST_F(DBSnapshotMisuseTest, ReleasedSnapshotIsRefusedAndDoubleReleaseIsHarmless) {
  Open();
  STRATA_ASSERT_OK(Put("k", "v"));
  const Snapshot* snap = db_->GetSnapshot();
  ASSERT_NE(nullptr, snap);
  db_->ReleaseSnapshot(snap);
  db_->ReleaseSnapshot(snap);  // no double free
  ReadOptions at_snap;
  at_snap.snapshot = snap;
  std::string value;
  EXPECT_TRUE(db_->Get(at_snap, "k", &value).IsInvalidArgument());
  EXPECT_TRUE(db_->NewIterator(at_snap)->status().IsInvalidArgument());
  EXPECT_EQ("v", Get("k"));
}

INSTANTIATE_TEST_SUITE_P(Modes, DBSnapshotTest, ::testing::Values(kBackgroundThread, kNoThreads), ModeName);

}  // namespace
}  // namespace dbtest
}  // namespace strata
