// A memtable flush written a step at a time (Options::flush_step_bytes,
// without a background thread), and DB::Flush with FlushOptions::wait false.
#include <chrono>
#include <condition_variable>
#include <mutex>

#include "db/db_test_util.h"
#include "strata/listener.h"

namespace strata {
namespace dbtest {
namespace {

class FlushRecorder final : public EventListener {
 public:
  void OnFlushBegin(const FlushInfo&) override { begun++; }
  void OnFlushEnd(const FlushInfo& info) override { ended.push_back(info.status); }
  int begun = 0;
  std::vector<Status> ended;
};

class DBFlushStepsTest : public DBTestBase {
 protected:
  DBFlushStepsTest() {
    UseSmallBuffers();  // 64 KiB memtables
    options_.background_thread = false;
    options_.flush_step_bytes = 4 * 1024;
    options_.listeners.push_back(recorder_);
    Open();
  }

  // Writes keys from `from` on until the memtable is frozen (pending work);
  // returns one past the last key written.
  int FillUntilFrozen(int from, Model* model) {
    int i = from;
    while (!db_->HasPendingWork()) {
      EXPECT_TRUE(Put(Key(i), ValueFor(i, 0, 200)).ok());
      (*model)[Key(i)] = ValueFor(i, 0, 200);
      if (++i - from > 10000) {
        ADD_FAILURE() << "the memtable never filled";
        break;
      }
    }
    return i;
  }

  std::shared_ptr<FlushRecorder> recorder_ = std::make_shared<FlushRecorder>();
};

TEST_F(DBFlushStepsTest, AFlushTakesManyStepsAndReadsSeeEverythingBetweenThem) {
  Model model;
  FillUntilFrozen(0, &model);
  int steps = 0;
  while (GetStats().immutable_memtable) {
    STRATA_ASSERT_OK(db_->RunPendingWork());
    ASSERT_LT(++steps, 1000);
    CheckMatches(model);
  }
  // 64 KiB of keys and values 4 KiB a step.
  EXPECT_GE(steps, 10);
  const Stats st = GetStats();
  EXPECT_EQ(1u, st.flushes);
  EXPECT_EQ(1, CountTableFiles());
  EXPECT_EQ(1, recorder_->begun) << "one flush, begun once";
  ASSERT_EQ(1u, recorder_->ended.size());
  STRATA_EXPECT_OK(recorder_->ended[0]);
  Reopen();
  CheckMatches(model);
}

TEST_F(DBFlushStepsTest, WritesGoOnBetweenStepsAndOneThatNeedsTheFlushFinishesIt) {
  Model model;
  int next = FillUntilFrozen(0, &model);
  STRATA_ASSERT_OK(db_->RunPendingWork());
  STRATA_ASSERT_OK(db_->RunPendingWork());
  ASSERT_TRUE(GetStats().immutable_memtable) << "the setup needs a flush partway";
  // Into the new memtable, while the old one is partway into its table.
  for (int i = 0; i < 20; i++, next++) {
    STRATA_ASSERT_OK(Put(Key(next), ValueFor(next, 1, 200)));
    model[Key(next)] = ValueFor(next, 1, 200);
  }
  EXPECT_TRUE(GetStats().immutable_memtable);
  EXPECT_EQ(0u, GetStats().flushes);
  // Filling this memtable too, a write must wait for the flush: it runs
  // the rest of it itself.
  while (GetStats().flushes == 0) {
    STRATA_ASSERT_OK(Put(Key(next), ValueFor(next, 2, 200)));
    model[Key(next)] = ValueFor(next, 2, 200);
    ASSERT_LT(++next, 20000);
  }
  EXPECT_EQ(1, recorder_->begun);
  CheckMatches(model);
  while (db_->HasPendingWork()) STRATA_ASSERT_OK(db_->RunPendingWork());
  Reopen();
  CheckMatches(model);
}

TEST_F(DBFlushStepsTest, CloseDuringAFlushRemovesItsPartialTableAndReopenRecoversFromTheWal) {
  Model model;
  FillUntilFrozen(0, &model);
  STRATA_ASSERT_OK(db_->RunPendingWork());
  ASSERT_TRUE(GetStats().immutable_memtable);
  ASSERT_EQ(1u, FilesOfType(env(), dir_, ".sst").size()) << "the partial table is being written";
  Close();
  EXPECT_TRUE(FilesOfType(env(), dir_, ".sst").empty()) << "the partial table stayed";
  ASSERT_EQ(1u, recorder_->ended.size());
  EXPECT_TRUE(recorder_->ended[0].IsIOError()) << recorder_->ended[0].ToString();
  Open();
  CheckMatches(model);
}

TEST_F(DBFlushStepsTest, ACrashDuringAFlushLosesNoSyncedWriteAndLeavesNoPartialTable) {
  Model model;
  int next = FillUntilFrozen(0, &model);
  STRATA_ASSERT_OK(Put(Key(next), ValueFor(next, 0, 200), /*sync=*/true));
  model[Key(next)] = ValueFor(next, 0, 200);
  STRATA_ASSERT_OK(db_->RunPendingWork());
  STRATA_ASSERT_OK(db_->RunPendingWork());
  ASSERT_TRUE(GetStats().immutable_memtable);
  CrashAndReopen();
  CheckMatches(model);
  EXPECT_EQ(static_cast<size_t>(CountTableFiles()), FilesOfType(env(), dir_, ".sst").size())
      << "a table file nothing names";
}

TEST_F(DBFlushStepsTest, FlushWithoutWaitingFreezesTheMemtableForTheSteps) {
  STRATA_ASSERT_OK(db_->Flush(FlushOptions{/*wait=*/false}));
  EXPECT_FALSE(GetStats().immutable_memtable) << "an empty memtable is not frozen";
  Model model;
  FillRange(0, 100, 0, 200, &model);
  STRATA_ASSERT_OK(db_->Flush(FlushOptions{/*wait=*/false}));
  Stats st = GetStats();
  EXPECT_TRUE(st.immutable_memtable);
  EXPECT_EQ(0u, st.flushes);
  EXPECT_EQ(0u, st.memtable_entries);
  int steps = 0;
  while (GetStats().immutable_memtable) {
    STRATA_ASSERT_OK(db_->RunPendingWork());
    ASSERT_LT(++steps, 1000);
  }
  EXPECT_GT(steps, 1);
  EXPECT_EQ(1u, GetStats().flushes);
  CheckMatches(model);
}

// Holds the background thread in OnFlushBegin until released (at most 10 s,
// so that a Flush that wrongly waits fails the test instead of hanging it).
class FlushGate final : public EventListener {
 public:
  void OnFlushBegin(const FlushInfo&) override {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, std::chrono::seconds(10), [this] { return open_; });
  }
  void Open() {
    std::lock_guard<std::mutex> lock(mu_);
    open_ = true;
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = false;
};

TEST_F(DBTestBase, FlushWithoutWaitingLeavesTheFlushToTheBackgroundThread) {
  auto gate = std::make_shared<FlushGate>();
  options_.listeners.push_back(gate);
  Open();
  Model model;
  FillRange(0, 100, 0, 200, &model);
  STRATA_ASSERT_OK(db_->Flush(FlushOptions{/*wait=*/false}));
  Stats st = GetStats();
  EXPECT_EQ(0u, st.flushes) << "Flush waited for the flush";
  EXPECT_EQ(0u, st.memtable_entries) << "the memtable was not frozen";
  gate->Open();
  STRATA_ASSERT_OK(db_->Flush());  // waits for the one under way (nothing new to freeze)
  st = GetStats();
  EXPECT_EQ(1u, st.flushes);
  EXPECT_FALSE(st.immutable_memtable);
  CheckMatches(model);
}

TEST_F(DBFlushStepsTest, AWriteErrorPartwayMakesTheDatabaseReadOnlyAndLosesNothing) {
  Model model;
  FillUntilFrozen(0, &model);
  STRATA_ASSERT_OK(db_->RunPendingWork());
  STRATA_ASSERT_OK(db_->RunPendingWork());
  ASSERT_TRUE(GetStats().immutable_memtable);
  mem_env()->SetWriteErrors(true);
  Status s;
  for (int steps = 0; s.ok() && GetStats().immutable_memtable; steps++) {
    s = db_->RunPendingWork();
    ASSERT_LT(steps, 1000);
  }
  EXPECT_FALSE(s.ok()) << "the flush went through while nothing could be written";
  EXPECT_TRUE(GetStats().read_only);
  mem_env()->SetWriteErrors(false);
  CheckMatches(model);
  db_->Close().IgnoreError();
  db_.reset();
  Open();
  CheckMatches(model);
  EXPECT_EQ(static_cast<size_t>(CountTableFiles()), FilesOfType(env(), dir_, ".sst").size())
      << "a table file nothing names";
}

}  // namespace
}  // namespace dbtest
}  // namespace strata
