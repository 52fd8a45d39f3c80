// Write errors (MemEnv::SetWriteErrors): writes fail with an error value,
// never a crash; reads keep working; a failed flush or compaction turns the
// database read-only with a reason; acknowledged data survives all of it.
#include "db/db_test_util.h"

namespace strata {
namespace dbtest {
namespace {

class DBErrorsTest : public DBModeTest {
 protected:
  DBErrorsTest() { UseSmallBuffers(); }

  // Reopens after errors: Close may fail, the reopened DB must not.
  void ReopenAfterErrors() {
    mem_env()->SetWriteErrors(false);
    if (db_) db_->Close().IgnoreError();
    db_.reset();
    Open();
  }
};

TEST_P(DBErrorsTest, WritesFailWithIOErrorWhileTheFileSystemFailsAndReadsStillWork) {
  Open();
  Model model;
  FillRange(0, 300, 0, 100, &model);
  STRATA_ASSERT_OK(db_->Flush());
  FillRange(300, 400, 0, 100, &model);  // in the memtable
  mem_env()->SetWriteErrors(true);

  Status s = Put("new", "v", /*sync=*/true);
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  s = Delete(Key(5), /*sync=*/true);
  EXPECT_TRUE(s.IsIOError() || s.IsReadOnly()) << s.ToString();
  WriteBatch b;
  b.Put("b1", "1");
  b.Delete(Key(6));
  s = Write(b, /*sync=*/true);
  EXPECT_TRUE(s.IsIOError() || s.IsReadOnly()) << s.ToString();
  s = db_->Sync();
  EXPECT_FALSE(s.ok()) << "Sync succeeded while nothing can be written";

  // Failed writes are not applied; everything else reads as before.
  EXPECT_EQ("NOT_FOUND", Get("new"));
  EXPECT_EQ("NOT_FOUND", Get("b1"));
  CheckMatches(model);

  ReopenAfterErrors();
  CheckMatches(model);
  EXPECT_FALSE(GetStats().read_only);
  STRATA_ASSERT_OK(Put("after", "1", true));
  EXPECT_EQ("1", Get("after"));
}

// A sync that failed may have lost bytes a later sync does not bring back:
// Close() reports the failure instead of a durability point.
TEST_P(DBErrorsTest, AFailedWalSyncIsNotMadeGoodByALaterOne) {
  Open();
  STRATA_ASSERT_OK(Put("before", "1", /*sync=*/true));
  STRATA_ASSERT_OK(Put("unsynced", "1"));  // a segment is open in either WAL policy
  mem_env()->SetWriteErrors(true);
  EXPECT_TRUE(Put("failed", "2", /*sync=*/true).IsIOError());
  mem_env()->SetWriteErrors(false);
  const Status closed = db_->Close();
  db_.reset();
  EXPECT_TRUE(closed.IsIOError()) << closed.ToString();
  Open();
  EXPECT_EQ("1", Get("before"));
}

TEST_P(DBErrorsTest, AMissingTableFileIsCorruptionNotAMissingKey) {
  Open();
  STRATA_ASSERT_OK(Put("k", "v"));
  STRATA_ASSERT_OK(db_->Flush());
  Reopen();  // no table open in the table cache
  const std::vector<std::string> tables = FilesOfType(env(), dir_, ".sst");
  ASSERT_EQ(tables.size(), 1u);
  STRATA_ASSERT_OK(env()->RemoveFile(dir_ + "/" + tables[0]));

  std::string value;
  Status s = db_->Get(ReadOptions(), "k", &value);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  auto it = db_->NewIterator(ReadOptions());
  it->SeekToFirst();
  EXPECT_FALSE(it->Valid());
  EXPECT_TRUE(it->status().IsCorruption()) << it->status().ToString();
}

TEST_P(DBErrorsTest, AnUnsyncedWriteAcceptedDuringErrorsIsNotReportedDurable) {
  Open();
  STRATA_ASSERT_OK(Put("a", "1", /*sync=*/true));
  mem_env()->SetWriteErrors(true);
  Status s = Put("b", "2");
  if (s.ok()) {
    // Buffered somewhere: the next durability point must then fail.
    Status sync = db_->Sync();
    EXPECT_FALSE(sync.ok()) << "Sync reported durable a write that never reached the file system";
  } else {
    EXPECT_TRUE(s.IsIOError() || s.IsReadOnly()) << s.ToString();
  }
  EXPECT_EQ("1", Get("a"));
  ReopenAfterErrors();
  EXPECT_EQ("1", Get("a"));
}

TEST_P(DBErrorsTest, AFailedFlushMakesTheDatabaseReadOnlyWithAReason) {
  Open();
  Model model;
  FillRange(0, 200, 0, 100, &model);
  STRATA_ASSERT_OK(db_->Sync());
  mem_env()->SetWriteErrors(true);
  Status s = db_->Flush();
  EXPECT_FALSE(s.ok()) << "Flush succeeded while nothing can be written";
  Stats st = GetStats();
  EXPECT_TRUE(st.read_only);
  EXPECT_FALSE(st.read_only_reason.empty());

  s = Put("x", "1");
  EXPECT_TRUE(s.IsReadOnly() || s.IsIOError()) << s.ToString();
  CheckMatches(model);

  // Read-only until reopened, even once the file system recovers.
  mem_env()->SetWriteErrors(false);
  s = Put("y", "1");
  EXPECT_TRUE(s.IsReadOnly() || s.IsIOError()) << s.ToString();
  CheckMatches(model);

  ReopenAfterErrors();
  CheckMatches(model);
  st = GetStats();
  EXPECT_FALSE(st.read_only);
  EXPECT_TRUE(st.read_only_reason.empty());
  STRATA_ASSERT_OK(Put("z", "1"));
  STRATA_ASSERT_OK(db_->Flush());
  EXPECT_EQ("1", Get("z"));
}

TEST_P(DBErrorsTest, AcknowledgedSyncedWritesSurviveErrorsAndACrash) {
  Open();
  Rng rng(TestSeed(555));
  std::map<std::string, std::string> acked, failed;
  const int error_from = 300 + static_cast<int>(Uniform(rng, 300));
  const int error_to = error_from + 3 + static_cast<int>(Uniform(rng, 50));  // holds a synced write
  for (int n = 0; n < 1200; n++) {
    if (n == error_from) mem_env()->SetWriteErrors(true);
    if (n == error_to) mem_env()->SetWriteErrors(false);
    std::string k = Key(n), v = ValueFor(n, 0, 200);
    Status s = Put(k, v, /*sync=*/n % 3 == 0);
    if (s.ok()) {
      if (n % 3 == 0) acked[k] = v;
    } else {
      EXPECT_TRUE(s.IsIOError() || s.IsReadOnly()) << "write " << n << ": " << s.ToString();
      failed[k] = v;
    }
    if (!options_.background_thread && db_->HasPendingWork() && n % 7 == 0) {
      db_->RunPendingWork().IgnoreError();  // may fail while errors are on
    }
  }
  EXPECT_FALSE(failed.empty());
  CrashAndReopen();
  for (const auto& [k, v] : acked) ASSERT_EQ(v, Get(k)) << "acknowledged synced write lost: " << k;
  for (const auto& [k, v] : failed) {
    std::string got = Get(k);
    EXPECT_TRUE(got == "NOT_FOUND" || got == v) << k << " = " << Printable(got);
  }
  STRATA_ASSERT_OK(Put("after", "1", true));
}

INSTANTIATE_TEST_SUITE_P(Modes, DBErrorsTest,
                         ::testing::Values(kBackgroundThread, kNoThreads, kBackgroundThreadSyncedAppends,
                                           kNoThreadsSyncedAppends),
                         ModeName);

// Without a background thread the failing step is exactly RunPendingWork().
class DBErrorsNoThreadsTest : public DBTestBase {
 protected:
  DBErrorsNoThreadsTest() {
    UseSmallBuffers();
    options_.background_thread = false;
    Open();
  }
};

TEST_F(DBErrorsNoThreadsTest, AFailedBackgroundFlushMakesTheDatabaseReadOnly) {
  Model model;
  int n = 0;
  while (!db_->HasPendingWork()) {
    STRATA_ASSERT_OK(Put(Key(n), ValueFor(n, 0, 200)));
    model[Key(n)] = ValueFor(n, 0, 200);
    ASSERT_LT(++n, 10000);
  }
  mem_env()->SetWriteErrors(true);
  Status s = db_->RunPendingWork();
  EXPECT_FALSE(s.ok()) << "the flush succeeded while nothing can be written";
  Stats st = GetStats();
  EXPECT_TRUE(st.read_only);
  EXPECT_FALSE(st.read_only_reason.empty());
  mem_env()->SetWriteErrors(false);
  s = Put("x", "1");
  EXPECT_TRUE(s.IsReadOnly() || s.IsIOError()) << s.ToString();
  s = db_->Flush();
  EXPECT_FALSE(s.ok());
  CheckMatches(model);
  db_->Close().IgnoreError();
  db_.reset();
  Open();
  CheckMatches(model);
  EXPECT_FALSE(GetStats().read_only);
}

TEST_F(DBErrorsNoThreadsTest, AFailedCompactionMakesTheDatabaseReadOnlyAndLosesNothing) {
  Model model;
  // Overlapping tables until a compaction is due (the memtable is empty, so
  // the pending work is a compaction).
  for (int f = 0; !db_->HasPendingWork(); f++) {
    ASSERT_LT(f, 3 * options_.l0_compaction_trigger) << "no compaction became pending";
    FillRange(0, 150, f, 100, &model);
    STRATA_ASSERT_OK(db_->Flush());
  }
  EXPECT_EQ(0u, GetStats().memtable_entries);
  mem_env()->SetWriteErrors(true);
  Status s = db_->RunPendingWork();
  EXPECT_FALSE(s.ok()) << "the compaction succeeded while nothing can be written";
  Stats st = GetStats();
  EXPECT_TRUE(st.read_only);
  EXPECT_FALSE(st.read_only_reason.empty());
  ASSERT_NO_FATAL_FAILURE(CheckLevelInvariants(st));
  CheckMatches(model);
  mem_env()->SetWriteErrors(false);
  db_->Close().IgnoreError();
  db_.reset();
  EXPECT_TRUE(FilesOfType(env(), dir_, ".tmp").empty()) << "a failed compaction left temporary files";
  Open();
  CheckMatches(model);
  while (db_->HasPendingWork()) STRATA_ASSERT_OK(db_->RunPendingWork());
  CheckMatches(model);
}

TEST_F(DBErrorsNoThreadsTest, OpenFailsWithIOErrorWhenNothingCanBeWritten) {
  Close();
  mem_env()->SetWriteErrors(true);
  std::unique_ptr<DB> db;
  Status s = DB::Open(options_, "/fresh", &db);
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  EXPECT_EQ(nullptr, db);
  mem_env()->SetWriteErrors(false);
  STRATA_ASSERT_OK(DB::Open(options_, "/fresh", &db));
  STRATA_ASSERT_OK(db->Put(WriteOptions(), "a", "1"));
  STRATA_ASSERT_OK(db->Close());
}

TEST_F(DBErrorsNoThreadsTest, ReopeningWhileWritesFailEitherFailsOrServesTheData) {
  Model model;
  FillRange(0, 500, 0, 100, &model);
  Close();
  mem_env()->SetWriteErrors(true);
  Status s = TryOpen();
  if (s.ok()) {
    CheckMatches(model);
    Status w = Put("x", "1", true);
    EXPECT_FALSE(w.ok());
    db_->Close().IgnoreError();
    db_.reset();
  } else {
    EXPECT_TRUE(s.IsIOError()) << s.ToString();
  }
  mem_env()->SetWriteErrors(false);
  Open();
  CheckMatches(model);
}

}  // namespace
}  // namespace dbtest
}  // namespace strata
