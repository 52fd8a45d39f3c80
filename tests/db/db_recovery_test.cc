// Recovery: reopening after Close, after destroying the DB object, and after
// a simulated machine crash (MemEnv forgets unsynced bytes), with the WAL
// replayed and the recovery stats reporting what happened.
#include "db/db_test_util.h"

namespace strata {
namespace dbtest {
namespace {

class DBRecoveryTest : public DBModeTest {
 protected:
  DBRecoveryTest() { UseSmallBuffers(); }

  // Mixed writes: some end up in tables, the last ones in the memtable.
  void MixedWrites(int n, uint64_t seed, Model* model, bool sync = false) {
    Rng rng(seed);
    for (int c = 0; c < n; c++) {
      int i = static_cast<int>(Uniform(rng, 3000));
      if (OneIn(rng, 6)) {
        STRATA_ASSERT_OK(Delete(Key(i), sync));
        model->erase(Key(i));
      } else {
        std::string v = ValueFor(i, c + static_cast<int>(seed) * 100000, 50 + Uniform(rng, 300));
        STRATA_ASSERT_OK(Put(Key(i), v, sync));
        (*model)[Key(i)] = v;
      }
    }
  }
};

TEST_P(DBRecoveryTest, ReopenAfterCloseKeepsEveryWrite) {
  Open();
  Model model;
  MixedWrites(5000, 1, &model);
  EXPECT_GT(GetStats().memtable_entries, 0u) << "nothing left in the memtable to recover";
  Reopen();
  CheckMatches(model);
  ASSERT_NO_FATAL_FAILURE(CheckLevelInvariants(GetStats()));
}

TEST_P(DBRecoveryTest, DestroyingTheDBObjectWithoutCloseKeepsEveryWrite) {
  Open();
  Model model;
  MixedWrites(5000, 2, &model);
  db_.reset();  // the destructor closes
  Open();
  CheckMatches(model);
}

TEST_P(DBRecoveryTest, ManyReopensKeepEverythingAndTheDatabaseStaysWritable) {
  Open();
  Model model;
  for (int round = 0; round < 8; round++) {
    MixedWrites(600, 10 + round, &model);
    if (round % 2 == 0) {
      Reopen();
    } else {
      db_.reset();
      Open();
    }
    CheckMatches(model);
  }
  DrainPendingWork();
  CheckMatches(model);
}

TEST_P(DBRecoveryTest, SequenceNumbersContinueAfterReopen) {
  Open();
  STRATA_ASSERT_OK(Put("k", "old-in-table"));
  STRATA_ASSERT_OK(Put("m", "old-in-wal"));
  STRATA_ASSERT_OK(db_->Flush());
  STRATA_ASSERT_OK(Put("m", "old-in-wal2"));
  uint64_t seq = GetStats().last_sequence;
  Reopen();
  EXPECT_GE(GetStats().last_sequence, seq);
  STRATA_ASSERT_OK(Put("k", "new"));
  STRATA_ASSERT_OK(Put("m", "new"));
  EXPECT_EQ("new", Get("k"));
  EXPECT_EQ("new", Get("m"));
  Reopen();
  STRATA_ASSERT_OK(db_->Flush());
  STRATA_ASSERT_OK(db_->CompactRange(nullptr, nullptr));
  EXPECT_EQ("new", Get("k"));
  EXPECT_EQ("new", Get("m"));
  EXPECT_GT(GetStats().last_sequence, seq);
}

TEST_P(DBRecoveryTest, ReplayingAWalLargerThanTheWriteBufferKeepsEverything) {
  options_.write_buffer_size = 8 << 20;
  Open();
  Model model;
  FillRange(0, 6000, 0, 200, &model);  // ~1.3 MB, all in the memtable and WAL
  STRATA_ASSERT_OK(db_->Sync());
  EXPECT_EQ(0u, GetStats().flushes);
  Crash();
  options_.write_buffer_size = 64 * 1024;  // recovery has to flush on the way
  Open();
  CheckMatches(model);
  DrainPendingWork();
  ASSERT_NO_FATAL_FAILURE(CheckLevelInvariants(GetStats()));
  CheckMatches(model);
}

// ---------------------------------------------------------------------------
// Simulated crashes (MemEnv)

TEST_P(DBRecoveryTest, SyncedWritesSurviveACrash) {
  Open();
  Model model;
  MixedWrites(300, 3, &model, /*sync=*/true);
  WriteBatch b;
  b.Put("batch-a", "1");
  b.Put("batch-b", "2");
  STRATA_ASSERT_OK(Write(b, /*sync=*/true));
  model["batch-a"] = "1";
  model["batch-b"] = "2";
  CrashAndReopen();
  CheckMatches(model);
}

TEST_P(DBRecoveryTest, WritesBeforeDBSyncSurviveACrash) {
  Open();
  Model model;
  MixedWrites(2000, 4, &model);
  STRATA_ASSERT_OK(db_->Sync());
  CrashAndReopen();
  CheckMatches(model);
}

TEST_P(DBRecoveryTest, WritesBeforeAFlushSurviveACrash) {
  options_.write_buffer_size = 8 << 20;
  Open();
  Model model;
  MixedWrites(1000, 5, &model);
  STRATA_ASSERT_OK(db_->Flush());
  CrashAndReopen();
  CheckMatches(model);
}

TEST_P(DBRecoveryTest, DeletesSurviveACrashAndDoNotResurrectTableValues) {
  Open();
  FillRange(0, 500, 0, 100);
  STRATA_ASSERT_OK(db_->Flush());
  STRATA_ASSERT_OK(db_->CompactRange(nullptr, nullptr));
  for (int i = 0; i < 500; i += 2) STRATA_ASSERT_OK(Delete(Key(i), /*sync=*/i % 10 == 8));
  STRATA_ASSERT_OK(db_->Sync());
  CrashAndReopen();
  for (int i = 0; i < 500; i++) {
    ASSERT_EQ(i % 2 == 0 ? "NOT_FOUND" : ValueFor(i, 0, 100), Get(Key(i))) << i;
  }
  STRATA_ASSERT_OK(db_->CompactRange(nullptr, nullptr));
  EXPECT_EQ(250u, Contents().size());
}

TEST_P(DBRecoveryTest, UnsyncedBatchesLostInACrashAreASuffixOfWholeBatches) {
  Open();
  Model base;
  for (int id = 0; id < 40; id++) {
    STRATA_ASSERT_OK(Write(MakeBatch(id), /*sync=*/true));
    ApplyBatchToModel(id, &base);
  }
  // Unsynced batches, enough to fill memtables (flushes are durability
  // points too, so some of them may survive).
  constexpr int kEnd = 1000;
  for (int id = 40; id < kEnd; id++) STRATA_ASSERT_OK(Write(MakeBatch(id, 300)));
  Crash();
  Open();
  Model got = Contents();
  std::string error;
  // Batches 0..39 were synced (100-byte values); the rest use 300 bytes.
  int k = RecoveredBatchPrefix(got, base, 40, kEnd, &error, 300);
  ASSERT_GE(k, 39) << error;
  printf("recovered batches 0..%d of %d\n", k, kEnd - 1);
  CheckMatches(got);
}

TEST_P(DBRecoveryTest, RecoveryStatsCountReplayedWalRecords) {
  options_.write_buffer_size = 8 << 20;
  Open();
  for (int i = 0; i < 10; i++) STRATA_ASSERT_OK(Put(Key(i), "v", /*sync=*/true));
  CrashAndReopen();
  Stats st = GetStats();
  EXPECT_EQ(10u, st.recovered_records);
  EXPECT_GE(st.recovered_wal_segments, 1u);
  EXPECT_EQ(0u, st.recovery_dropped_records);
  EXPECT_EQ(0u, st.recovery_dropped_bytes);
  for (int i = 0; i < 10; i++) EXPECT_EQ("v", Get(Key(i)));
  EXPECT_GE(st.last_sequence, 10u);
}

TEST_P(DBRecoveryTest, ATornWalTailIsDroppedAndCounted) {
  options_.write_buffer_size = 8 << 20;
  Open();
  for (int i = 0; i < 5; i++) STRATA_ASSERT_OK(Put(Key(i), ValueFor(i, 0, 300), /*sync=*/true));
  Crash();
  // Cut the newest non-empty segment in the middle of its last record.
  std::vector<std::string> wals = FilesOfType(env(), dir_, ".wal");
  std::string victim;
  std::string data;
  for (auto it = wals.rbegin(); it != wals.rend(); ++it) {
    STRATA_ASSERT_OK(ReadFileToString(env(), dir_ + "/" + *it, &data));
    if (!data.empty()) {
      victim = *it;
      break;
    }
  }
  ASSERT_FALSE(victim.empty()) << "no WAL segment holds the synced writes";
  ASSERT_GT(data.size(), 200u);
  data.resize(data.size() - 100);
  STRATA_ASSERT_OK(WriteStringToFile(env(), data, dir_ + "/" + victim, true));
  Open();
  for (int i = 0; i < 4; i++) EXPECT_EQ(ValueFor(i, 0, 300), Get(Key(i)));
  EXPECT_EQ("NOT_FOUND", Get(Key(4)));
  Stats st = GetStats();
  EXPECT_GE(st.recovery_dropped_records + st.recovery_dropped_bytes, 1u);
  EXPECT_GT(st.recovery_dropped_bytes, 0u);
  // The DB keeps working after the torn tail.
  STRATA_ASSERT_OK(Put(Key(4), "again", true));
  Reopen();
  EXPECT_EQ("again", Get(Key(4)));
  for (int i = 0; i < 4; i++) EXPECT_EQ(ValueFor(i, 0, 300), Get(Key(i)));
}

TEST_P(DBRecoveryTest, GarbageAfterTheLastWalRecordIsDroppedAndCounted) {
  options_.write_buffer_size = 8 << 20;
  Open();
  for (int i = 0; i < 5; i++) STRATA_ASSERT_OK(Put(Key(i), ValueFor(i, 0, 100), /*sync=*/true));
  Crash();
  std::vector<std::string> wals = FilesOfType(env(), dir_, ".wal");
  ASSERT_FALSE(wals.empty());
  std::string data;
  std::string victim;
  for (auto it = wals.rbegin(); it != wals.rend(); ++it) {
    STRATA_ASSERT_OK(ReadFileToString(env(), dir_ + "/" + *it, &data));
    if (!data.empty()) {
      victim = *it;
      break;
    }
  }
  ASSERT_FALSE(victim.empty());
  Rng rng(9);
  data += RandomBytes(rng, 37);
  STRATA_ASSERT_OK(WriteStringToFile(env(), data, dir_ + "/" + victim, true));
  Open();
  for (int i = 0; i < 5; i++) EXPECT_EQ(ValueFor(i, 0, 100), Get(Key(i)));
  EXPECT_GT(GetStats().recovery_dropped_bytes, 0u);
}

TEST_P(DBRecoveryTest, CorruptionBeforeTheWalTailFailsOpenUnlessParanoidChecksAreOff) {
  options_.write_buffer_size = 8 << 20;
  Open();
  for (int i = 0; i < 6; i++) STRATA_ASSERT_OK(Put(Key(i), ValueFor(i, 0, 200), /*sync=*/true));
  Crash();
  // Damage the payload of the oldest record.
  std::vector<std::string> wals = FilesOfType(env(), dir_, ".wal");
  std::string victim, data;
  for (const auto& w : wals) {
    STRATA_ASSERT_OK(ReadFileToString(env(), dir_ + "/" + w, &data));
    if (!data.empty()) {
      victim = w;
      break;
    }
  }
  ASSERT_FALSE(victim.empty());
  ASSERT_GT(data.size(), 60u);
  data[50] ^= 0x10;
  STRATA_ASSERT_OK(WriteStringToFile(env(), data, dir_ + "/" + victim, true));
  FileSet damaged = ReadAllFiles(env(), dir_);

  Status s = TryOpen();
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  db_.reset();

  // The failed Open changed nothing: the same damage is still there.
  EXPECT_TRUE(damaged == ReadAllFiles(env(), dir_)) << "a failed Open modified the database files";

  options_.paranoid_checks = false;
  Open();
  int present = 0;
  for (int i = 0; i < 6; i++) {
    std::string v = Get(Key(i));
    if (v != "NOT_FOUND") {
      EXPECT_EQ(ValueFor(i, 0, 200), v);
      present++;
    }
  }
  EXPECT_EQ(5, present) << "only the damaged record may be skipped";
  EXPECT_EQ("NOT_FOUND", Get(Key(0)));
  EXPECT_GE(GetStats().recovery_dropped_records, 1u);
}

TEST_P(DBRecoveryTest, LargeRecordsSpanningWalBlocksRecover) {
  options_.write_buffer_size = 8 << 20;
  Open();
  Rng rng(12);
  Model model;
  for (int i = 0; i < 6; i++) {
    std::string v = RandomBytes(rng, 40000 + 30000 * i);
    STRATA_ASSERT_OK(Put(Key(i), v, /*sync=*/i % 2 == 1));
    model[Key(i)] = v;
  }
  WriteBatch b;
  for (int i = 6; i < 12; i++) {
    std::string v = RandomBytes(rng, 20000);
    b.Put(Key(i), v);
    model[Key(i)] = v;
  }
  STRATA_ASSERT_OK(Write(b, /*sync=*/true));
  CrashAndReopen();
  CheckMatches(model);
  Reopen();
  CheckMatches(model);
}

TEST_P(DBRecoveryTest, WalSegmentsAreRemovedOnceTheirDataIsInTables) {
  options_.write_buffer_size = 8 << 20;
  Open();
  for (int i = 0; i < 50; i++) STRATA_ASSERT_OK(Put(Key(i), "v", /*sync=*/true));
  EXPECT_GE(FilesOfType(env(), dir_, ".wal").size(), 1u);
  STRATA_ASSERT_OK(db_->Flush());
  DrainPendingWork();
  EXPECT_LE(FilesOfType(env(), dir_, ".wal").size(), 1u);
  EXPECT_LE(GetStats().wal_live_segments, 1u);
  CrashAndReopen();
  for (int i = 0; i < 50; i++) EXPECT_EQ("v", Get(Key(i)));
}

TEST_P(DBRecoveryTest, RepeatedCrashesDuringFlushesAndCompactionsLoseNoSyncedWrite) {
  Open();
  Model model;
  Rng rng(TestSeed(20240601));
  for (int round = 0; round < 25; round++) {
    SCOPED_TRACE("round " + std::to_string(round));
    int writes = 20 + static_cast<int>(Uniform(rng, 200));
    for (int n = 0; n < writes; n++) {
      WriteBatch b;
      int keys = 1 + static_cast<int>(Uniform(rng, 4));
      for (int j = 0; j < keys; j++) {
        int i = static_cast<int>(Uniform(rng, 2000));
        if (OneIn(rng, 5)) {
          b.Delete(Key(i));
          model.erase(Key(i));
        } else {
          std::string v = ValueFor(i, round * 1000 + n, 100 + Uniform(rng, 400));
          b.Put(Key(i), v);
          model[Key(i)] = v;
        }
      }
      STRATA_ASSERT_OK(Write(b, /*sync=*/true));
      if (!options_.background_thread && db_->HasPendingWork() && OneIn(rng, 3)) {
        STRATA_ASSERT_OK(db_->RunPendingWork());
      }
    }
    CrashAndReopen();
    Model got = Contents();
    ASSERT_TRUE(got == model) << "after crash: " << DescribeDifference(got, model);
    ASSERT_NO_FATAL_FAILURE(CheckLevelInvariants(GetStats()));
  }
  CheckMatches(model);
}

TEST_P(DBRecoveryTest, SyncedWritesFlushTheMemtableAtTheWalSegmentLimit) {
  options_.max_wal_segments_per_memtable = 3;
  Open();
  // Each synced write closes its segment, so each write opens one: the
  // 4th, 7th and 10th would exceed 3 and freeze the memtable first.
  Model model;
  for (int i = 0; i < 10; i++) {
    STRATA_ASSERT_OK(Put(Key(i), "v" + std::to_string(i), /*sync=*/true));
    model[Key(i)] = "v" + std::to_string(i);
  }
  STRATA_ASSERT_OK(db_->Flush());  // also flushes write 10, alone in the memtable
  Stats st = GetStats();
  EXPECT_EQ(st.wal_segments_created, 10u);
  EXPECT_EQ(st.flushes, 4u) << "3 at the limit, 1 by Flush()";
  EXPECT_EQ(st.wal_live_segments, 0u);
  CheckMatches(model);
  Reopen();
  CheckMatches(model);
}

TEST_P(DBRecoveryTest, NegativeWalSegmentLimitIsInvalidArgument) {
  options_.max_wal_segments_per_memtable = -1;
  EXPECT_TRUE(TryOpen().IsInvalidArgument());
}

INSTANTIATE_TEST_SUITE_P(Modes, DBRecoveryTest, ::testing::Values(kBackgroundThread, kNoThreads), ModeName);

// On a real directory (Env::Default()).
class DBRecoveryOnDiskTest : public DBTestBase {
 protected:
  DBRecoveryOnDiskTest() : DBTestBase(/*mem_env=*/false) { UseSmallBuffers(); }
};

TEST_F(DBRecoveryOnDiskTest, ReopenOnDiskKeepsEveryWrite) {
  Open();
  Model model;
  FillRange(0, 3000, 0, 150, &model);
  for (int i = 0; i < 3000; i += 5) {
    STRATA_ASSERT_OK(Delete(Key(i)));
    model.erase(Key(i));
  }
  Reopen();
  CheckMatches(model);
  db_.reset();
  Open();
  CheckMatches(model);
}

TEST_F(DBRecoveryOnDiskTest, SecondOpenOfAnOpenDirectoryIsBusy) {
  Open();
  std::unique_ptr<DB> second;
  Status s = DB::Open(options_, dir_, &second);
  EXPECT_TRUE(s.IsBusy()) << s.ToString();
  Close();
  STRATA_ASSERT_OK(DB::Open(options_, dir_, &second));
  STRATA_ASSERT_OK(second->Close());
}

TEST_F(DBRecoveryOnDiskTest, OpenWithoutCreateIfMissingFailsOnAMissingDirectory) {
  options_.create_if_missing = false;
  Status s = TryOpen();
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(nullptr, db_);
  EXPECT_FALSE(Env::Default()->FileExists(dir_ + "/CURRENT"));
}

}  // namespace
}  // namespace dbtest
}  // namespace strata
