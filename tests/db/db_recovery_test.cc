// Recovery: reopening after Close, after destroying the DB object, and after
// a simulated machine crash (MemEnv forgets unsynced bytes), with the WAL
// replayed and the recovery stats reporting what happened.
#include "db/db_test_util.h"
#include "db/write_batch_internal.h"
#include "strata/listener.h"
#include "wal/log_writer.h"

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

// What is particular to a segment per durability point (the browser build's
// WAL policy): segment limits, consolidation, several segments to damage.
class DBSegmentPerSyncTest : public DBRecoveryTest {};

// What is particular to one segment kept open across syncs (the native
// policy).
class DBOpenSegmentTest : public DBRecoveryTest {};

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

TEST_P(DBSegmentPerSyncTest, CorruptionBeforeTheWalTailFailsOpenUnlessParanoidChecksAreOff) {
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

TEST_P(DBSegmentPerSyncTest, SyncedWritesFlushTheMemtableAtTheWalSegmentLimit) {
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

TEST_P(DBRecoveryTest, WalConsolidationTriggerIsOffOrAtLeastTwo) {
  for (int bad : {-1, 1}) {
    options_.wal_consolidation_trigger = bad;
    EXPECT_TRUE(TryOpen().IsInvalidArgument()) << bad;
  }
}

// Opens a copy of the closed database's files, with `files` changed by the
// caller, in a MemEnv of its own.
struct OpenedCopy {
  std::unique_ptr<MemEnv> env;
  std::unique_ptr<DB> db;
  Status status;
};
OpenedCopy OpenCopy(const Options& base, const FileSet& files, bool paranoid) {
  OpenedCopy c;
  c.env = NewMemEnv(Env::Default());
  WriteAllFiles(c.env.get(), "/copy", files);
  Options o = base;
  o.env = c.env.get();
  o.paranoid_checks = paranoid;
  o.create_if_missing = false;
  c.status = DB::Open(o, "/copy", &c.db);
  return c;
}

TEST_P(DBSegmentPerSyncTest, ALostOrEmptiedFirstWalSegmentIsCorruptionNotMissingWrites) {
  Open();
  STRATA_ASSERT_OK(Put("a", "old"));
  STRATA_ASSERT_OK(db_->Flush());
  STRATA_ASSERT_OK(Put("a", "new", /*sync=*/true));  // first segment after the flush
  STRATA_ASSERT_OK(Put("b", "later", /*sync=*/true));
  Close();
  const FileSet files = ReadAllFiles(env(), dir_);
  std::vector<std::string> wals;
  for (const auto& [name, data] : files) {
    if (EndsWith(name, ".wal")) wals.push_back(name);
  }
  ASSERT_EQ(2u, wals.size());
  const std::string first = FilesOfType(env(), dir_, ".wal").front();

  FileSet emptied = files, removed = files;
  emptied[first].clear();
  removed.erase(first);
  for (const FileSet* damaged : {&emptied, &removed}) {
    const char* what = damaged == &emptied ? "emptied" : "removed";
    OpenedCopy c = OpenCopy(options_, *damaged, /*paranoid=*/true);
    EXPECT_TRUE(c.status.IsCorruption()) << what << ": " << c.status.ToString();
    EXPECT_NE(std::string::npos, c.status.message().find("missing")) << c.status.ToString();

    // Without paranoid checks it opens, keeps what is left and counts the gap.
    OpenedCopy lenient = OpenCopy(options_, *damaged, /*paranoid=*/false);
    ASSERT_TRUE(lenient.status.ok()) << what << ": " << lenient.status.ToString();
    std::string v;
    STRATA_EXPECT_OK(lenient.db->Get(ReadOptions(), "b", &v));
    EXPECT_EQ("later", v);
    EXPECT_GE(lenient.db->GetStats().recovery_dropped_records, 1u) << what;
  }
  // Undamaged, it opens with every write.
  OpenedCopy intact = OpenCopy(options_, files, /*paranoid=*/true);
  ASSERT_TRUE(intact.status.ok()) << intact.status.ToString();
  std::string v;
  STRATA_EXPECT_OK(intact.db->Get(ReadOptions(), "a", &v));
  EXPECT_EQ("new", v);
}

TEST_P(DBRecoveryTest, ADamagedRecordBeforeValidOnesInTheLastSegmentIsCorruption) {
  options_.write_buffer_size = 8 << 20;
  Open();
  // Five batches in one segment, made durable by Close.
  for (int i = 0; i < 5; i++) STRATA_ASSERT_OK(Put(Key(i), ValueFor(i, 0, 100)));
  Close();
  const FileSet files = ReadAllFiles(env(), dir_);
  const std::string last = FilesOfType(env(), dir_, ".wal").back();
  ASSERT_GT(files.at(last).size(), 300u);

  FileSet damaged = files;
  damaged[last][7 + 20] ^= 0x10;  // inside the first record's payload
  OpenedCopy c = OpenCopy(options_, damaged, /*paranoid=*/true);
  EXPECT_TRUE(c.status.IsCorruption()) << "a durable record was damaged, not torn: " << c.status.ToString();

  OpenedCopy lenient = OpenCopy(options_, damaged, /*paranoid=*/false);
  ASSERT_TRUE(lenient.status.ok()) << lenient.status.ToString();
  EXPECT_GE(lenient.db->GetStats().recovery_dropped_records, 1u);
  EXPECT_GT(lenient.db->GetStats().recovery_dropped_bytes, 0u);

  // Damage to the very last record is indistinguishable from a torn write:
  // dropped and counted, the rest kept.
  FileSet tail = files;
  tail[last][tail[last].size() - 3] ^= 0x10;
  OpenedCopy torn = OpenCopy(options_, tail, /*paranoid=*/true);
  ASSERT_TRUE(torn.status.ok()) << torn.status.ToString();
  std::string v;
  STRATA_EXPECT_OK(torn.db->Get(ReadOptions(), Key(3), &v));
  EXPECT_TRUE(torn.db->Get(ReadOptions(), Key(4), &v).IsNotFound());
  EXPECT_EQ(1u, torn.db->GetStats().recovery_dropped_records);
}

// A WAL segment whose records have good checksums but whose batches are
// wrong (crafted, or written by a bug) never reaches the memtable: sequences
// repeated or out of range are Corruption, or skipped without paranoid checks.
TEST_P(DBRecoveryTest, CraftedWalBatchesWithBadSequencesAreCorruptionNotACrash) {
  Open();
  Close();  // an empty database: its first batch must carry sequence 1
  auto batch = [](SequenceNumber sequence, uint32_t count, const std::string& value) {
    WriteBatch b;
    for (uint32_t i = 0; i < count; i++) b.Put("k" + std::to_string(i), value);
    WriteBatchInternal::SetSequence(&b, sequence);
    return WriteBatchInternal::Contents(&b).ToString();
  };
  const struct {
    const char* what;
    std::vector<std::string> records;
  } cases[] = {
      {"a sequence repeated", {batch(1, 1, "first"), batch(1, 1, "again")}},
      {"sequences going back", {batch(1, 3, "first"), batch(2, 1, "back")}},
      {"past 56 bits", {batch(1, 1, "first"), batch(kMaxSequenceNumber, 2, "wraps")}},
      {"sequence 0", {batch(0, 1, "zero")}},
  };
  const FileSet base = ReadAllFiles(env(), dir_);
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    FileSet files = base;
    std::string wal;
    {
      auto mem = NewMemEnv(Env::Default());
      std::unique_ptr<WritableFile> f;
      STRATA_ASSERT_OK(mem->CreateDir("/w"));
      STRATA_ASSERT_OK(mem->NewWritableFile("/w/x", &f));
      log::Writer writer(f.get());
      for (const auto& r : c.records) STRATA_ASSERT_OK(writer.AddRecord(r));
      STRATA_ASSERT_OK(f->Close());
      STRATA_ASSERT_OK(ReadFileToString(mem.get(), "/w/x", &wal));
    }
    files["000900.wal"] = wal;
    OpenedCopy strict = OpenCopy(options_, files, /*paranoid=*/true);
    EXPECT_TRUE(strict.status.IsCorruption()) << strict.status.ToString();
    OpenedCopy lenient = OpenCopy(options_, files, /*paranoid=*/false);
    ASSERT_TRUE(lenient.status.ok()) << lenient.status.ToString();
    EXPECT_GE(lenient.db->GetStats().recovery_dropped_records, 1u);
    std::string v;
    Status s = lenient.db->Get(ReadOptions(), "k0", &v);
    if (s.ok()) {
      EXPECT_EQ("first", v) << "only the well-formed first batch may be applied";
    }
  }
}

// Records of the WAL segments made by consolidation (a segment written by
// the writes of these tests holds one record; a consolidated one, several).
class ConsolidationListener final : public EventListener {
 public:
  void OnWalSegmentClosed(const WalSegmentInfo& info) override {
    if (info.records > 1) rewritten += info.records;
  }
  std::atomic<uint64_t> rewritten{0};
};

TEST_P(DBRecoveryTest, SmallSyncedWritesKeepFewWalSegmentsWithoutFlushing) {
  constexpr int kTrigger = 4, kWrites = 200;
  constexpr size_t kRounds = 4;  // 4^4 > 200: tiers of 1, 4, 16 and 64 writes
  options_.wal_consolidation_trigger = kTrigger;
  auto consolidations = std::make_shared<ConsolidationListener>();
  options_.listeners.push_back(consolidations);
  Open();
  Model model;
  for (int i = 0; i < kWrites; i++) {
    STRATA_ASSERT_OK(Put(Key(i), "v" + std::to_string(i), /*sync=*/true));
    model[Key(i)] = "v" + std::to_string(i);
    EXPECT_LE(FilesOfType(env(), dir_, ".wal").size(), (kTrigger - 1) * kRounds + 1) << "after write " << i;
  }
  EXPECT_EQ(0u, GetStats().flushes) << "segments were consolidated, not flushed";
  // Each record is rewritten once per round, not at every consolidation
  // until the memtable is flushed (that would be ~kWrites^2 / (2 kTrigger)).
  EXPECT_LE(consolidations->rewritten.load(), kWrites * (kRounds - 1));
  EXPECT_EQ(0u, FilesOfType(env(), dir_, ".tmp").size());
  CrashAndReopen();
  CheckMatches(model);
  EXPECT_EQ(static_cast<uint64_t>(kWrites), GetStats().recovered_records);
}

TEST_P(DBSegmentPerSyncTest, ACrashBeforeConsolidatedSegmentsAreRemovedReplaysEachBatchOnce) {
  options_.wal_consolidation_trigger = 4;
  Open();
  // Three synced writes: three segments, kept.
  for (int i = 0; i < 3; i++) STRATA_ASSERT_OK(Put(Key(i), "v" + std::to_string(i), true));
  const FileSet before = ReadAllFiles(env(), dir_);
  // The fourth closes a fourth segment, and the four become one.
  STRATA_ASSERT_OK(Put(Key(3), "v3", true));
  Close();
  const FileSet after = ReadAllFiles(env(), dir_);
  std::vector<std::string> olds;
  for (const auto& [name, data] : before) {
    if (EndsWith(name, ".wal")) olds.push_back(name);
  }
  ASSERT_EQ(3u, olds.size());
  for (const auto& old : olds) ASSERT_EQ(0u, after.count(old)) << old << " outlived the consolidation";
  // Every subset of the replaced segments that a crash could leave beside
  // the consolidated one: each batch comes back once, nothing is Corruption.
  for (int mask = 1; mask < 8; mask++) {
    FileSet files = after;
    for (int j = 0; j < 3; j++) {
      if (mask & (1 << j)) files[olds[j]] = before.at(olds[j]);
    }
    OpenedCopy c = OpenCopy(options_, files, /*paranoid=*/true);
    ASSERT_TRUE(c.status.ok()) << "mask " << mask << ": " << c.status.ToString();
    for (int i = 0; i < 4; i++) {
      std::string v;
      STRATA_EXPECT_OK(c.db->Get(ReadOptions(), Key(i), &v));
      EXPECT_EQ("v" + std::to_string(i), v);
    }
    EXPECT_EQ(4u, c.db->GetStats().recovered_records) << "mask " << mask;
  }
}

// A segment left behind by a consolidation (its removal failed, or a crash
// came first) stays covered when the consolidated segment is consolidated
// in turn: the newest marker covers everything its segments replaced.
TEST_P(DBSegmentPerSyncTest, ASegmentLeftBehindStaysCoveredAcrossTiers) {
  options_.wal_consolidation_trigger = 2;
  Open();
  STRATA_ASSERT_OK(Put(Key(0), "v0", true));
  const FileSet first = ReadAllFiles(env(), dir_);
  // The second write's segment and the first become one (tier 1); the
  // fourth's and the third's another, and the two tier-1 segments one.
  for (int i = 1; i < 4; i++) STRATA_ASSERT_OK(Put(Key(i), "v" + std::to_string(i), true));
  Close();
  FileSet files = ReadAllFiles(env(), dir_);
  ASSERT_EQ(1u, FilesOfType(env(), dir_, ".wal").size());
  int left_behind = 0;
  for (const auto& [name, data] : first) {
    if (EndsWith(name, ".wal") && files.count(name) == 0) files[name] = data, left_behind++;
  }
  ASSERT_EQ(1, left_behind);
  OpenedCopy c = OpenCopy(options_, files, /*paranoid=*/true);
  ASSERT_TRUE(c.status.ok()) << c.status.ToString();
  for (int i = 0; i < 4; i++) {
    std::string v;
    STRATA_EXPECT_OK(c.db->Get(ReadOptions(), Key(i), &v));
    EXPECT_EQ("v" + std::to_string(i), v);
  }
  EXPECT_EQ(4u, c.db->GetStats().recovered_records);
}

// Synced writes in one open segment: each sync is a durability point (a
// crash right after it keeps the write, the directory entry included), and
// the segment grows instead of multiplying.
TEST_P(DBOpenSegmentTest, SyncedWritesShareOneSegmentAndEachSurvivesACrash) {
  options_.write_buffer_size = 8 << 20;
  options_.max_wal_segments_per_memtable = 3;
  Open();
  Model model;
  for (int i = 0; i < 20; i++) {
    const uint64_t syncs = mem_env()->SyncCount();
    STRATA_ASSERT_OK(Put(Key(i), "v" + std::to_string(i), /*sync=*/i % 2 == 0));
    if (i % 2 == 1) STRATA_ASSERT_OK(db_->Sync());
    model[Key(i)] = "v" + std::to_string(i);
    EXPECT_GT(mem_env()->SyncCount(), syncs) << "write " << i << " was not synced";
    if (i % 5 < 4) continue;
    // Five durability points since the last open, in one segment.
    const Stats st = GetStats();
    EXPECT_EQ(1u, st.wal_segments_created) << "write " << i;
    EXPECT_EQ(5u, st.wal_syncs) << "write " << i;
    EXPECT_EQ(0u, st.flushes) << "write " << i << ": no segment limit is reached";
    EXPECT_EQ(1u, FilesOfType(env(), dir_, ".wal").size()) << "write " << i;
    EXPECT_EQ(i < 5 ? 0u : 5u, st.recovered_records) << "write " << i << ": the last open replayed five";
    CrashAndReopen();
    CheckMatches(model);
  }
}

// The segment a memtable switch opens gets its own directory entry synced
// at its first sync: a crash right after a synced write into it keeps it.
TEST_P(DBOpenSegmentTest, ASegmentOpenedAtAMemtableSwitchIsDurableAtItsFirstSync) {
  Open();  // 64 KiB memtables
  Model model;
  for (int i = 0; GetStats().wal_segments_created < 2; i++) {
    ASSERT_LT(i, 1000) << "no memtable switch";
    const std::string v = ValueFor(i, 0, 1000);
    STRATA_ASSERT_OK(Put(Key(i), v, /*sync=*/true));
    model[Key(i)] = v;
  }
  CrashAndReopen();
  CheckMatches(model);
}

INSTANTIATE_TEST_SUITE_P(Modes, DBSegmentPerSyncTest, ::testing::Values(kBackgroundThread, kNoThreads),
                         ModeName);
INSTANTIATE_TEST_SUITE_P(Modes, DBOpenSegmentTest,
                         ::testing::Values(kBackgroundThreadSyncedAppends, kNoThreadsSyncedAppends),
                         ModeName);
INSTANTIATE_TEST_SUITE_P(Modes, DBRecoveryTest,
                         ::testing::Values(kBackgroundThread, kNoThreads, kBackgroundThreadSyncedAppends,
                                           kNoThreadsSyncedAppends),
                         ModeName);

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
