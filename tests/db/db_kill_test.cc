// The kill test: a child process runs a write-heavy workload of single
// writes and multi-key batches on a real directory, all synced or all
// unsynced, and reports every acknowledged batch through a pipe; the parent
// SIGKILLs it at a random moment, reopens the database and checks that
// every acknowledged batch is there in full and that no batch is partly
// applied. A process crash must lose no acknowledged write in either mode:
// an unsynced write is in the operating system before it returns (db.h).
//
// STRATA_KILL_ROUNDS sets the number of kills (default 10); STRATA_SEED the
// seed of the kill times.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "db/db_test_util.h"

namespace strata {
namespace dbtest {
namespace {

constexpr size_t kKillValueLen = 1000;

// Batch id: every sixth a single synced Put, the others a synced batch
// (see MakeBatch). Either way the keys "b<id>.*" name the id.
bool IsSinglePut(int id) {
  return id % 6 == 0;
}

void ApplyKillBatch(int id, Model* model) {
  if (IsSinglePut(id)) {
    (*model)[BatchKey(id, 0)] = BatchValue(id, 0, kKillValueLen);
  } else {
    ApplyBatchToModel(id, model, kKillValueLen);
  }
}

Options KillOptions() {
  Options o;
  o.write_buffer_size = 64 * 1024;
  o.target_file_size = 32 * 1024;
  o.max_bytes_for_level_base = 128 * 1024;
  o.block_size = 1024;
  return o;
}

void WriteAll(int fd, const void* buf, size_t n) {
  const char* p = static_cast<const char*>(buf);
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) _exit(4);
    p += w;
    n -= static_cast<size_t>(w);
  }
}

// Runs in the child: no gtest here, and only _exit.
[[noreturn]] void ChildWorkload(const std::string& dir, bool sync, int start, int fd) {
  std::unique_ptr<DB> db;
  Status s = DB::Open(KillOptions(), dir, &db);
  if (!s.ok()) {
    int32_t marker = -1;
    WriteAll(fd, &marker, sizeof(marker));
    _exit(2);
  }
  WriteOptions wo;
  wo.sync = sync;
  for (int id = start;; id++) {
    if (IsSinglePut(id)) {
      s = db->Put(wo, BatchKey(id, 0), BatchValue(id, 0, kKillValueLen));
    } else {
      s = db->Write(wo, MakeBatch(id, kKillValueLen));
    }
    if (!s.ok()) {
      int32_t marker = -1;
      WriteAll(fd, &marker, sizeof(marker));
      _exit(3);
    }
    int32_t acked = id;
    WriteAll(fd, &acked, sizeof(acked));
  }
}

// The parameter: whether the child's writes are synced.
class DBKillTest : public ::testing::TestWithParam<bool> {
 protected:
  DBKillTest() : dir_(NewTempDbPath("kill")) {}
  ~DBKillTest() override { DB::Destroy(KillOptions(), dir_).IgnoreError(); }

  // The newest batch id in the database (-1 if none), after checking that
  // the database holds exactly batches 0..that id.
  int CheckRecovered(const std::string& what) {
    std::unique_ptr<DB> db;
    Status s = DB::Open(KillOptions(), dir_, &db);
    EXPECT_TRUE(s.ok()) << what << ": reopen after kill: " << s.ToString();
    if (!s.ok()) return -2;
    Model got;
    s = ScanAll(db.get(), &got);
    EXPECT_TRUE(s.ok()) << what << ": " << s.ToString();
    // The newest batch's keys are never deleted, so the largest "b..." key
    // names it.
    int k = -1;
    for (auto it = got.rbegin(); it != got.rend(); ++it) {
      if (it->first.size() > 1 && it->first[0] == 'b') {
        k = atoi(it->first.c_str() + 1);
        break;
      }
    }
    for (int id = model_ids_; id <= k; id++) ApplyKillBatch(id, &model_);
    model_ids_ = std::max(model_ids_, k + 1);
    // model_ holds batches 0..model_ids_-1; a shorter prefix is a loss.
    if (k + 1 < model_ids_) {
      ADD_FAILURE() << what << ": database went back from batch " << model_ids_ - 1 << " to " << k;
      return -2;
    }
    EXPECT_TRUE(got == model_) << what << ": not exactly batches 0.." << k << ": "
                               << DescribeDifference(got, model_);
    EXPECT_TRUE(db->Close().ok()) << what;
    return k;
  }

  std::string dir_;
  Model model_;
  int model_ids_ = 0;
};

TEST_P(DBKillTest, SigkillDuringWritesLosesNoAcknowledgedBatchAndHalfAppliesNone) {
  const bool sync = GetParam();
  const int rounds = static_cast<int>(Uint64FromEnv("STRATA_KILL_ROUNDS", 10));
  Rng rng(TestSeed(8086));
  int next = 0;  // first batch id of the next child
  int total_acked = 0, tables_seen = 0;
  for (int round = 0; round < rounds && !HasFailure(); round++) {
    const std::string what = "round " + std::to_string(round);
    int fds[2];
    ASSERT_EQ(0, pipe(fds));
    fflush(stdout);
    pid_t pid = fork();
    ASSERT_GE(pid, 0) << strerror(errno);
    if (pid == 0) {
      close(fds[0]);
      ChildWorkload(dir_, sync, next, fds[1]);
    }
    close(fds[1]);

    // Let it run for a random time, collecting acknowledgements.
    const int run_ms = 5 + static_cast<int>(Uniform(rng, 150));
    std::vector<int32_t> acked;
    std::string pending;
    auto drain = [&](int timeout_ms) {
      auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
      while (true) {
        int left = static_cast<int>(
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now())
                .count());
        if (timeout_ms >= 0 && left <= 0) return;
        pollfd p{fds[0], POLLIN, 0};
        int r = poll(&p, 1, timeout_ms < 0 ? -1 : left);
        if (r <= 0) {
          if (r < 0 && errno == EINTR) continue;
          if (timeout_ms >= 0) return;
        }
        char buf[4096];
        ssize_t n = read(fds[0], buf, sizeof(buf));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;  // EOF: the child is gone
        pending.append(buf, static_cast<size_t>(n));
        while (pending.size() >= 4) {
          int32_t v;
          memcpy(&v, pending.data(), 4);
          acked.push_back(v);
          pending.erase(0, 4);
        }
      }
    };
    drain(run_ms);
    kill(pid, SIGKILL);
    int status = 0;
    ASSERT_EQ(pid, waitpid(pid, &status, 0));
    drain(-1);  // the rest, up to EOF
    close(fds[0]);

    ASSERT_TRUE(std::find(acked.begin(), acked.end(), -1) == acked.end())
        << what << ": the child's Open or a write failed (exit status " << status << ")";
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
        << what << ": the child ended on its own, status " << status;
    for (size_t i = 0; i < acked.size(); i++) {
      ASSERT_EQ(next + static_cast<int>(i), acked[i]) << what << ": acknowledgements out of order";
    }
    const int last_acked = acked.empty() ? next - 1 : acked.back();
    const int k = CheckRecovered(what);
    ASSERT_GE(k, -1) << what;
    ASSERT_GE(k, last_acked) << what << ": batch " << last_acked << " was acknowledged but is missing";
    printf("[ kill     ] %s: killed after %d ms, %zu acknowledged (last %d), recovered through batch %d\n",
           what.c_str(), run_ms, acked.size(), last_acked, k);
    total_acked += static_cast<int>(acked.size());
    next = k + 1;
  }
  // The workload must have been heavy enough to flush (and compact).
  std::unique_ptr<DB> db;
  STRATA_ASSERT_OK(DB::Open(KillOptions(), dir_, &db));
  Stats st = db->GetStats();
  tables_seen = static_cast<int>(TotalTableFiles(st));
  STRATA_ASSERT_OK(db->Close());
  printf("[ kill     ] %d rounds, %d batches acknowledged, %d tables at the end\n", rounds, total_acked,
         tables_seen);
  EXPECT_GT(total_acked, 0) << "no child ever got a write acknowledged";
}

INSTANTIATE_TEST_SUITE_P(WriteModes, DBKillTest, ::testing::Values(true, false),
                         [](const ::testing::TestParamInfo<bool>& info) {
                           return info.param ? "Synced" : "Unsynced";
                         });

}  // namespace
}  // namespace dbtest
}  // namespace strata
