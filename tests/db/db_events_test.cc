// Engine events (strata/listener.h): every flush, compaction, table file,
// WAL segment, write stall and background error is reported as it happens,
// complete (job ids, levels, inputs, outputs, bytes), and agrees with what
// the stats and the directory say.
#include <set>

#include "db/db_test_util.h"
#include "strata/compaction.h"
#include "strata/listener.h"

namespace strata {
namespace dbtest {
namespace {

// Records every event. Callbacks come with the DB's mutex held, possibly on
// the background thread: guarded by its own mutex.
class RecordingListener final : public EventListener {
 public:
  void OnFlushBegin(const FlushInfo& i) override { Add(&flush_begins, i); }
  void OnFlushEnd(const FlushInfo& i) override { Add(&flush_ends, i); }
  void OnCompactionBegin(const CompactionInfo& i) override { Add(&compaction_begins, i); }
  void OnCompactionEnd(const CompactionInfo& i) override { Add(&compaction_ends, i); }
  void OnTableCreated(const TableCreatedInfo& i) override { Add(&created, i); }
  void OnTableDeleted(uint64_t number) override { Add(&deleted, number); }
  void OnWalSegmentClosed(const WalSegmentInfo& i) override { Add(&wal_closed, i); }
  void OnWriteStall(const WriteStallInfo& i) override { Add(&stalls, i); }
  void OnBackgroundError(const Status& s) override { Add(&errors, s); }

  // A copy of one list, taken under the lock.
  template <typename T>
  std::vector<T> Get(const std::vector<T>& list) {
    std::lock_guard<std::mutex> lock(mu);
    return list;
  }

  std::mutex mu;
  std::vector<FlushInfo> flush_begins, flush_ends;
  std::vector<CompactionInfo> compaction_begins, compaction_ends;
  std::vector<TableCreatedInfo> created;
  std::vector<uint64_t> deleted;
  std::vector<WalSegmentInfo> wal_closed;
  std::vector<WriteStallInfo> stalls;
  std::vector<Status> errors;

 private:
  template <typename T>
  void Add(std::vector<T>* list, const T& item) {
    std::lock_guard<std::mutex> lock(mu);
    list->push_back(item);
  }
};

class DBEventsTest : public DBModeTest {
 protected:
  DBEventsTest() : events_(std::make_shared<RecordingListener>()) {
    UseSmallBuffers();
    options_.listeners.push_back(events_);
  }

  // The table numbers of the current version, by level.
  std::map<uint64_t, int> LiveTables() {
    std::map<uint64_t, int> live;
    for (const auto& level : GetStats().levels) {
      for (const auto& t : level.tables) live[t.number] = level.level;
    }
    return live;
  }

  std::shared_ptr<RecordingListener> events_;
};

TEST_P(DBEventsTest, AFlushReportsItsJobMemtableAndTheTableItWrote) {
  Open();
  FillRange(0, 100);
  const Stats before = GetStats();
  STRATA_ASSERT_OK(db_->Flush());
  DrainPendingWork();
  auto begins = events_->Get(events_->flush_begins);
  auto ends = events_->Get(events_->flush_ends);
  ASSERT_EQ(1u, begins.size());
  ASSERT_EQ(1u, ends.size());
  const FlushInfo& end = ends[0];
  EXPECT_EQ(begins[0].job_id, end.job_id);
  EXPECT_EQ(FlushReason::kManual, end.reason);
  EXPECT_STREQ("manual", FlushReasonName(end.reason));
  EXPECT_EQ(100u, end.memtable_entries);
  EXPECT_EQ(before.memtable_bytes, end.memtable_bytes);
  STRATA_EXPECT_OK(end.status);
  ASSERT_TRUE(end.has_output);
  EXPECT_EQ(0, end.output.level);
  EXPECT_EQ(Key(0), end.output.smallest_key);
  EXPECT_EQ(Key(99), end.output.largest_key);
  EXPECT_EQ(100u, end.output.entries);
  // The table is the one the stats list, and it was announced as created.
  const auto live = LiveTables();
  ASSERT_EQ(1u, live.count(end.output.number));
  auto created = events_->Get(events_->created);
  ASSERT_EQ(1u, created.size());
  EXPECT_EQ(end.output.number, created[0].table.number);
  EXPECT_EQ(end.job_id, created[0].job_id);
  EXPECT_FALSE(created[0].by_compaction);
  uint64_t size = 0;
  STRATA_ASSERT_OK(env()->GetFileSize(dir_ + "/" + FilesOfType(env(), dir_, ".sst")[0], &size));
  EXPECT_EQ(size, end.output.size);
}

TEST_P(DBEventsTest, ACompactionReportsItsInputsOutputsLevelsAndBytes) {
  Open();
  // Overlapping L0 tables: a real merge, not a trivial move.
  for (int round = 0; round < options_.l0_compaction_trigger; round++) {
    FillRange(0, 200, round);
    STRATA_ASSERT_OK(db_->Flush());
  }
  DrainPendingWork();
  auto begins = events_->Get(events_->compaction_begins);
  auto ends = events_->Get(events_->compaction_ends);
  ASSERT_FALSE(ends.empty());
  ASSERT_EQ(begins.size(), ends.size());
  const CompactionInfo* merge = nullptr;
  for (const auto& e : ends) {
    if (!e.trivial_move && e.level == 0) merge = &e;
  }
  ASSERT_NE(nullptr, merge) << "no L0 compaction ran";
  EXPECT_EQ(CompactionReason::kLevelScore, merge->reason);
  EXPECT_GE(merge->score, 1.0);
  EXPECT_EQ(1, merge->output_level);
  STRATA_EXPECT_OK(merge->status);
  EXPECT_EQ(options_.background_thread ? "thread" : "inline", merge->runner);
  // Inputs: every L0 table flushed above, at level 0.
  std::set<uint64_t> flushed;
  for (const auto& f : events_->Get(events_->flush_ends)) flushed.insert(f.output.number);
  uint64_t input_bytes = 0;
  for (const auto& in : merge->inputs) {
    EXPECT_TRUE(in.level == 0 || in.level == 1);
    if (in.level == 0) {
      EXPECT_EQ(1u, flushed.count(in.number)) << in.number;
    }
    input_bytes += in.size;
  }
  EXPECT_EQ(input_bytes, merge->bytes_read);
  // Outputs: at level 1, live, announced as created by this job; their
  // bytes are the bytes written.
  ASSERT_FALSE(merge->outputs.empty());
  uint64_t output_bytes = 0;
  const auto live = LiveTables();
  std::set<uint64_t> created_by_job;
  for (const auto& c : events_->Get(events_->created)) {
    if (c.job_id == merge->job_id) created_by_job.insert(c.table.number);
  }
  for (const auto& out : merge->outputs) {
    EXPECT_EQ(1, out.level);
    EXPECT_EQ(1u, created_by_job.count(out.number));
    output_bytes += out.size;
    if (live.count(out.number)) {
      EXPECT_EQ(1, live.at(out.number));
    }
  }
  EXPECT_EQ(output_bytes, merge->bytes_written);
  EXPECT_GT(merge->micros, 0u);
  // The inputs left the directory, and were reported deleted.
  const auto deleted = events_->Get(events_->deleted);
  for (const auto& in : merge->inputs) {
    EXPECT_EQ(1, std::count(deleted.begin(), deleted.end(), in.number)) << in.number;
  }
  // The begin event of the job named the same inputs.
  for (const auto& b : begins) {
    if (b.job_id != merge->job_id) continue;
    ASSERT_EQ(merge->inputs.size(), b.inputs.size());
    for (size_t i = 0; i < b.inputs.size(); i++) EXPECT_EQ(merge->inputs[i].number, b.inputs[i].number);
  }
}

TEST_P(DBEventsTest, JobIdsAreUniqueAcrossFlushesAndCompactions) {
  Open();
  Model model;
  Rng rng(TestSeed(77));
  for (int i = 0; i < 4000; i++) {
    const int k = static_cast<int>(Uniform(rng, 1500));
    STRATA_ASSERT_OK(Put(Key(k), ValueFor(k, i, 200)));
    if (!options_.background_thread && db_->HasPendingWork()) STRATA_ASSERT_OK(db_->RunPendingWork());
  }
  STRATA_ASSERT_OK(db_->CompactRange(nullptr, nullptr));
  DrainPendingWork();
  std::set<uint64_t> ids;
  size_t jobs = 0;
  for (const auto& f : events_->Get(events_->flush_ends)) ids.insert(f.job_id), jobs++;
  for (const auto& c : events_->Get(events_->compaction_ends)) ids.insert(c.job_id), jobs++;
  EXPECT_EQ(jobs, ids.size()) << "a job id was used twice";
  EXPECT_EQ(events_->Get(events_->flush_begins).size(), events_->Get(events_->flush_ends).size());
  EXPECT_EQ(events_->Get(events_->compaction_begins).size(), events_->Get(events_->compaction_ends).size());
  const Stats st = GetStats();
  EXPECT_EQ(st.flushes, events_->Get(events_->flush_ends).size());
  size_t merges = 0, manual = 0;
  for (const auto& c : events_->Get(events_->compaction_ends)) {
    if (!c.trivial_move) merges++;
    if (c.reason == CompactionReason::kManual) manual++;
  }
  EXPECT_EQ(st.compactions, merges);
  EXPECT_GT(manual, 0u) << "CompactRange's jobs are reported as manual";
  // Every table the current version holds was announced, and none of them
  // reported deleted.
  std::set<uint64_t> created;
  for (const auto& c : events_->Get(events_->created)) created.insert(c.table.number);
  for (const auto& c : events_->Get(events_->compaction_ends)) {
    if (c.trivial_move)
      for (const auto& out : c.outputs) created.insert(out.number);
  }
  const auto deleted = events_->Get(events_->deleted);
  for (const auto& [number, level] : LiveTables()) {
    EXPECT_EQ(1u, created.count(number)) << number;
    EXPECT_EQ(0, std::count(deleted.begin(), deleted.end(), number)) << number;
  }
}

TEST_P(DBEventsTest, ATrivialMoveIsReportedWithoutBytes) {
  Open();
  FillRange(0, 100);
  STRATA_ASSERT_OK(db_->Flush());
  FillRange(100, 200);  // no overlap: each L0 table can move down alone
  STRATA_ASSERT_OK(db_->Flush());
  FillRange(200, 300);
  STRATA_ASSERT_OK(db_->Flush());
  FillRange(300, 400);
  STRATA_ASSERT_OK(db_->Flush());
  DrainPendingWork();
  bool moved = false;
  for (const auto& c : events_->Get(events_->compaction_ends)) {
    if (!c.trivial_move) continue;
    moved = true;
    EXPECT_EQ(0u, c.bytes_read);
    EXPECT_EQ(0u, c.bytes_written);
    ASSERT_EQ(1u, c.inputs.size());
    ASSERT_EQ(1u, c.outputs.size());
    EXPECT_EQ(c.inputs[0].number, c.outputs[0].number);
    EXPECT_EQ(c.level + 1, c.outputs[0].level);
  }
  EXPECT_TRUE(moved);
}

TEST_P(DBEventsTest, EachDurabilityPointClosesAWalSegmentAndSaysWhatItHeld) {
  Open();
  STRATA_ASSERT_OK(Put("a", "1"));
  STRATA_ASSERT_OK(Put("b", "2"));
  STRATA_ASSERT_OK(Put("c", "3", /*sync=*/true));
  STRATA_ASSERT_OK(Put("d", "4", /*sync=*/true));
  auto closed = events_->Get(events_->wal_closed);
  ASSERT_EQ(2u, closed.size());
  EXPECT_EQ(3u, closed[0].records);
  EXPECT_EQ(1u, closed[1].records);
  EXPECT_LT(closed[0].number, closed[1].number);
  EXPECT_GT(closed[0].bytes, closed[1].bytes);
  EXPECT_EQ(2u, GetStats().wal_syncs);
}

TEST_P(DBEventsTest, WriteStallsComeInPairsWithTheirCause) {
  options_.write_buffer_size = 16 * 1024;
  options_.l0_compaction_trigger = 2;
  options_.l0_slowdown_writes_trigger = 3;
  options_.l0_stop_writes_trigger = 4;
  Open();
  // Nobody runs pending work: writes wait for it (no threads) or the
  // background thread falls behind for a moment.
  for (int i = 0; i < 3000; i++) STRATA_ASSERT_OK(Put(Key(i % 700), ValueFor(i, 0, 300)));
  DrainPendingWork();
  STRATA_ASSERT_OK(Put("after", "x"));  // goes through at once: ends any stall
  const auto stalls = events_->Get(events_->stalls);
  ASSERT_FALSE(stalls.empty()) << "no write ever waited";
  EXPECT_FALSE(stalls.back().stalled) << "the last stall never ended";
  bool stalled = false;
  for (const auto& s : stalls) {
    if (!s.stalled) {
      EXPECT_TRUE(stalled) << "an end with no begin";
    }
    stalled = s.stalled;
  }
  EXPECT_GE(GetStats().stopped_writes + GetStats().slowdown_writes, 1u);
}

TEST_P(DBEventsTest, ABackgroundErrorIsReportedOnce) {
  Open();
  FillRange(0, 100);
  mem_env()->SetWriteErrors(true);
  EXPECT_FALSE(db_->Flush().ok());
  EXPECT_FALSE(Put("x", "y").ok());
  mem_env()->SetWriteErrors(false);
  const auto errors = events_->Get(events_->errors);
  ASSERT_EQ(1u, errors.size());
  EXPECT_FALSE(errors[0].ok());
  EXPECT_TRUE(GetStats().read_only);
  const auto ends = events_->Get(events_->flush_ends);
  if (!ends.empty()) {
    EXPECT_FALSE(ends.back().status.ok());
  }
}

TEST_P(DBEventsTest, RecoveryFlushesAreReportedAsSuch) {
  options_.write_buffer_size = 4 << 20;
  Open();
  FillRange(0, 50);
  Close();
  Open();
  auto ends = events_->Get(events_->flush_ends);
  ASSERT_EQ(1u, ends.size());
  EXPECT_EQ(FlushReason::kRecovery, ends[0].reason);
  EXPECT_EQ(50u, ends[0].memtable_entries);
  ASSERT_TRUE(ends[0].has_output);
  EXPECT_EQ(1u, LiveTables().count(ends[0].output.number));
}

// Holds the job it is given and never answers: Close abandons it.
class HoldingExecutor final : public CompactionExecutor {
 public:
  void Execute(const CompactionJob& job, Env*, FileNumberAllocator,
               std::function<void(CompactionResult)>) override {
    held_job = job.id;
  }
  uint64_t held_job = 0;
};

TEST_F(DBTestBase, ACompactionAbandonedAtCloseIsReportedEnded) {
  auto events = std::make_shared<RecordingListener>();
  auto executor = std::make_shared<HoldingExecutor>();
  UseSmallBuffers();
  options_.listeners.push_back(events);
  options_.background_thread = false;
  options_.compaction_executor = executor;
  Open();
  for (int round = 0; round < options_.l0_compaction_trigger; round++) {
    FillRange(0, 200, round);
    STRATA_ASSERT_OK(db_->Flush());
  }
  while (db_->HasPendingWork()) STRATA_ASSERT_OK(db_->RunPendingWork());
  ASSERT_NE(0u, executor->held_job);
  Close();
  const auto ends = events->Get(events->compaction_ends);
  ASSERT_FALSE(ends.empty());
  EXPECT_EQ(executor->held_job, ends.back().job_id);
  EXPECT_FALSE(ends.back().status.ok());
  EXPECT_NE(std::string::npos, ends.back().status.message().find("closed"));
}

INSTANTIATE_TEST_SUITE_P(Modes, DBEventsTest, ::testing::Values(kBackgroundThread, kNoThreads), ModeName);

}  // namespace
}  // namespace dbtest
}  // namespace strata
