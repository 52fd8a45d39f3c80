// The randomized model test: a long random sequence of puts, deletes,
// batches, gets, scans, iterations in both directions, snapshots, flushes,
// compactions and reopens, checked step by step against a std::map.
//
// The seed is printed at the start; replay a failure with STRATA_SEED=<seed>.
// STRATA_MODEL_OPS sets the number of operations (default 20000).
#include <deque>

#include "db/db_test_util.h"

namespace strata {
namespace dbtest {
namespace {

struct ModelConfig {
  const char* name;
  bool background_thread;
  bool mem_env;
};
void PrintTo(const ModelConfig& c, std::ostream* os) {
  *os << c.name;
}

class DBModelTest : public DBTestBase, public ::testing::WithParamInterface<ModelConfig> {
 protected:
  static constexpr int kKeys = 1200;

  DBModelTest() : DBTestBase(::testing::WithParamInterface<ModelConfig>::GetParam().mem_env) {
    options_.background_thread = GetParam().background_thread;
    // Without one, flushes written a few KiB a step, as the browser build's.
    if (!options_.background_thread) options_.flush_step_bytes = 2 * 1024;
    // Tiny buffers and tables, so that memtables fill and levels compact
    // on their own between the explicit flushes and compactions.
    UseSmallBuffers(16 * 1024);
    options_.target_file_size = 8 * 1024;
    options_.max_bytes_for_level_base = 32 * 1024;
    options_.block_cache_capacity = 256 * 1024;
    for (int i = 0; i < kKeys; i++) key_space_.push_back(KeyAt(i));
  }

  // Mostly printable keys, every tenth with zero bytes, every tenth with a
  // leading 0xff byte, and the empty key.
  static std::string KeyAt(int i) {
    if (i == 5) return std::string();
    if (i % 10 == 3) {
      std::string k("\0k", 2);
      for (int s = 24; s >= 0; s -= 8) k.push_back(static_cast<char>((i >> s) & 0xff));
      return k;
    }
    if (i % 10 == 7) return "\xff" + Key(i);
    return Key(i);
  }

  std::string PickKey() {
    int i = OneIn(rng_, 3) ? static_cast<int>(Uniform(rng_, 40)) : static_cast<int>(Uniform(rng_, kKeys));
    return key_space_[i];
  }

  std::string PickValue() {
    size_t len;
    uint64_t r = Uniform(rng_, 1000);
    if (r < 3) {
      len = 10000 + Uniform(rng_, 30000);
    } else if (r < 90) {
      len = 200 + Uniform(rng_, 1800);
    } else {
      len = Uniform(rng_, 120);
    }
    std::string v = "#" + std::to_string(op_) + ":";
    v += RandomBytes(rng_, len);
    return v;
  }

  std::string Expected(const Model& m, const std::string& k) {
    auto it = m.find(k);
    return it == m.end() ? "NOT_FOUND" : it->second;
  }

  void Log(const std::string& what) {
    log_.push_back("op " + std::to_string(op_) + ": " + what);
    if (log_.size() > 40) log_.pop_front();
  }

  void ReleaseAll() {
    iter_.reset();
    for (auto& s : snaps_) db_->ReleaseSnapshot(s.first);
    snaps_.clear();
  }

  void CheckScan(const Model& m, const Snapshot* snap) {
    std::string start = OneIn(rng_, 8) ? std::string() : PickSeekTarget(rng_, m, key_space_);
    std::string end = OneIn(rng_, 3) ? std::string() : PickSeekTarget(rng_, m, key_space_);
    size_t limit = OneIn(rng_, 2) ? 0 : Uniform(rng_, 50);
    Log("Scan [" + Printable(start) + ", " + Printable(end) + ") limit " + std::to_string(limit));
    ReadOptions ro;
    ro.snapshot = snap;
    std::vector<std::pair<std::string, std::string>> out;
    Status s = db_->Scan(ro, start, end, limit, &out);
    std::vector<std::pair<std::string, std::string>> want;
    if (end.empty() || start < end) {
      for (auto it = m.lower_bound(start); it != m.end(); ++it) {
        if (!end.empty() && it->first >= end) break;
        if (limit != 0 && want.size() >= limit) break;
        want.emplace_back(it->first, it->second);
      }
    }
    if (!end.empty() && !(start < end)) {
      // An empty or inverted range: empty, or rejected as invalid.
      EXPECT_TRUE(s.ok() || s.IsInvalidArgument()) << s.ToString();
      EXPECT_TRUE(out.empty());
      return;
    }
    ASSERT_TRUE(s.ok()) << s.ToString();
    ASSERT_EQ(want.size(), out.size()) << "scan returned a different number of entries";
    for (size_t i = 0; i < want.size(); i++) {
      ASSERT_EQ(Printable(want[i].first), Printable(out[i].first)) << "scan entry " << i;
      ASSERT_TRUE(want[i].second == out[i].second) << "scan value of " << Printable(want[i].first);
    }
  }

  void Run() {
    const uint64_t seed = TestSeed(20240517);
    const int ops = static_cast<int>(Uint64FromEnv("STRATA_MODEL_OPS", 20000));
    printf("[ model    ] %s: %d operations\n", GetParam().name, ops);
    rng_.seed(seed);
    Open();
    Model model;
    for (op_ = 0; op_ < ops && !HasFailure(); op_++) Step(model);
    if (HasFailure()) {
      printf("[ model    ] FAILED at op %d (seed %llu). Last operations:\n", op_ - 1,
             static_cast<unsigned long long>(seed));
      for (const auto& l : log_) printf("    %s\n", l.c_str());
      return;
    }
    ReleaseAll();
    CheckMatches(model);
    DrainPendingWork();
    ASSERT_NO_FATAL_FAILURE(CheckLevelInvariants(GetStats()));
    CountEngineWork();
    Stats st = GetStats();
    Reopen();
    CheckMatches(model);
    printf(
        "[ model    ] done: %zu live keys, %d reopens, %d flushes asked, %d compactions asked, %d "
        "iterations; "
        "engine: %llu flushes, %llu compactions, %llu tables at the end\n",
        model.size(), reopens_, flushes_, compactions_, iterations_,
        static_cast<unsigned long long>(engine_flushes_),
        static_cast<unsigned long long>(engine_compactions_),
        static_cast<unsigned long long>(TotalTableFiles(st)));
  }

  // One random operation, checked against the model.
  void Step(Model& model) {
    uint64_t r = Uniform(rng_, 1000);
    if (r < 300) {
      std::string k = PickKey(), v = PickValue();
      bool sync = OneIn(rng_, 100);
      Log("Put " + Printable(k) + (sync ? " sync" : ""));
      Status s = Put(k, v, sync);
      ASSERT_TRUE(s.ok()) << s.ToString();
      model[k] = v;
    } else if (r < 400) {
      std::string k = PickKey();
      Log("Delete " + Printable(k));
      STRATA_ASSERT_OK(Delete(k, OneIn(rng_, 100)));
      model.erase(k);
    } else if (r < 470) {
      WriteBatch b;
      Model after = model;
      int n = 1 + static_cast<int>(Uniform(rng_, 20));
      for (int j = 0; j < n; j++) {
        std::string k = PickKey();
        if (OneIn(rng_, 3)) {
          b.Delete(k);
          after.erase(k);
        } else {
          std::string v = PickValue();
          b.Put(k, v);
          after[k] = v;
        }
      }
      Log("Write batch of " + std::to_string(n));
      STRATA_ASSERT_OK(Write(b, OneIn(rng_, 50)));
      model.swap(after);
    } else if (r < 680) {
      std::string k = OneIn(rng_, 10) ? RandomBytes(rng_, 1 + Uniform(rng_, 8)) : PickKey();
      Log("Get " + Printable(k));
      ASSERT_EQ(Printable(Expected(model, k), 60), Printable(Get(k), 60)) << "Get(" << Printable(k) << ")";
    } else if (r < 740) {
      if (snaps_.empty()) return;
      auto& [snap, m] = snaps_[Uniform(rng_, snaps_.size())];
      std::string k = PickKey();
      Log("Get at snapshot " + Printable(k));
      ASSERT_EQ(Printable(Expected(m, k), 60), Printable(Get(k, snap), 60))
          << "Get(" << Printable(k) << ") at a snapshot";
    } else if (r < 760) {
      Log("Iterate");
      iterations_++;
      auto it = db_->NewIterator(ReadOptions());
      if (OneIn(rng_, 3)) {
        CheckFullRange(it.get(), model, rng_, key_space_);
      } else {
        CheckRandomWalk(it.get(), model, rng_, 60, key_space_);
      }
    } else if (r < 770) {
      if (snaps_.empty()) return;
      auto& [snap, m] = snaps_[Uniform(rng_, snaps_.size())];
      Log("Iterate at snapshot");
      ReadOptions ro;
      ro.snapshot = snap;
      auto it = db_->NewIterator(ro);
      if (OneIn(rng_, 2)) {
        CheckFullRange(it.get(), m, rng_, key_space_);
      } else {
        CheckRandomWalk(it.get(), m, rng_, 60, key_space_);
      }
    } else if (r < 790) {
      if (!snaps_.empty() && OneIn(rng_, 3)) {
        auto& [snap, m] = snaps_[Uniform(rng_, snaps_.size())];
        CheckScan(m, snap);
      } else {
        CheckScan(model, nullptr);
      }
    } else if (r < 805) {
      if (snaps_.size() >= 4) return;
      Log("GetSnapshot");
      const Snapshot* s = db_->GetSnapshot();
      ASSERT_NE(nullptr, s);
      snaps_.emplace_back(s, model);
    } else if (r < 820) {
      if (snaps_.empty()) return;
      size_t i = Uniform(rng_, snaps_.size());
      Log("ReleaseSnapshot");
      db_->ReleaseSnapshot(snaps_[i].first);
      snaps_.erase(snaps_.begin() + i);
    } else if (r < 835) {
      // A long-lived iterator: created now, checked (and dropped) later.
      if (iter_ == nullptr) {
        Log("NewIterator (kept)");
        iter_ = db_->NewIterator(ReadOptions());
        iter_model_ = model;
      } else {
        Log("Check kept iterator");
        CheckRandomWalk(iter_.get(), iter_model_, rng_, 80, key_space_);
        if (OneIn(rng_, 2)) iter_.reset();
      }
    } else if (r < 840) {
      Log("Flush");
      flushes_++;
      STRATA_ASSERT_OK(db_->Flush());
    } else if (r < 843) {
      compactions_++;
      if (OneIn(rng_, 3)) {
        Log("CompactRange all");
        STRATA_ASSERT_OK(db_->CompactRange(nullptr, nullptr));
      } else {
        std::string a = PickKey(), b = PickKey();
        if (b < a) std::swap(a, b);
        Slice sa(a), sb(b);
        Log("CompactRange [" + Printable(a) + ", " + Printable(b) + "]");
        STRATA_ASSERT_OK(db_->CompactRange(OneIn(rng_, 4) ? nullptr : &sa, OneIn(rng_, 4) ? nullptr : &sb));
      }
    } else if (r < 844) {
      reopens_++;
      CountEngineWork();
      ReleaseAll();
      if (OneIn(rng_, 2)) {
        Log("Close and reopen");
        Reopen();
      } else {
        Log("Destroy DB object and reopen");
        db_.reset();
        Open();
      }
    } else if (r < 855) {
      Log("Sync");
      STRATA_ASSERT_OK(db_->Sync());
    } else if (r < 900) {
      if (!options_.background_thread && db_->HasPendingWork()) {
        Log("RunPendingWork");
        STRATA_ASSERT_OK(db_->RunPendingWork());
      }
    } else if (r < 905) {
      Log("CheckLevelInvariants");
      ASSERT_NO_FATAL_FAILURE(CheckLevelInvariants(GetStats()));
    } else {
      std::string k = PickKey(), v = PickValue();
      Log("Put " + Printable(k));
      STRATA_ASSERT_OK(Put(k, v));
      model[k] = v;
    }
  }

  // Adds the engine's counters (which restart at each Open) to the totals.
  void CountEngineWork() {
    Stats st = GetStats();
    engine_flushes_ += st.flushes;
    engine_compactions_ += st.compactions;
  }

  ~DBModelTest() override {
    if (db_) ReleaseAll();
  }

  Rng rng_;
  int op_ = 0;
  int reopens_ = 0, flushes_ = 0, compactions_ = 0, iterations_ = 0;
  uint64_t engine_flushes_ = 0, engine_compactions_ = 0;
  std::vector<std::string> key_space_;
  std::vector<std::pair<const Snapshot*, Model>> snaps_;
  std::unique_ptr<Iterator> iter_;
  Model iter_model_;
  std::deque<std::string> log_;
};

TEST_P(DBModelTest, RandomOperationsMatchAStdMapModel) {
  Run();
}

INSTANTIATE_TEST_SUITE_P(Configs, DBModelTest,
                         ::testing::Values(ModelConfig{"MemEnvBackgroundThread", true, true},
                                           ModelConfig{"MemEnvNoThreads", false, true},
                                           ModelConfig{"DiskBackgroundThread", true, false}),
                         [](const ::testing::TestParamInfo<ModelConfig>& info) { return info.param.name; });

}  // namespace
}  // namespace dbtest
}  // namespace strata
