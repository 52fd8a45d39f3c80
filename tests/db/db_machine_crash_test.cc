// The machine-crash test: random workloads (batches synced or not, Sync(),
// Flush(), CompactRange(), background flushes and compactions) on a MemEnv,
// cut by simulated machine crashes at random moments. A crash forgets every
// unsynced byte and every directory change not synced (MemEnv::SimulateCrash),
// so a missing fsync of a file or a directory anywhere in the engine shows
// up here as a lost durable write, a batch applied in part, or an Open that
// fails.
//
// After each crash the database must hold exactly the batches up to some K
// (whole batches, in order), with K at least the last batch acknowledged at
// or before the last durability point the test asked for.
//
// STRATA_MACHINE_CRASH_ROUNDS sets the number of crashes (default 40);
// STRATA_SEED the seed.
#include "db/db_test_util.h"

namespace strata {
namespace dbtest {
namespace {

class DBMachineCrashTest : public DBModeTest {
 protected:
  DBMachineCrashTest() {
    // Tiny buffers, so that flushes and compactions run between crashes.
    UseSmallBuffers(16 * 1024);
    options_.target_file_size = 8 * 1024;
    options_.max_bytes_for_level_base = 32 * 1024;
    // Consolidations often, so crashes catch them half done too.
    options_.wal_consolidation_trigger = 4;
  }
};

// Values of 100 B to 400 B (MakeBatch makes every 7th batch's 8x longer).
size_t ValueLen(int id) {
  return 100 + static_cast<size_t>(id) * 37 % 300;
}

TEST_P(DBMachineCrashTest, CrashesLoseOnlyUnsyncedBatchesAndNeverPartOfOne) {
  const int rounds = static_cast<int>(Uint64FromEnv("STRATA_MACHINE_CRASH_ROUNDS", 40));
  Rng rng(TestSeed(4242));
  Open();
  Model model;   // batches 0..next-1 applied
  int next = 0;  // id of the next batch
  int lost = 0, durability_points = 0;
  for (int round = 0; round < rounds && !HasFailure(); round++) {
    SCOPED_TRACE("round " + std::to_string(round));
    const Model base = model;
    const int first = next;
    int durable = next - 1;  // every batch up to this one must survive
    const int ops = 10 + static_cast<int>(Uniform(rng, 150));
    for (int op = 0; op < ops; op++) {
      const uint64_t r = Uniform(rng, 100);
      if (r < 3) {
        STRATA_ASSERT_OK(db_->Sync());
        durable = next - 1;
      } else if (r < 5) {
        STRATA_ASSERT_OK(db_->Flush());
        durable = next - 1;
      } else if (r < 6) {
        STRATA_ASSERT_OK(db_->CompactRange(nullptr, nullptr));  // flushes first
        durable = next - 1;
      } else {
        const bool sync = OneIn(rng, 8);
        STRATA_ASSERT_OK(Write(MakeBatch(next, ValueLen(next)), sync));
        if (sync) durable = next;
        next++;
      }
      if (r < 6) durability_points++;
      if (!options_.background_thread && db_->HasPendingWork() && OneIn(rng, 2)) {
        STRATA_ASSERT_OK(db_->RunPendingWork());
      }
    }
    Crash();
    Status s = TryOpen();
    ASSERT_TRUE(s.ok()) << "reopen after a crash: " << s.ToString();

    // "last" names the newest surviving batch; the state must be exactly
    // base plus batches first..last, each whole.
    Model got = Contents();
    auto last = got.find("last");
    const int k = last == got.end() ? -1 : atoi(last->second.c_str());
    ASSERT_GE(k, durable) << "batch " << durable << " was durable, but the database holds batches up to "
                          << k;
    ASSERT_GE(k, first - 1);
    ASSERT_LT(k, next);
    Model want = base;
    for (int id = first; id <= k; id++) ApplyBatchToModel(id, &want, ValueLen(id));
    ASSERT_TRUE(got == want) << "not exactly batches up to " << k << ": " << DescribeDifference(got, want);
    ASSERT_NO_FATAL_FAILURE(CheckLevelInvariants(GetStats()));
    lost += next - 1 - k;
    model = std::move(want);
    next = k + 1;
  }
  printf("[ crash    ] %d crashes, %d batches kept, %d unsynced batches lost, %d durability points asked\n",
         rounds, next, lost, durability_points);
}

INSTANTIATE_TEST_SUITE_P(Modes, DBMachineCrashTest,
                         ::testing::Values(kBackgroundThread, kNoThreads, kBackgroundThreadSyncedAppends,
                                           kNoThreadsSyncedAppends),
                         ModeName);

}  // namespace
}  // namespace dbtest
}  // namespace strata
