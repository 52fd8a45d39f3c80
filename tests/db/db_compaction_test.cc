// Flushes and leveled compaction, with a background thread and without any
// thread (the caller drives RunPendingWork): the shape of the levels, write
// stalls, CompactRange, dropped versions and tombstones, and the stats.
#include <algorithm>
#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <thread>

#include "compaction/compaction_picker.h"
#include "db/db_test_util.h"
#include "strata/compaction.h"
#include "strata/listener.h"
#include "version/version_edit.h"

namespace strata {
namespace dbtest {
namespace {

class DBCompactionTest : public DBModeTest {
 protected:
  DBCompactionTest() { UseSmallBuffers(); }

  // Runs a write, and while busy_ok_ retries one answered Busy (without a
  // background thread a write or CompactRange that must wait for a job
  // running on an asynchronous executor answers Busy instead of blocking).
  Status Retry(const std::function<Status()>& op) {
    for (int attempt = 0;; attempt++) {
      Status s = op();
      if (!s.IsBusy() || !busy_ok_ || attempt > 100000) return s;
      busy_answers_++;
      if (db_->HasPendingWork()) {
        Status w = db_->RunPendingWork();
        if (!w.ok() && !w.IsBusy()) return w;
      } else {
        std::this_thread::sleep_for(std::chrono::microseconds(200));
      }
    }
  }

  // Random-order puts with overwrites and some deletes, checking the level
  // invariants and the L0 bound as it goes.
  void RandomWorkload(int ops, uint64_t seed, Model* model, bool drive_pending_work = true) {
    Rng rng(seed);
    for (int n = 0; n < ops; n++) {
      int i = static_cast<int>(Uniform(rng, 5000));
      if (OneIn(rng, 8)) {
        STRATA_ASSERT_OK(Retry([&] { return Delete(Key(i)); }));
        model->erase(Key(i));
      } else {
        std::string v = ValueFor(i, n, 100 + Uniform(rng, 200));
        STRATA_ASSERT_OK(Retry([&] { return Put(Key(i), v); }));
        (*model)[Key(i)] = v;
      }
      if (n % 250 == 0) {
        Stats st = GetStats();
        ASSERT_NO_FATAL_FAILURE(CheckLevelInvariants(st));
        ASSERT_LE(FilesAtLevel(st, 0), static_cast<uint64_t>(options_.l0_stop_writes_trigger))
            << "L0 grew past the stop trigger";
        if (drive_pending_work && !options_.background_thread && db_->HasPendingWork() && OneIn(rng, 2)) {
          STRATA_ASSERT_OK(Retry([&] { return db_->RunPendingWork(); }));
        }
      }
    }
  }

  // Opens uncompressed with a 1 MiB L1 and fills it with several range
  // jobs' worth: two versions of 16,000 keys (~1.9 MB, L1 full and the rest
  // in L2), then newer versions of the first 2,000 (in L0 and the memtable).
  void OpenWithALargeL1(Model* model) {
    options_.compression_per_level = {Compression::kNone};
    options_.max_bytes_for_level_base = 1 << 20;
    Open();
    for (int round = 0; round < 2; round++) {
      FillRange(0, 16000, round, 100, model);
      DrainPendingWork();
    }
    Stats st = GetStats();
    ASSERT_GT(st.levels[1].bytes, 2 * MaxRangeCompactionBytes(options_)) << "the setup needs a large L1";
    ASSERT_GT(FilesAtLevel(st, 2), 0u) << "and a level below it, so that L1's pass is made";
    FillRange(0, 2000, 2, 100, model);
  }

  static int LevelsWithTables(const Stats& st) {
    int n = 0;
    for (const auto& level : st.levels) n += level.files > 0;
    return n;
  }

  void CheckSettledShape() {
    Stats st = GetStats();
    ASSERT_NO_FATAL_FAILURE(CheckLevelInvariants(st));
    EXPECT_LT(FilesAtLevel(st, 0), static_cast<uint64_t>(options_.l0_compaction_trigger));
    for (const auto& l : st.levels) EXPECT_LT(l.score, 1.0) << "L" << l.level << " still wants compaction";
    EXPECT_FALSE(st.immutable_memtable);
    EXPECT_EQ(0u, st.compactions_running);
  }

  bool busy_ok_ = false;
  int busy_answers_ = 0;
};

TEST_P(DBCompactionTest, ManyWritesFillLevelsBelowL0WhoseTablesNeverOverlap) {
  Open();
  Model model;
  RandomWorkload(12000, 1, &model);
  DrainPendingWork();
  CheckSettledShape();
  Stats st = GetStats();
  EXPECT_GT(TableFilesBelowL0(st), 0u);
  EXPECT_GT(st.flushes, 10u);
  EXPECT_GT(st.compactions, 0u);
  CheckMatches(model);
  Reopen();
  ASSERT_NO_FATAL_FAILURE(CheckLevelInvariants(GetStats()));
  CheckMatches(model);
}

TEST_P(DBCompactionTest, DeeperLevelsFillWhenTheUpperOnesExceedTheirTargets) {
  options_.max_bytes_for_level_base = 64 * 1024;
  options_.level_size_multiplier = 4;
  Open();
  Model model;
  FillRange(0, 8000, 0, 200, &model);  // ~1.7 MB, sequential
  DrainPendingWork();
  CheckSettledShape();
  Stats st = GetStats();
  int deepest = 0;
  for (const auto& l : st.levels) {
    if (l.files > 0) deepest = l.level;
  }
  ASSERT_GE(st.levels.size(), 3u);
  EXPECT_EQ(0u, st.levels[0].target_bytes);
  EXPECT_GE(deepest, 2) << "data never went below L1";
  EXPECT_EQ(options_.max_bytes_for_level_base, st.levels[1].target_bytes);
  EXPECT_EQ(4 * options_.max_bytes_for_level_base, st.levels[2].target_bytes);
  CheckMatches(model);
}

TEST_P(DBCompactionTest, L0StaysWithinTheStopTriggerUnderSustainedWrites) {
  options_.l0_compaction_trigger = 2;
  options_.l0_slowdown_writes_trigger = 3;
  options_.l0_stop_writes_trigger = 4;
  options_.write_buffer_size = 32 * 1024;
  Open();
  Model model;
  Rng rng(5);
  for (int n = 0; n < 8000; n++) {
    int i = static_cast<int>(Uniform(rng, 3000));
    std::string v = ValueFor(i, n, 200);
    STRATA_ASSERT_OK(Put(Key(i), v));
    model[Key(i)] = v;
    if (n % 20 == 0) {
      ASSERT_LE(NumTableFilesAtLevel(0), options_.l0_stop_writes_trigger) << "after " << n << " writes";
    }
  }
  DrainPendingWork();
  CheckSettledShape();
  CheckMatches(model);
}

TEST_P(DBCompactionTest, WritesDoTheWorkThemselvesWhenNobodyRunsPendingWork) {
  Open();
  Model model;
  // Never calls RunPendingWork: without a thread, writes that must wait for
  // a flush or compaction do it inline instead of blocking forever.
  RandomWorkload(10000, 2, &model, /*drive_pending_work=*/false);
  Stats st = GetStats();
  EXPECT_LE(FilesAtLevel(st, 0), static_cast<uint64_t>(options_.l0_stop_writes_trigger));
  EXPECT_GT(st.flushes, 0u);
  CheckMatches(model);
}

TEST_P(DBCompactionTest, FullCompactRangePushesEverythingDownAndDropsTombstones) {
  Open();
  Model model;
  RandomWorkload(6000, 3, &model);
  for (int i = 0; i < 5000; i += 3) {
    STRATA_ASSERT_OK(Delete(Key(i)));
    model.erase(Key(i));
  }
  STRATA_ASSERT_OK(db_->Flush());
  EXPECT_GT(TotalTombstones(GetStats()), 0u);
  STRATA_ASSERT_OK(db_->CompactRange(nullptr, nullptr));
  Stats st = GetStats();
  ASSERT_NO_FATAL_FAILURE(CheckLevelInvariants(st));
  EXPECT_EQ(0u, FilesAtLevel(st, 0));
  EXPECT_EQ(0u, TotalTombstones(st));
  EXPECT_EQ(model.size(), TotalEntries(st)) << "shadowed versions survived a full compaction";
  EXPECT_GT(TableFilesBelowL0(st), 0u);
  CheckMatches(model);
  Reopen();
  CheckMatches(model);
}

// As LevelDB and RocksDB do, a full compaction stops at the deepest level
// when nothing there could go: rewriting it would be a pass for nothing.
// (The data stays under L1's 128 KiB, so no automatic compaction moves it,
// and every level is stored alike: where the next level compresses and
// this one does not, the pass is made, as the zlib test below checks.)
TEST_P(DBCompactionTest, AFullCompactionWithNothingToDropStopsAtTheDeepestLevel) {
  options_.compression_per_level = {Compression::kNone};
  Open();
  Model model;
  for (int round = 0; round < 2; round++) {  // every key once: nothing shadowed, no tombstone
    FillRange(round * 300, round * 300 + 300, 0, 100, &model);
    STRATA_ASSERT_OK(db_->Flush());
    STRATA_ASSERT_OK(db_->CompactRange(nullptr, nullptr));
  }
  DrainPendingWork();
  Stats st = GetStats();
  ASSERT_NO_FATAL_FAILURE(CheckLevelInvariants(st));
  EXPECT_EQ(0u, FilesAtLevel(st, 0));
  EXPECT_GT(FilesAtLevel(st, 1), 0u) << "the data went below the deepest level it was in";
  EXPECT_EQ(FilesAtLevel(st, 1), TableFilesBelowL0(st));
  // Compacting it again has nothing to do.
  const uint64_t compactions = st.compactions;
  STRATA_ASSERT_OK(db_->CompactRange(nullptr, nullptr));
  EXPECT_EQ(compactions, GetStats().compactions);
  // Finding out (here and after each round's pass) opened no table: the
  // engine kept the properties of the tables it wrote.
  EXPECT_EQ(0u, GetStats().table_cache_misses);
  CheckMatches(model);
  // After a reopen it reads them from the tables, with the same answer.
  Reopen();
  const uint64_t reopened = GetStats().compactions;
  STRATA_ASSERT_OK(db_->CompactRange(nullptr, nullptr));
  EXPECT_EQ(reopened, GetStats().compactions);
  CheckMatches(model);
}

// Where it holds what can go, the deepest level is rewritten into the next.
TEST_P(DBCompactionTest, AFullCompactionRewritesTheDeepestLevelWhereItHoldsWhatCanGo) {
  options_.compression_per_level = {Compression::kNone};
  Open();
  Model model;
  FillRange(0, 250, 0, 100, &model);
  STRATA_ASSERT_OK(db_->Flush());
  const Snapshot* snapshot = db_->GetSnapshot();
  FillRange(0, 250, 1, 100, &model);  // overwrites the snapshot keeps
  STRATA_ASSERT_OK(db_->Flush());
  STRATA_ASSERT_OK(db_->CompactRange(nullptr, nullptr));
  DrainPendingWork();
  Stats held = GetStats();
  EXPECT_EQ(500u, TotalEntries(held));
  EXPECT_EQ(FilesAtLevel(held, 1), TableFilesBelowL0(held));
  db_->ReleaseSnapshot(snapshot);
  STRATA_ASSERT_OK(db_->CompactRange(nullptr, nullptr));
  Stats st = GetStats();
  EXPECT_EQ(250u, TotalEntries(st)) << "the versions the snapshot kept survived";
  EXPECT_EQ(0u, FilesAtLevel(st, 1));
  EXPECT_GT(FilesAtLevel(st, 2), 0u);
  CheckMatches(model);
}

TEST_P(DBCompactionTest, CompactRangeOfASubrangeMovesItsL0TablesDownAndKeepsDataCorrect) {
  Open();
  Model model;
  RandomWorkload(4000, 4, &model);
  STRATA_ASSERT_OK(db_->Flush());
  const std::string b = Key(1000), e = Key(2000);
  Slice begin(b), end(e);
  STRATA_ASSERT_OK(db_->CompactRange(&begin, &end));
  Stats st = GetStats();
  ASSERT_NO_FATAL_FAILURE(CheckLevelInvariants(st));
  for (const auto& t : st.levels[0].tables) {
    bool overlaps = !(t.largest_key < b || e < t.smallest_key);
    EXPECT_FALSE(overlaps) << "L0 table " << t.number << " [" << t.smallest_key << ", " << t.largest_key
                           << "] overlaps the compacted range";
  }
  CheckMatches(model);
  // Open-ended ranges.
  STRATA_ASSERT_OK(db_->CompactRange(nullptr, &begin));
  STRATA_ASSERT_OK(db_->CompactRange(&end, nullptr));
  CheckMatches(model);
}

TEST_P(DBCompactionTest, CompactRangeOnAnEmptyDatabaseIsOk) {
  Open();
  STRATA_ASSERT_OK(db_->CompactRange(nullptr, nullptr));
  EXPECT_EQ(0, CountTableFiles());
  STRATA_ASSERT_OK(Put("a", "1"));
  STRATA_ASSERT_OK(db_->CompactRange(nullptr, nullptr));
  EXPECT_EQ("1", Get("a"));
}

TEST_P(DBCompactionTest, DeletionsKeepShadowingOlderValuesInDeeperLevels) {
  Open();
  Model model;
  for (int round = 0; round < 3; round++) {
    SCOPED_TRACE("round " + std::to_string(round));
    FillRange(0, 1000, round, 150, &model);
    STRATA_ASSERT_OK(db_->CompactRange(nullptr, nullptr));  // values at the bottom
    for (int i = round; i < 1000; i += 4) {
      STRATA_ASSERT_OK(Delete(Key(i)));
      model.erase(Key(i));
    }
    STRATA_ASSERT_OK(db_->Flush());  // tombstones in L0
    // Unrelated writes push the tombstones down step by step.
    for (int n = 0; n < 4; n++) {
      FillRange(10000 + n * 400, 10400 + n * 400, round, 150, &model);
      STRATA_ASSERT_OK(db_->Flush());
      DrainPendingWork();
      for (int i = round; i < 1000; i += 4) {
        ASSERT_EQ("NOT_FOUND", Get(Key(i))) << "a deleted key came back";
      }
    }
    CheckMatches(model);
  }
}

TEST_P(DBCompactionTest, ObsoleteTablesAreRemovedFromTheDirectory) {
  Open();
  Model model;
  RandomWorkload(6000, 6, &model);
  DrainPendingWork();
  STRATA_ASSERT_OK(db_->CompactRange(nullptr, nullptr));
  DrainPendingWork();
  EXPECT_EQ(CountTableFiles(), CountTableFilesOnDisk());
  EXPECT_TRUE(FilesOfType(env(), dir_, ".tmp").empty());
  Reopen();
  EXPECT_EQ(CountTableFiles(), CountTableFilesOnDisk());
  CheckMatches(model);
}

TEST_P(DBCompactionTest, StatsCountFlushesAndCompactions) {
  Open();
  Model model;
  RandomWorkload(8000, 7, &model);
  DrainPendingWork();
  Stats st = GetStats();
  EXPECT_GT(st.flushes, 0u);
  EXPECT_GT(st.flush_bytes_written, 0u);
  EXPECT_EQ(st.flushes, st.flush_latency.count);
  EXPECT_GT(st.compactions, 0u);
  EXPECT_GT(st.compaction_bytes_read, 0u);
  EXPECT_GT(st.compaction_bytes_written, 0u);
  EXPECT_GT(st.compaction_latency.count, 0u);
  EXPECT_EQ(0u, st.compactions_running);
  EXPECT_GT(st.write_amplification, 1.0);
  uint64_t per_level_written = 0;
  for (const auto& l : st.levels) per_level_written += l.compaction_bytes_written;
  EXPECT_EQ(st.compaction_bytes_written, per_level_written)
      << "per-level compaction_bytes_written must count compactions only (flush_bytes_written "
      << st.flush_bytes_written << ")";
  EXPECT_EQ(options_.write_buffer_size, st.memtable_limit);
  EXPECT_EQ(static_cast<uint64_t>(options_.l0_compaction_trigger), st.l0_compaction_trigger);
  EXPECT_EQ(static_cast<uint64_t>(options_.l0_slowdown_writes_trigger), st.l0_slowdown_trigger);
  EXPECT_EQ(static_cast<uint64_t>(options_.l0_stop_writes_trigger), st.l0_stop_trigger);
  EXPECT_EQ(static_cast<uint64_t>(options_.max_wal_segments_per_memtable), st.wal_segment_limit);
}

TEST_P(DBCompactionTest, ZlibLevelsStoreCompressibleValuesSmallerThanUncompressedLevels) {
  // Bytes on disk per raw key+value byte after a full compaction.
  auto stored_ratio = [&](std::vector<Compression> per_level) -> double {
    options_.compression_per_level = per_level;
    DestroyAndReopen();
    Model model;
    for (int i = 0; i < 2000; i++) {
      std::string v(300, static_cast<char>('a' + i % 3));
      EXPECT_TRUE(Put(Key(i), v).ok());
      model[Key(i)] = v;
    }
    EXPECT_TRUE(db_->CompactRange(nullptr, nullptr).ok());
    CheckMatches(model);
    Stats st = GetStats();
    uint64_t size = 0, raw = 0;
    for (const auto& l : st.levels) {
      for (const auto& t : l.tables) {
        size += t.size;
        raw += t.raw_key_bytes + t.raw_value_bytes;
      }
    }
    EXPECT_GT(raw, 0u);
    return raw == 0 ? 0 : static_cast<double>(size) / static_cast<double>(raw);
  };
  double none = stored_ratio({Compression::kNone});
  double zlib = stored_ratio({Compression::kNone, Compression::kZlib});
  EXPECT_GT(none, 0.9) << "tables without compression are smaller than their data";
  EXPECT_LT(zlib, 0.25) << "zlib levels are not compressed";
}

TEST_P(DBCompactionTest, BloomFiltersAnswerMostLookupsOfMissingKeys) {
  Open();
  FillRange(0, 2000, 0, 100);
  STRATA_ASSERT_OK(db_->CompactRange(nullptr, nullptr));
  Stats before = GetStats();
  for (int i = 0; i < 1000; i++) ASSERT_EQ("NOT_FOUND", Get(Key(i) + "x"));
  Stats after = GetStats();
  uint64_t checks = after.bloom_checks - before.bloom_checks;
  uint64_t useful = after.bloom_useful - before.bloom_useful;
  // Every lookup inside a table's key range checks its filter (a few fall
  // between two tables' ranges); about 1% are false positives.
  EXPECT_GE(checks, 990u);
  EXPECT_GE(useful * 10, checks * 9) << useful << " of " << checks << " checks were useful";
  EXPECT_EQ(after.gets - before.gets, 1000u);
  EXPECT_EQ(after.get_hits, before.get_hits);
  for (int i = 0; i < 100; i++) ASSERT_EQ(ValueFor(5, 0), Get(Key(5)));
  EXPECT_GT(GetStats().block_cache_hits, after.block_cache_hits);
}

TEST_P(DBCompactionTest, TablesWithoutBloomFiltersAreNeverChecked) {
  options_.bloom_bits_per_key = 0;
  Open();
  FillRange(0, 500, 0, 100);
  STRATA_ASSERT_OK(db_->CompactRange(nullptr, nullptr));
  for (int i = 0; i < 200; i++) ASSERT_EQ("NOT_FOUND", Get(Key(i) + "x"));
  EXPECT_EQ(0u, GetStats().bloom_checks);
  for (const auto& l : GetStats().levels)
    for (const auto& t : l.tables) EXPECT_EQ(0, t.bloom_bits_per_key);
}

// An executor that runs every job on its own thread and reports from there.
class ThreadedExecutor : public CompactionExecutor {
 public:
  ~ThreadedExecutor() override {
    std::lock_guard<std::mutex> l(mu_);
    for (auto& t : threads_) t.join();
  }
  void Execute(const CompactionJob& job, Env* env, FileNumberAllocator allocate_number,
               std::function<void(CompactionResult)> done) override {
    jobs_++;
    std::lock_guard<std::mutex> l(mu_);
    threads_.emplace_back(
        [job, env, allocate_number, done] { done(RunCompactionJob(job, env, allocate_number)); });
  }
  std::atomic<int> jobs_{0};

 private:
  std::mutex mu_;
  std::vector<std::thread> threads_;
};

// An executor that runs the job inline, before Execute returns.
class InlineCountingExecutor : public CompactionExecutor {
 public:
  void Execute(const CompactionJob& job, Env* env, FileNumberAllocator allocate_number,
               std::function<void(CompactionResult)> done) override {
    jobs_++;
    EXPECT_FALSE(job.inputs.empty());
    EXPECT_FALSE(job.output_dir.empty());
    done(RunCompactionJob(job, env, allocate_number));
  }
  std::atomic<int> jobs_{0};
};

TEST_P(DBCompactionTest, CompactionJobsRunOnAnExecutorThatAnswersFromAnotherThread) {
  auto executor = std::make_shared<ThreadedExecutor>();
  options_.compaction_executor = executor;
  busy_ok_ = !options_.background_thread;
  Open();
  Model model;
  RandomWorkload(8000, 8, &model);
  DrainPendingWork();
  STRATA_ASSERT_OK(Retry([&] { return db_->CompactRange(nullptr, nullptr); }));
  DrainPendingWork();
  printf("%d operations answered Busy and were retried\n", busy_answers_);
  EXPECT_GT(executor->jobs_.load(), 0);
  CheckMatches(model);
  Close();
}

// Holds the job it is given until RunHeld() runs it and answers, as the
// browser's compaction worker does between two calls into the engine.
class DeferringExecutor final : public CompactionExecutor {
 public:
  void Execute(const CompactionJob& job, Env* env, FileNumberAllocator allocate_number,
               std::function<void(CompactionResult)> done) override {
    job_ = job;
    env_ = env;
    allocate_ = std::move(allocate_number);
    done_ = std::move(done);
  }
  bool holding() const { return done_ != nullptr; }
  void RunHeld() {
    auto done = std::move(done_);
    done_ = nullptr;
    done(RunCompactionJob(job_, env_, allocate_));
  }

 private:
  CompactionJob job_;
  Env* env_ = nullptr;
  FileNumberAllocator allocate_;
  std::function<void(CompactionResult)> done_;
};

// CompactRange called while an automatic compaction is out (Busy), which
// then, with the steps after it, moves the data deeper than CompactRange
// saw it (L0 only): the next call still ends with the range in one level.
TEST_F(DBTestBase, CompactRangeGoesThroughDataMovedDeeperWhileItWaited) {
  auto executor = std::make_shared<DeferringExecutor>();
  UseSmallBuffers();
  options_.background_thread = false;
  options_.compaction_executor = executor;
  Open();
  Model model;
  for (int round = 0; round < options_.l0_compaction_trigger; round++) {
    FillRange(round * 150, round * 150 + 180, round, 250, &model);  // one table each, overlapping
    STRATA_ASSERT_OK(db_->Flush());
  }
  while (!executor->holding() && db_->HasPendingWork()) STRATA_ASSERT_OK(db_->RunPendingWork());
  ASSERT_TRUE(executor->holding()) << "an automatic compaction of L0 is out";
  ASSERT_EQ(0, NumTableFilesAtLevel(1));
  EXPECT_TRUE(db_->CompactRange(nullptr, nullptr).IsBusy());

  // The job and every automatic step after it: L1 outgrows its 128 KiB.
  while (executor->holding() || db_->HasPendingWork()) {
    if (executor->holding()) executor->RunHeld();
    STRATA_ASSERT_OK(db_->RunPendingWork());
  }
  ASSERT_GT(NumTableFilesAtLevel(2), 0) << "the setup needs data below L1";

  Status s;
  while ((s = db_->CompactRange(nullptr, nullptr)).IsBusy()) executor->RunHeld();
  STRATA_ASSERT_OK(s);
  int levels_with_tables = 0;
  for (const auto& level : GetStats().levels) levels_with_tables += level.files > 0;
  EXPECT_EQ(1, levels_with_tables) << "the whole range in one level";
  CheckMatches(model);
}

// An automatic compaction of L0 made while a snapshot was held, still out
// when a CompactRange after the release planned its passes, lands the
// range (with the versions the snapshot kept) in L1, one level below the
// deepest the call saw (L0): the call must still go through L1, or a full
// compaction leaves shadowed versions behind.
TEST_F(DBTestBase, CompactRangeRewritesVersionsAJobOutUnderASnapshotLandedBelowIt) {
  auto executor = std::make_shared<DeferringExecutor>();
  UseSmallBuffers();
  options_.compression_per_level = {Compression::kNone};
  options_.background_thread = false;
  options_.compaction_executor = executor;
  Open();
  constexpr int kKeys = 300;
  FillRange(0, kKeys, 0, 100);
  STRATA_ASSERT_OK(db_->Flush());
  const Snapshot* snap = db_->GetSnapshot();
  Model model;
  const int pieces = options_.l0_compaction_trigger - 1;  // with the first: enough L0 tables for a compaction
  for (int p = 0; p < pieces; p++) {
    FillRange(p * kKeys / pieces, (p + 1) * kKeys / pieces, 1, 100, &model);
    STRATA_ASSERT_OK(db_->Flush());
  }
  while (!executor->holding() && db_->HasPendingWork()) STRATA_ASSERT_OK(db_->RunPendingWork());
  ASSERT_TRUE(executor->holding()) << "the setup needs an automatic compaction of L0 out";
  db_->ReleaseSnapshot(snap);

  EXPECT_TRUE(db_->CompactRange(nullptr, nullptr).IsBusy());  // plans its passes, then waits for the job
  executor->RunHeld();
  ASSERT_GT(NumTableFilesAtLevel(1), 0) << "the job landed the range in L1";
  ASSERT_EQ(2u * kKeys, TotalEntries(GetStats())) << "with both versions";
  Status s;
  while ((s = db_->CompactRange(nullptr, nullptr)).IsBusy()) executor->RunHeld();
  STRATA_ASSERT_OK(s);
  EXPECT_EQ(static_cast<uint64_t>(kKeys), TotalEntries(GetStats())) << "shadowed versions survived";
  CheckMatches(model);
}

// CompactRange's last pass goes out to the executor (Busy); between that
// call and the next, automatic steps move part of what it wrote deeper (its
// level is over-full). The next call follows the data there: the range
// still ends in one level.
TEST_F(DBTestBase, CompactRangeFollowsWhatAutomaticStepsMovedAfterItsLastPass) {
  auto executor = std::make_shared<DeferringExecutor>();
  UseSmallBuffers(16 * 1024);
  options_.target_file_size = 4 * 1024;
  options_.max_bytes_for_level_base = 16 * 1024;  // L1 cannot hold what the pass writes there
  options_.level_size_multiplier = 2;
  options_.compression_per_level = {Compression::kNone};
  options_.background_thread = false;
  options_.compaction_executor = executor;
  Open();
  Model model;
  FillRange(0, 500, 0, 100, &model);
  STRATA_ASSERT_OK(db_->Flush());
  ASSERT_GT(NumTableFilesAtLevel(0), 0);
  for (int level = 1; level < static_cast<int>(GetStats().levels.size()); level++) {
    ASSERT_EQ(0, NumTableFilesAtLevel(level)) << "the setup needs the range in L0 only";
  }
  ASSERT_TRUE(db_->CompactRange(nullptr, nullptr).IsBusy());  // the last pass, L0 into L1, is out
  executor->RunHeld();
  while (db_->HasPendingWork() || executor->holding()) {  // L1 is over-full: tables move down
    if (executor->holding()) executor->RunHeld();
    STRATA_ASSERT_OK(db_->RunPendingWork());
  }
  int levels_with_tables = 0;
  for (const auto& level : GetStats().levels) levels_with_tables += level.files > 0;
  ASSERT_GT(levels_with_tables, 1) << "the setup needs the range spread over levels again";
  Status s;
  while ((s = db_->CompactRange(nullptr, nullptr)).IsBusy()) executor->RunHeld();
  STRATA_ASSERT_OK(s);
  levels_with_tables = 0;
  for (const auto& level : GetStats().levels) levels_with_tables += level.files > 0;
  EXPECT_EQ(1, levels_with_tables) << "the whole range in one level";
  CheckMatches(model);
}

// Levels small enough for a few hundred KB to reach the last one.
class TinyLevelsTest : public DBTestBase {
 protected:
  // Opens the database and writes the same 5,000 keys four times (~600 KB,
  // more than L1 - L5 hold): versions of them on every level.
  void OpenWithEveryLevelFilled(Model* model) {
    UseSmallBuffers(16 * 1024);
    options_.target_file_size = 4 * 1024;
    options_.max_bytes_for_level_base = 16 * 1024;  // L1 16 KiB, L2 32 KiB, ... L5 256 KiB
    options_.level_size_multiplier = 2;
    options_.compression_per_level = {Compression::kNone};
    options_.background_thread = false;
    Open();
    for (int round = 0; round < 4; round++) {
      FillRange(0, 5000, round, 100, model);
      DrainPendingWork();
    }
  }
};

// No pass compacts from the last level (data there has nowhere further to
// go), so when the range lies in the last two levels, the pass into the
// last one must still be made: it holds older versions of the keys above.
TEST_F(TinyLevelsTest, AFullCompactionReachesTheLastLevelWhereItHoldsPartOfTheRange) {
  Model model;
  OpenWithEveryLevelFilled(&model);
  Stats st = GetStats();
  const int last = static_cast<int>(st.levels.size()) - 1;
  ASSERT_GT(FilesAtLevel(st, last), 0u) << "the setup needs data in the last level";
  ASSERT_GT(FilesAtLevel(st, last - 1), 0u) << "and in the one above it";
  STRATA_ASSERT_OK(db_->CompactRange(nullptr, nullptr));
  st = GetStats();
  int levels_with_tables = 0;
  for (const auto& level : st.levels) levels_with_tables += level.files > 0;
  EXPECT_EQ(1, levels_with_tables) << "the whole range in one level";
  EXPECT_EQ(model.size(), TotalEntries(st)) << "shadowed versions survived a full compaction";
  CheckMatches(model);
}

// The last level holds the whole range (after a full compaction), newer
// versions of part of it sit in L0 and every level between is empty: a
// compaction of that part takes it down into the last level, through the
// empty levels, and leaves no shadowed version there.
TEST_F(TinyLevelsTest, CompactRangeGoesDownIntoTheLastLevelThroughEmptyLevels) {
  Model model;
  OpenWithEveryLevelFilled(&model);
  STRATA_ASSERT_OK(db_->CompactRange(nullptr, nullptr));
  Stats st = GetStats();
  const int last = static_cast<int>(st.levels.size()) - 1;
  ASSERT_EQ(st.levels[last].files, TotalTableFiles(st)) << "the setup needs everything in the last level";

  FillRange(1000, 1100, /*version=*/9, 100, &model);  // newer versions of part of it
  for (int i = 1100; i < 1150; i++) {
    STRATA_ASSERT_OK(Delete(Key(i)));
    model.erase(Key(i));
  }
  STRATA_ASSERT_OK(db_->Flush());
  st = GetStats();
  ASSERT_GT(FilesAtLevel(st, 0), 0u);
  for (int level = 1; level < last; level++) ASSERT_EQ(0u, FilesAtLevel(st, level)) << "L" << level;

  const std::string begin = Key(1000), end = Key(1149);
  const Slice b(begin), e(end);
  STRATA_ASSERT_OK(db_->CompactRange(&b, &e));
  st = GetStats();
  EXPECT_EQ(st.levels[last].files, TotalTableFiles(st)) << "part of the range stayed above the last level";
  EXPECT_EQ(model.size(), TotalEntries(st)) << "shadowed versions or tombstones survived";
  CheckMatches(model);
}

// Records the order in which compactions begin and end, with their reasons.
class CompactionOrderListener final : public EventListener {
 public:
  struct Event {
    CompactionReason reason;
    bool begin;
  };
  void OnCompactionBegin(const CompactionInfo& i) override { Add({i.reason, true}); }
  void OnCompactionEnd(const CompactionInfo& i) override { Add({i.reason, false}); }
  std::vector<Event> events() {
    std::lock_guard<std::mutex> lock(mu_);
    return events_;
  }

 private:
  void Add(Event e) {
    std::lock_guard<std::mutex> lock(mu_);
    events_.push_back(e);
  }
  std::mutex mu_;
  std::vector<Event> events_;
};

// While a CompactRange call runs, no automatic compaction starts between
// its steps, though writes fill L0 meanwhile and the executor answers from
// its own threads (as the default one does): an automatic compaction could
// move part of the range where the call no longer looks.
TEST_F(DBTestBase, NoAutomaticCompactionStartsBetweenTheStepsOfACompactRange) {
  auto order = std::make_shared<CompactionOrderListener>();
  UseSmallBuffers();
  options_.listeners.push_back(order);
  options_.compaction_executor = std::make_shared<ThreadedExecutor>();
  Open();
  for (int round = 0; round < 4; round++) FillRange(0, 3000, round, 100);
  DrainPendingWork();
  std::atomic<bool> stop{false};
  Status writer_status;
  std::thread writer([&] {
    for (int i = 0; !stop && writer_status.ok(); i++) {
      writer_status = db_->Put(WriteOptions(), Key(i % 3000), ValueFor(i, 9, 100));
    }
  });
  Status s = db_->CompactRange(nullptr, nullptr);
  stop = true;
  writer.join();
  STRATA_ASSERT_OK(s);
  STRATA_ASSERT_OK(writer_status);

  const auto events = order->events();
  size_t first = events.size(), last = 0, manual_jobs = 0;
  for (size_t i = 0; i < events.size(); i++) {
    if (events[i].reason != CompactionReason::kManual) continue;
    if (events[i].begin) manual_jobs++;
    first = std::min(first, i);
    last = i;
  }
  ASSERT_GE(manual_jobs, 2u) << "the range spans several levels";
  for (size_t i = first; i < last; i++) {
    EXPECT_FALSE(events[i].begin && events[i].reason != CompactionReason::kManual)
        << "an automatic compaction began between two steps of CompactRange (event " << i << ")";
  }
}

// Records the compactions that begin.
class CompactionBeginListener final : public EventListener {
 public:
  void OnCompactionBegin(const CompactionInfo& i) override {
    std::lock_guard<std::mutex> lock(mu_);
    begun_.push_back(i);
  }
  std::vector<CompactionInfo> begun() {
    std::lock_guard<std::mutex> lock(mu_);
    return begun_;
  }

 private:
  std::mutex mu_;
  std::vector<CompactionInfo> begun_;
};

// Below L0 a range's pass goes in jobs of about MaxRangeCompactionBytes of
// the level's tables (10 tables of target_file_size), each starting where
// the last one ended, and the range still ends up in one level with no
// shadowed version left.
TEST_P(DBCompactionTest, CompactRangeGoesThroughALargeLevelInBoundedJobs) {
  auto begun = std::make_shared<CompactionBeginListener>();
  options_.listeners.push_back(begun);
  Model model;
  ASSERT_NO_FATAL_FAILURE(OpenWithALargeL1(&model));
  const uint64_t limit = MaxRangeCompactionBytes(options_);
  STRATA_ASSERT_OK(Retry([&] { return db_->CompactRange(nullptr, nullptr); }));

  std::map<int, int> jobs_per_level;
  std::string previous_largest;
  int previous_level = -1;
  for (const CompactionInfo& job : begun->begun()) {
    if (job.reason != CompactionReason::kManual) continue;
    jobs_per_level[job.level]++;
    if (job.level == 0) continue;
    uint64_t bytes = 0, last = 0;
    std::string smallest, largest;
    for (const TableInfo& t : job.inputs) {
      if (t.level != job.level) continue;
      bytes += t.size, last = t.size;
      if (smallest.empty() || t.smallest_key < smallest) smallest = t.smallest_key;
      if (largest.empty() || t.largest_key > largest) largest = t.largest_key;
    }
    EXPECT_LT(bytes - last, limit) << "a job of L" << job.level << " went on past the bound";
    if (job.level == previous_level) {
      EXPECT_GT(smallest, previous_largest)
          << "a job of L" << job.level << " did not start after the last one";
    }
    previous_level = job.level, previous_largest = largest;
  }
  int levels_in_parts = 0;
  for (const auto& [level, jobs] : jobs_per_level) levels_in_parts += level > 0 && jobs >= 2;
  EXPECT_GT(levels_in_parts, 0) << "no level's pass went in parts";

  Stats st = GetStats();
  ASSERT_NO_FATAL_FAILURE(CheckLevelInvariants(st));
  EXPECT_EQ(1, LevelsWithTables(st)) << "the whole range in one level";
  EXPECT_EQ(model.size(), TotalEntries(st)) << "shadowed versions survived a full compaction";
  CheckMatches(model);
  Reopen();
  CheckMatches(model);
}

// With max_jobs, CompactRange runs at most that many jobs a call and says
// whether it finished; each next call with the same range and resume goes
// on where the last one stopped, without flushing what was written between
// the calls, and the last leaves the range as one call would have. A call
// without resume starts over. A negative max_jobs is refused.
TEST_P(DBCompactionTest, CompactRangeInCallsOfOneJobGoesOnWhereTheLastCallStopped) {
  auto begun = std::make_shared<CompactionBeginListener>();
  options_.listeners.push_back(begun);
  Model model;
  ASSERT_NO_FATAL_FAILURE(OpenWithALargeL1(&model));
  const auto manual_jobs = [&] {
    size_t n = 0;
    for (const CompactionInfo& job : begun->begun()) n += job.reason == CompactionReason::kManual;
    return n;
  };

  CompactRangeOptions one_job;
  one_job.max_jobs = -1;
  bool finished = true;
  EXPECT_TRUE(db_->CompactRange(one_job, nullptr, nullptr, &finished).IsInvalidArgument());
  EXPECT_FALSE(finished);
  EXPECT_EQ(0u, manual_jobs());
  one_job.max_jobs = 1;
  int calls = 0;
  uint64_t flushes_after_first_call = 0;
  while (!finished) {
    ASSERT_LT(calls, 1000) << "the calls never finish";
    const size_t jobs_before = manual_jobs();
    one_job.resume = calls > 0;
    STRATA_ASSERT_OK(db_->CompactRange(one_job, nullptr, nullptr, &finished));
    EXPECT_LE(manual_jobs() - jobs_before, 1u) << "call " << calls << " ran more than one job";
    if (calls++ == 0) flushes_after_first_call = GetStats().flushes;
    // A write between the calls stays in the memtable.
    const std::string key = Key(100000 + calls), value = ValueFor(100000 + calls, 0, 100);
    STRATA_ASSERT_OK(Put(key, value));
    model[key] = value;
  }
  EXPECT_GE(calls, 4) << "the setup needs the compaction in several jobs";
  EXPECT_GE(manual_jobs(), static_cast<size_t>(calls - 1)) << "a call stopped before its job";
  Stats st = GetStats();
  EXPECT_EQ(flushes_after_first_call, st.flushes) << "a call going on with the range flushed";
  ASSERT_NO_FATAL_FAILURE(CheckLevelInvariants(st));
  EXPECT_EQ(1, LevelsWithTables(st)) << "the whole range in one level";
  EXPECT_EQ(model.size() - static_cast<size_t>(calls), TotalEntries(st))
      << "shadowed versions survived, or the writes between the calls were flushed";
  CheckMatches(model);

  // Stopped after one job, then called without resume: it starts over,
  // flushing what the memtable holds, and compacts that too.
  FillRange(0, 2000, 3, 100, &model);
  one_job.resume = false;
  STRATA_ASSERT_OK(db_->CompactRange(one_job, nullptr, nullptr, &finished));
  ASSERT_FALSE(finished) << "the setup needs a compaction of several jobs";
  const uint64_t flushes = GetStats().flushes;
  STRATA_ASSERT_OK(db_->Put(WriteOptions(), "written-after", "x"));
  model["written-after"] = "x";
  STRATA_ASSERT_OK(db_->CompactRange(CompactRangeOptions(), nullptr, nullptr, &finished));
  EXPECT_TRUE(finished);
  st = GetStats();
  EXPECT_EQ(flushes + 1, st.flushes) << "the call without resume did not flush";
  EXPECT_EQ(1, LevelsWithTables(st)) << "the whole range in one level";
  EXPECT_EQ(model.size(), TotalEntries(st));
  CheckMatches(model);
  Reopen();
  CheckMatches(model);
}

// A pass going in jobs answers Busy between them (the browser's case), and
// the automatic steps its caller runs meanwhile take tables of the pass's
// level (over its target) down. Those must be rewritten as the pass's own
// are, not moved down whole, or a full compaction leaves behind what the
// pass would have dropped: here the versions a released snapshot kept.
// And while the snapshot is held, the outputs a pass in jobs has already
// written below it do not send the call a level deeper.
TEST_F(DBTestBase, CompactRangeInJobsLeavesNothingToTheAutomaticStepsBetweenThem) {
  auto begun = std::make_shared<CompactionBeginListener>();
  auto executor = std::make_shared<DeferringExecutor>();
  UseSmallBuffers(4 << 20);  // one memtable holds each version of the keys
  options_.target_file_size = 4 * 1024;
  options_.max_bytes_for_level_base = 16 * 1024;
  options_.compression_per_level = {Compression::kNone};
  options_.background_thread = false;
  options_.compaction_executor = executor;
  options_.listeners.push_back(begun);
  Open();
  Model model;
  FillRange(0, 1000, 0, 100);
  STRATA_ASSERT_OK(db_->Flush());
  const Snapshot* snapshot = db_->GetSnapshot();
  FillRange(0, 1000, 1, 100, &model);
  STRATA_ASSERT_OK(db_->Flush());

  // L0 into L1 with both versions; then, the snapshot still held, L1 (its
  // tables hold what the snapshot keeps) into L2, in jobs.
  Status s;
  while ((s = db_->CompactRange(nullptr, nullptr)).IsBusy()) executor->RunHeld();
  STRATA_ASSERT_OK(s);
  ASSERT_GT(GetStats().levels[1].bytes, 2 * MaxRangeCompactionBytes(options_))
      << "the setup needs a large L1";
  const size_t first_call_jobs = begun->begun().size();
  while ((s = db_->CompactRange(nullptr, nullptr)).IsBusy()) executor->RunHeld();
  STRATA_ASSERT_OK(s);
  auto jobs = begun->begun();
  ASSERT_GT(jobs.size(), first_call_jobs + 1) << "the setup needs L1's pass in jobs";
  for (size_t i = first_call_jobs; i < jobs.size(); i++) {
    EXPECT_EQ(1, jobs[i].level) << "the call went on below the level its last pass wrote";
  }
  ASSERT_EQ(2000u, TotalEntries(GetStats())) << "the setup needs both versions kept";

  db_->ReleaseSnapshot(snapshot);
  const size_t jobs_before = begun->begun().size();
  while ((s = db_->CompactRange(nullptr, nullptr)).IsBusy()) {
    executor->RunHeld();
    if (db_->HasPendingWork()) STRATA_ASSERT_OK(db_->RunPendingWork());  // as a caller's background driver
  }
  STRATA_ASSERT_OK(s);
  int automatic = 0;
  jobs = begun->begun();
  for (size_t i = jobs_before; i < jobs.size(); i++) automatic += jobs[i].reason != CompactionReason::kManual;
  EXPECT_GT(automatic, 0) << "the setup needs automatic steps between the jobs";
  Stats st = GetStats();
  EXPECT_EQ(model.size(), TotalEntries(st)) << "shadowed versions survived a full compaction";
  int levels_with_tables = 0;
  for (const auto& level : st.levels) levels_with_tables += level.files > 0;
  EXPECT_EQ(1, levels_with_tables) << "the whole range in one level";
  CheckMatches(model);
}

// Calls of CompactRange from several threads, over different ranges, with
// writes going on: each call runs alone (a call replacing the state of
// another under way once left that one reading state that was gone), and
// every call and write succeeds with nothing lost.
TEST_F(DBTestBase, ConcurrentCompactRangeCallsOverDifferentRangesEachFinish) {
  UseSmallBuffers();
  options_.compaction_executor = std::make_shared<ThreadedExecutor>();
  Open();
  FillRange(0, 4000, 0, 100);
  std::atomic<bool> stop{false};
  Status writer_status;
  std::thread writer([&] {
    for (int i = 0; !stop && writer_status.ok(); i++) {
      writer_status = db_->Put(WriteOptions(), Key(i % 4000), ValueFor(i % 4000, 1, 100));
    }
  });
  std::vector<std::thread> callers;
  std::vector<Status> results(3);
  for (int t = 0; t < 3; t++) {
    callers.emplace_back([&, t] {
      const std::string b = Key(t * 1000), e = Key(t * 1000 + 1500);
      const Slice begin(b), end(e);
      for (int round = 0; round < 15 && results[t].ok(); round++)
        results[t] = db_->CompactRange(&begin, &end);
    });
  }
  for (auto& c : callers) c.join();
  stop = true;
  writer.join();
  STRATA_ASSERT_OK(writer_status);
  for (const Status& r : results) STRATA_ASSERT_OK(r);
  Stats st = GetStats();
  ASSERT_NO_FATAL_FAILURE(CheckLevelInvariants(st));
  for (int i = 0; i < 4000; i++) ASSERT_FALSE(Get(Key(i)).empty()) << Key(i);
}

TEST_P(DBCompactionTest, CompactionJobsRunOnAnExecutorThatAnswersInline) {
  auto executor = std::make_shared<InlineCountingExecutor>();
  options_.compaction_executor = executor;
  Open();
  Model model;
  RandomWorkload(8000, 9, &model);
  DrainPendingWork();
  STRATA_ASSERT_OK(db_->CompactRange(nullptr, nullptr));
  EXPECT_GT(executor->jobs_.load(), 0);
  CheckMatches(model);
}

// Seek compaction: two L0 tables over one key range (odd keys, then even
// ones), below every L0 trigger, so that only reads can get them compacted.
class SeekCompactionTest : public DBCompactionTest {
 protected:
  void OpenWithTwoOverlappingTables(int keys) {
    options_.l0_compaction_trigger = 8;  // two L0 tables score 0.25
    options_.l0_slowdown_writes_trigger = 8;
    options_.l0_stop_writes_trigger = 12;
    options_.listeners.push_back(order_);
    Open();
    FlushOverlappingPair(0, keys);
    DrainPendingWork();
    ASSERT_EQ(2u, FilesAtLevel(GetStats(), 0));
  }

  // Two L0 tables over keys [from, from + keys): the odd ones, then the even.
  void FlushOverlappingPair(int from, int keys) {
    for (int first : {1, 0}) {
      for (int i = from + first; i < from + keys; i += 2) FillRange(i, i + 1, 0, 100, &model_);
      STRATA_ASSERT_OK(db_->Flush());
    }
  }

  // n lookups of odd keys of the pair at `from` (of 200 keys): each reads
  // the newer table (even keys), then finds the key in the older, charging
  // the newer (the last odd key is past the newer's range: not used).
  void ReadPastNewerTable(int from, uint64_t n) {
    for (uint64_t i = 0; i < n; i++) {
      const std::string k = Key(from + static_cast<int>(2 * (i % 99) + 1));
      std::string v;
      STRATA_ASSERT_OK(db_->Get(ReadOptions(), k, &v));
      ASSERT_EQ(model_[k], v);
    }
  }

  uint64_t NewestL0TableAllowance() {
    const Stats stats = GetStats();
    uint64_t size = 0;
    for (const auto& t : stats.levels[0].tables) size = std::max<uint64_t>(size, t.size);
    return SeekCounter::AllowedSeeks(size);
  }

  int SeekCompactionsBegun() {
    int n = 0;
    for (const auto& e : order_->events()) n += e.begin && e.reason == CompactionReason::kSeeks ? 1 : 0;
    return n;
  }

  // Until the first compaction has begun and ended (or 30 s).
  void WaitForACompaction() {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (order_->events().size() < 2 && std::chrono::steady_clock::now() < deadline) {
      if (!options_.background_thread && db_->HasPendingWork()) STRATA_ASSERT_OK(db_->RunPendingWork());
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }

  // One seek compaction ran, and the tables are below L0 with the data intact.
  void ExpectOneSeekCompaction() {
    const auto events = order_->events();
    ASSERT_EQ(2u, events.size());
    EXPECT_EQ(CompactionReason::kSeeks, events[0].reason);
    EXPECT_TRUE(events[0].begin);
    EXPECT_FALSE(events[1].begin);
    DrainPendingWork();
    const Stats after = GetStats();
    EXPECT_EQ(0u, FilesAtLevel(after, 0));
    EXPECT_GE(FilesAtLevel(after, 1), 1u);
    CheckLevelInvariants(after);
    CheckMatches(model_);
  }

  std::shared_ptr<CompactionOrderListener> order_ = std::make_shared<CompactionOrderListener>();
  Model model_;
};

// A read-mostly database: lookups that keep reading past an L0 table (the
// key is in an older one under the same range) use up the table's seeks,
// and it is compacted into L1 though no level's score reaches 1.
TEST_P(SeekCompactionTest, LookupsThatKeepReadingPastATableGetItCompacted) {
  OpenWithTwoOverlappingTables(200);
  const uint64_t newer_size = GetStats().levels[0].tables.front().size;
  const uint64_t allowed = SeekCounter::AllowedSeeks(newer_size);
  // Each lookup of an odd key reads the newer table, then finds it in the
  // older: the newer is charged. One short of its allowance: nothing.
  auto get_odd = [&](uint64_t n) {
    const std::string k = Key(static_cast<int>(2 * (n % 100) + 1));
    std::string v;
    STRATA_ASSERT_OK(db_->Get(ReadOptions(), k, &v));
    ASSERT_EQ(model_[k], v);
  };
  for (uint64_t n = 0; n + 1 < allowed; n++) get_odd(n);
  std::this_thread::sleep_for(
      std::chrono::milliseconds(20));  // a background thread would have started by now
  DrainPendingWork();
  EXPECT_EQ(2u, FilesAtLevel(GetStats(), 0));
  EXPECT_TRUE(order_->events().empty());
  // The last seek: the newer table (widened to the L0 tables it overlaps)
  // goes down to L1.
  get_odd(allowed);
  WaitForACompaction();
  ExpectOneSeekCompaction();
}

// Scans charge the tables they read past too (a sample of what they read,
// about one entry per MiB): a database that is only scanned gets the same
// seek compaction.
TEST_P(SeekCompactionTest, ScansThatKeepReadingOverlappingTablesGetThemCompacted) {
  OpenWithTwoOverlappingTables(400);
  // Each full scan reads ~46 KB; 100 samples at ~1 MiB apart take ~2,300.
  int scans = 0;
  for (; scans < 20000 && order_->events().size() < 2; scans++) {
    std::unique_ptr<Iterator> it = db_->NewIterator(ReadOptions());
    size_t entries = 0;
    for (it->SeekToFirst(); it->Valid(); it->Next()) entries++;
    ASSERT_EQ(model_.size(), entries);
    it.reset();
    if (!options_.background_thread && db_->HasPendingWork()) STRATA_ASSERT_OK(db_->RunPendingWork());
  }
  WaitForACompaction();
  EXPECT_GT(scans, 500) << "sampled far more often than once per MiB";
  ExpectOneSeekCompaction();
}

// A table that runs out of seeks while another one waits for its seek
// compaction gets its turn after it (each later lookup past it asks again).
TEST_P(SeekCompactionTest, ATableThatRunsOutWhileAnotherWaitsIsCompactedAfterIt) {
  OpenWithTwoOverlappingTables(200);
  FlushOverlappingPair(1000, 200);
  ASSERT_EQ(4u, FilesAtLevel(GetStats(), 0));
  const uint64_t allowed = NewestL0TableAllowance();
  ReadPastNewerTable(0, allowed);
  ReadPastNewerTable(1000, allowed + 10);  // without threads the first still waits
  DrainPendingWork();
  ReadPastNewerTable(1000, 10);
  DrainPendingWork();
  EXPECT_EQ(2, SeekCompactionsBegun());
  EXPECT_EQ(0u, FilesAtLevel(GetStats(), 0));
  CheckMatches(model_);
}

// A waiting seek compaction whose table another compaction took away gives
// way: the next table that runs out of seeks is compacted.
TEST_P(SeekCompactionTest, ATableCompactedAwayWhileItsSeekCompactionWaitsGivesWay) {
  OpenWithTwoOverlappingTables(200);
  ReadPastNewerTable(0, NewestL0TableAllowance());  // without threads it waits
  STRATA_ASSERT_OK(db_->CompactRange(nullptr, nullptr));
  DrainPendingWork();
  const int before = SeekCompactionsBegun();
  ASSERT_EQ(0u, FilesAtLevel(GetStats(), 0));
  FlushOverlappingPair(1000, 200);
  ReadPastNewerTable(1000, NewestL0TableAllowance());
  DrainPendingWork();
  EXPECT_EQ(before + 1, SeekCompactionsBegun());
  EXPECT_EQ(0u, FilesAtLevel(GetStats(), 0));
  CheckMatches(model_);
}

INSTANTIATE_TEST_SUITE_P(Modes, SeekCompactionTest, ::testing::Values(kBackgroundThread, kNoThreads),
                         ModeName);

INSTANTIATE_TEST_SUITE_P(Modes, DBCompactionTest, ::testing::Values(kBackgroundThread, kNoThreads), ModeName);

// Without a background thread only.
class DBNoThreadsTest : public DBTestBase {
 protected:
  DBNoThreadsTest() {
    UseSmallBuffers();
    options_.background_thread = false;
    Open();
  }
};

TEST_F(DBNoThreadsTest, AFullMemtableWaitsAsPendingWorkUntilRunPendingWork) {
  EXPECT_FALSE(db_->HasPendingWork());
  STRATA_ASSERT_OK(db_->RunPendingWork());  // nothing to do is fine
  int n = 0;
  while (!db_->HasPendingWork()) {
    STRATA_ASSERT_OK(Put(Key(n), ValueFor(n, 0, 200)));
    ASSERT_LT(++n, 10000) << "a full memtable never became pending work";
  }
  Stats st = GetStats();
  EXPECT_TRUE(st.immutable_memtable);
  EXPECT_EQ(0u, st.flushes) << "flushed without being asked";
  STRATA_ASSERT_OK(db_->RunPendingWork());
  st = GetStats();
  EXPECT_EQ(1u, st.flushes);
  EXPECT_FALSE(st.immutable_memtable);
  EXPECT_EQ(1, CountTableFiles());
  for (int i = 0; i < n; i++) ASSERT_EQ(ValueFor(i, 0, 200), Get(Key(i)));
}

TEST_F(DBNoThreadsTest, RunPendingWorkUntilNothingIsPendingLeavesNoLevelWantingCompaction) {
  Model model;
  Rng rng(10);
  for (int n = 0; n < 15000; n++) {
    int i = static_cast<int>(Uniform(rng, 8000));
    std::string v = ValueFor(i, n, 150);
    STRATA_ASSERT_OK(Put(Key(i), v));
    model[Key(i)] = v;
  }
  int steps = 0;
  while (db_->HasPendingWork()) {
    STRATA_ASSERT_OK(db_->RunPendingWork());
    ASSERT_LT(++steps, 10000);
  }
  EXPECT_GT(steps, 0);
  Stats st = GetStats();
  ASSERT_NO_FATAL_FAILURE(CheckLevelInvariants(st));
  EXPECT_LT(FilesAtLevel(st, 0), static_cast<uint64_t>(options_.l0_compaction_trigger));
  for (const auto& l : st.levels) EXPECT_LT(l.score, 1.0) << "L" << l.level;
  EXPECT_GT(TableFilesBelowL0(st), 0u);
  CheckMatches(model);
}

}  // namespace
}  // namespace dbtest
}  // namespace strata
