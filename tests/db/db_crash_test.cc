// Crash tests at the byte level (MemEnv): the WAL cut at every offset of its
// last records and at random offsets inside earlier ones, and bits flipped
// in WAL segments, manifests and tables. Open must recover a prefix of the
// acknowledged batches or fail with Corruption; reads must return correct
// data or Corruption. Never a crash, never wrong data.
#include <set>

#include "db/db_test_util.h"

namespace strata {
namespace dbtest {
namespace {

constexpr size_t kValueLen = 40;

// A copy of a database's files opened in its own MemEnv.
struct DbCopy {
  std::unique_ptr<MemEnv> env;
  std::unique_ptr<DB> db;
  Status status;
};

class DBCrashTest : public DBTestBase {
 protected:
  // Closes the database, which must have one manifest segment, and reads
  // that segment: its path and bytes.
  void CloseAndReadTheManifest(std::string* path, std::string* bytes) {
    const std::vector<std::string> manifests = FilesOfType(env(), dir_, "MANIFEST-");
    ASSERT_EQ(1u, manifests.size());
    Close();
    *path = dir_ + "/" + manifests[0];
    STRATA_ASSERT_OK(ReadFileToString(env(), *path, bytes));
  }

  // Where batch `id` went: its WAL segment and the segment's size right
  // after it (the end of its record); end 0 when not known.
  struct Place {
    std::string segment;
    uint64_t end = 0;
  };

  std::map<std::string, uint64_t> WalSizes() {
    std::map<std::string, uint64_t> sizes;
    for (const auto& n : FilesOfType(env(), dir_, ".wal")) {
      uint64_t size = 0;
      env()->GetFileSize(dir_ + "/" + n, &size).IgnoreError();
      sizes[n] = size;
    }
    return sizes;
  }

  // Writes batch id and notes the one WAL segment that grew.
  void WriteTracked(int id, bool sync) {
    auto before = WalSizes();
    STRATA_ASSERT_OK(Write(MakeBatch(id, kValueLen), sync));
    auto after = WalSizes();
    Place p;
    for (const auto& [name, size] : after) {
      auto it = before.find(name);
      uint64_t old = it == before.end() ? 0 : it->second;
      if (size > old) {
        ASSERT_TRUE(p.segment.empty()) << "batch " << id << " went into two WAL segments";
        p.segment = name;
        p.end = size;
      }
    }
    ASSERT_EQ(static_cast<size_t>(id), places_.size());
    places_.push_back(p);
  }

  DbCopy OpenCopy(const FileSet& files, bool paranoid) {
    DbCopy c;
    c.env = NewMemEnv(Env::Default());
    c.env->SetSyncedAppendsAreCheap(env()->SyncedAppendsAreCheap());
    WriteAllFiles(c.env.get(), "/copy", files);
    Options o = options_;
    o.env = c.env.get();
    o.paranoid_checks = paranoid;
    o.create_if_missing = false;
    o.background_thread = false;
    c.status = DB::Open(o, "/copy", &c.db);
    return c;
  }

  // The non-empty WAL segments of files, oldest first.
  static std::vector<std::string> NonEmptyWals(const FileSet& files) {
    std::vector<std::string> out;
    for (const auto& [name, data] : files) {
      if (EndsWith(name, ".wal") && !data.empty()) out.push_back(name);
    }
    std::sort(out.begin(), out.end(),
              [](const std::string& a, const std::string& b) { return FileNumber(a) < FileNumber(b); });
    return out;
  }

  // The last batch whose segment is older than seg, or first - 1.
  int LastBatchBefore(const std::string& seg, int first = 0) {
    int k = first - 1;
    for (int id = first; id < static_cast<int>(places_.size()); id++) {
      if (FileNumber(places_[id].segment) < FileNumber(seg)) k = id;
    }
    return k;
  }

  // Reads must give correct data or Corruption: values of keys in want
  // (never NotFound), NotFound for keys not in want, and an iteration that
  // either sees exactly want or stops, !Valid(), with Corruption.
  // Returns the first kind of wrong answer and its details; kind is empty
  // when every answer was right.
  std::pair<std::string, std::string> CheckCorrectOrCorruption(DB* db, const Model& want,
                                                               const std::vector<std::string>& probe_keys,
                                                               Rng& rng) {
    ReadOptions ro;
    ro.verify_checksums = OneIn(rng, 2);
    for (const auto& k : probe_keys) {
      std::string v;
      Status s = db->Get(ro, k, &v);
      if (s.IsCorruption()) continue;
      auto it = want.find(k);
      if (it != want.end()) {
        if (s.IsNotFound()) return {"Get answered NotFound for a key that has a value", Printable(k)};
        if (!s.ok())
          return {"Get failed with a code other than Corruption", Printable(k) + ": " + s.ToString()};
        if (v != it->second) return {"Get returned a wrong value", Printable(k)};
      } else if (!s.IsNotFound()) {
        return {"Get answered other than NotFound for a key without a value",
                Printable(k) + ": " + s.ToString()};
      }
    }
    auto it = db->NewIterator(ro);
    size_t seen = 0;
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      if (!it->status().ok()) {
        return {"the iterator stays Valid() after an error",
                "at " + Printable(it->key().ToString()) + ", status " + it->status().ToString()};
      }
      auto w = want.find(it->key().ToString());
      if (w == want.end())
        return {"the iterator returned a key without a value", Printable(it->key().ToString())};
      if (w->second != it->value().ToString()) {
        return {"the iterator returned a wrong value", Printable(w->first)};
      }
      seen++;
    }
    if (it->status().ok()) {
      if (seen != want.size()) {
        return {"an iteration ended OK but missed keys",
                std::to_string(seen) + " of " + std::to_string(want.size()) + " keys"};
      }
    } else if (!it->status().IsCorruption()) {
      return {"the iterator failed with a code other than Corruption", it->status().ToString()};
    }
    return {};
  }

  // Wrong outcomes by kind: how many trials showed each, and the first.
  void Problem(const std::string& kind, const std::string& detail) {
    auto& p = problems_[kind];
    if (p.first++ == 0) p.second = detail;
  }
  void ReportProblems(int trials) {
    for (const auto& [kind, p] : problems_) {
      ADD_FAILURE() << kind << ": " << p.first << " of " << trials << " trials, first " << p.second;
    }
  }

  std::map<std::string, std::pair<int, std::string>> problems_;
  std::vector<Place> places_;
};

// ---------------------------------------------------------------------------
// Cutting the WAL

// Run with each WAL policy: a segment per durability point (false, the
// browser build's) and one segment kept open across syncs (true, native).
class DBWalCutTest : public DBCrashTest, public ::testing::WithParamInterface<bool> {
 protected:
  DBWalCutTest() { mem_env()->SetSyncedAppendsAreCheap(GetParam()); }
};

TEST_P(DBWalCutTest, WalCutAtEveryOffsetOfTheLastRecordsRecoversAPrefixOrFailsWithCorruption) {
  options_.write_buffer_size = 8 << 20;  // everything stays in the WAL
  options_.background_thread = false;
  Open();
  constexpr int kSynced = 30, kTail = 6, kTotal = kSynced + kTail;
  for (int id = 0; id < kSynced; id++) WriteTracked(id, /*sync=*/true);
  for (int id = kSynced; id < kTotal; id++) WriteTracked(id, /*sync=*/false);
  STRATA_ASSERT_OK(db_->Sync());
  const FileSet files = ReadAllFiles(env(), dir_);
  const std::vector<std::string> wals = NonEmptyWals(files);
  if (GetParam()) {
    ASSERT_EQ(wals.size(), 1u) << "the synced writes went into more than one segment";
  } else {
    ASSERT_GE(wals.size(), 4u);
  }
  const std::string& last = wals.back();
  // Batches written without sync whose bytes were not visible before the
  // Sync(): in the last segment, record ends unknown.
  for (int id = kSynced; id < kTotal; id++) {
    if (places_[id].segment.empty()) places_[id].segment = last;
  }
  for (int id = 0; id < kTotal; id++) ASSERT_FALSE(places_[id].segment.empty()) << id;
  EXPECT_EQ(places_[kTotal - 1].segment, last);

  // The intact copy recovers everything.
  {
    DbCopy c = OpenCopy(files, true);
    STRATA_ASSERT_OK(c.status);
    Model got;
    STRATA_ASSERT_OK(ScanAll(c.db.get(), &got));
    std::string error;
    ASSERT_EQ(kTotal - 1, RecoveredBatchPrefix(got, Model(), 0, kTotal, &error, kValueLen)) << error;
  }

  struct Cut {
    std::string segment;
    uint64_t offset;
  };
  std::vector<Cut> cuts;
  // Every offset of the last segment and of the two before it.
  for (size_t s = wals.size() < 3 ? 0 : wals.size() - 3; s < wals.size(); s++) {
    for (uint64_t o = 0; o <= files.at(wals[s]).size(); o++) cuts.push_back({wals[s], o});
  }
  // Random offsets inside earlier segments.
  Rng rng(TestSeed(4242));
  for (size_t s = 0; s + 3 < wals.size(); s++) {
    if (!OneIn(rng, 2)) continue;
    for (int n = 0; n < 6; n++) cuts.push_back({wals[s], 1 + Uniform(rng, files.at(wals[s]).size() - 1)});
  }
  printf("%zu cuts\n", cuts.size());

  // Each kind of wrong outcome: how many cuts showed it, and the first one.
  std::map<std::string, std::pair<int, std::string>> problems;
  auto problem = [&](const std::string& kind, const std::string& detail) {
    auto& p = problems[kind];
    if (p.first++ == 0) p.second = detail;
  };
  int corruption = 0, recovered = 0;
  for (const Cut& cut : cuts) {
    const std::string what = "cut " + cut.segment + " at " + std::to_string(cut.offset) + "/" +
                             std::to_string(files.at(cut.segment).size());
    FileSet damaged = files;
    damaged[cut.segment].resize(cut.offset);
    DbCopy c = OpenCopy(damaged, /*paranoid=*/true);
    const bool is_last = cut.segment == last;
    const bool intact = cut.offset == files.at(cut.segment).size();
    // The batches wholly before the cut, when the record ends are known.
    int before = LastBatchBefore(cut.segment);
    int known_exact = before;
    bool exact = true;
    bool at_boundary = cut.offset == 0;
    for (int id = 0; id < kTotal; id++) {
      if (places_[id].segment != cut.segment) continue;
      if (places_[id].end == 0) {
        exact = false;
      } else if (places_[id].end <= cut.offset) {
        known_exact = id;
      }
      if (places_[id].end == cut.offset) at_boundary = true;
    }
    if (intact) {
      known_exact = kTotal - 1;
      exact = true;
      at_boundary = true;
    }
    if (!c.status.ok()) {
      corruption++;
      if (!c.status.IsCorruption()) {
        problem("Open failed with a code other than Corruption", what + ": " + c.status.ToString());
      } else if (intact) {
        problem("an intact WAL failed Open", what + ": " + c.status.ToString());
      } else if (is_last) {
        problem("a torn tail failed Open instead of being dropped", what + ": " + c.status.ToString());
      }
      continue;
    }
    recovered++;
    Model got;
    Status s = ScanAll(c.db.get(), &got);
    if (!s.ok()) {
      problem("reading the recovered database failed", what + ": " + s.ToString());
      continue;
    }
    std::string error;
    int k = RecoveredBatchPrefix(got, Model(), 0, kTotal, &error, kValueLen);
    if (k < -1) {
      problem(is_last ? "the recovered state is not a prefix of whole batches"
                      : "damage before the WAL tail left a hole instead of failing Open with Corruption",
              what + ": " + error);
    } else if (exact && k != known_exact) {
      problem("recovered the wrong number of batches",
              what + ": batches 0.." + std::to_string(k) + ", want 0.." + std::to_string(known_exact));
    } else if (!exact && k < std::max(before, known_exact)) {
      problem("lost batches before the cut", what + ": batches 0.." + std::to_string(k));
    } else if (is_last && !at_boundary && exact && c.db->GetStats().recovery_dropped_bytes == 0) {
      problem("a torn tail was not reported in recovery_dropped_bytes", what);
    }
    // The recovered database takes writes and closes cleanly.
    Status w = c.db->Put(WriteOptions(), "after", "x");
    if (w.ok()) w = c.db->Close();
    if (!w.ok()) problem("the recovered database does not take writes", what + ": " + w.ToString());
  }
  printf("%d cuts recovered a prefix, %d failed with Corruption\n", recovered, corruption);
  for (const auto& [kind, p] : problems) {
    ADD_FAILURE() << kind << ": " << p.first << " of " << cuts.size() << " cuts, first " << p.second;
  }
}

TEST_F(DBCrashTest, WalCutWithParanoidChecksOffRecoversEveryBatchOutsideTheCut) {
  options_.write_buffer_size = 8 << 20;
  options_.background_thread = false;
  Open();
  constexpr int kTotal = 20;
  for (int id = 0; id < kTotal; id++) WriteTracked(id, /*sync=*/true);
  const FileSet files = ReadAllFiles(env(), dir_);
  Model all;
  for (int id = 0; id < kTotal; id++) ApplyBatchToModel(id, &all, kValueLen);
  Rng rng(TestSeed(77));
  for (int trial = 0; trial < 60; trial++) {
    int victim = static_cast<int>(Uniform(rng, kTotal));
    const Place& p = places_[victim];
    ASSERT_FALSE(p.segment.empty());
    uint64_t size = files.at(p.segment).size();
    uint64_t offset = 1 + Uniform(rng, size - 1);
    const std::string what = "cut " + p.segment + " at " + std::to_string(offset);
    FileSet damaged = files;
    damaged[p.segment].resize(offset);
    DbCopy c = OpenCopy(damaged, /*paranoid=*/false);
    ASSERT_TRUE(c.status.ok()) << what << ": " << c.status.ToString();
    Model got;
    STRATA_ASSERT_OK(ScanAll(c.db.get(), &got));
    // Every batch of the segment that lost bytes may be gone; all others
    // must be there, and each batch is whole or absent.
    std::set<int> maybe_lost;
    for (int id = 0; id < kTotal; id++) {
      if (places_[id].segment == p.segment && places_[id].end > offset) maybe_lost.insert(id);
    }
    bool matched = false;
    for (int mask = 0; mask < (1 << maybe_lost.size()) && !matched; mask++) {
      Model want;
      int bit = 0;
      for (int id = 0; id < kTotal; id++) {
        if (maybe_lost.count(id) && (mask >> bit++ & 1)) continue;
        ApplyBatchToModel(id, &want, kValueLen);
      }
      matched = want == got;
    }
    ASSERT_TRUE(matched) << what << ": state is not every batch, whole, but those cut: "
                         << DescribeDifference(got, all);
    Stats st = c.db->GetStats();
    EXPECT_GT(st.recovery_dropped_bytes + st.recovery_dropped_records, 0u)
        << what << ": the cut was not reported";
  }
}

TEST_P(DBWalCutTest, WalCutInsideARecordSpanningSeveralBlocksDropsOnlyThatRecord) {
  options_.write_buffer_size = 8 << 20;
  options_.background_thread = false;
  Open();
  for (int i = 0; i < 5; i++) STRATA_ASSERT_OK(Put(Key(i), ValueFor(i, 0, 500), /*sync=*/true));
  Rng rng(TestSeed(99));
  const std::string big = RandomBytes(rng, 100000);
  auto before = ReadAllFiles(env(), dir_);
  STRATA_ASSERT_OK(Put("big", big, /*sync=*/true));
  const FileSet files = ReadAllFiles(env(), dir_);
  std::string seg;
  for (const auto& [name, data] : files) {
    if (EndsWith(name, ".wal") && data.size() > 100000 && (!before.count(name) || before[name] != data))
      seg = name;
  }
  ASSERT_FALSE(seg.empty()) << "no WAL segment holds the big record";
  const std::string& full = files.at(seg);
  // Where the big record starts: 0 in a segment of its own, after the
  // small ones where the segment stayed open.
  const uint64_t start = before.count(seg) ? before[seg].size() : 0;
  std::vector<uint64_t> offsets = {start, start + 1, start + 6, start + 7, start + 8, 32767,          32768,
                                   32769, 32775,     65535,     65536,     65543,     full.size() - 1};
  for (int n = 0; n < 20; n++) offsets.push_back(start + Uniform(rng, full.size() - start));
  for (uint64_t o : offsets) {
    if (o < start || o >= full.size()) continue;
    FileSet damaged = files;
    damaged[seg].resize(o);
    DbCopy c = OpenCopy(damaged, true);
    ASSERT_TRUE(c.status.ok()) << "cut at " << o << ": " << c.status.ToString();
    std::string v;
    Status s = c.db->Get(ReadOptions(), "big", &v);
    ASSERT_TRUE(s.IsNotFound()) << "cut at " << o << ": " << s.ToString();
    for (int i = 0; i < 5; i++) {
      s = c.db->Get(ReadOptions(), Key(i), &v);
      ASSERT_TRUE(s.ok() && v == ValueFor(i, 0, 500))
          << "cut at " << o << ": " << Key(i) << " " << s.ToString();
    }
  }
  DbCopy c = OpenCopy(files, true);
  STRATA_ASSERT_OK(c.status);
  std::string v;
  STRATA_ASSERT_OK(c.db->Get(ReadOptions(), "big", &v));
  EXPECT_TRUE(v == big);
}

INSTANTIATE_TEST_SUITE_P(Policies, DBWalCutTest, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& info) {
                           return info.param ? "OpenSegment" : "SegmentPerSync";
                         });

// ---------------------------------------------------------------------------
// Flipping bits

class DBBitFlipTest : public DBCrashTest {
 protected:
  static constexpr int kBatches = 20;

  // Tables in L0 and deeper levels, then synced batches in the WAL.
  void BuildMixedDatabase() {
    UseSmallBuffers();
    options_.background_thread = false;
    Open();
    FillRange(0, 3000, 0, 100, &base_);
    DrainPendingWork();
    for (int i = 0; i < 3000; i++) {
      if (i % 3 == 0) {
        STRATA_ASSERT_OK(Delete(Key(i)));
        base_.erase(Key(i));
      } else if (i % 5 == 1) {
        STRATA_ASSERT_OK(Put(Key(i), ValueFor(i, 1, 100)));
        base_[Key(i)] = ValueFor(i, 1, 100);
      }
    }
    STRATA_ASSERT_OK(db_->Flush());
    Stats st = GetStats();
    ASSERT_GT(FilesAtLevel(st, 0), 0u);
    ASSERT_GT(TableFilesBelowL0(st), 0u);
    // Batch keys sort before "key..." keys, so they do not interfere.
    for (int id = 0; id < kBatches; id++) WriteTracked(id, /*sync=*/true);
    files_ = ReadAllFiles(env(), dir_);
    all_ = base_;
    for (int id = 0; id < kBatches; id++) ApplyBatchToModel(id, &all_, kValueLen);
    for (int i = 0; i < 3000; i += 4) probe_keys_.push_back(Key(i));
    for (int id = 0; id < kBatches; id++) {
      for (int j = 0; j < KeysInBatch(id); j++) probe_keys_.push_back(BatchKey(id, j));
    }
    probe_keys_.push_back("last");
    // The undamaged copy opens and reads back exactly.
    DbCopy c = OpenCopy(files_, true);
    STRATA_ASSERT_OK(c.status);
    Model got;
    STRATA_ASSERT_OK(ScanAll(c.db.get(), &got));
    ASSERT_TRUE(got == all_) << DescribeDifference(got, all_);
    Rng rng(1);
    auto [kind, detail] = CheckCorrectOrCorruption(c.db.get(), all_, probe_keys_, rng);
    ASSERT_TRUE(kind.empty()) << kind << ": " << detail;
  }

  void FlipManifestBits(uint64_t seed);

  std::vector<std::string> Names(const std::string& kind) {
    std::vector<std::string> out;
    for (const auto& [name, data] : files_) {
      bool match = kind == "MANIFEST-" ? name.rfind("MANIFEST-", 0) == 0 : EndsWith(name, kind);
      if (match && !data.empty()) out.push_back(name);
    }
    return out;
  }

  // A copy of files_ with one bit flipped in a random file of that kind.
  FileSet Flip(const std::vector<std::string>& names, Rng& rng, std::string* what, std::string* file) {
    *file = names[Uniform(rng, names.size())];
    FileSet damaged = files_;
    std::string& data = damaged[*file];
    uint64_t pos = Uniform(rng, data.size());
    int bit = static_cast<int>(Uniform(rng, 8));
    data[pos] = static_cast<char>(data[pos] ^ (1 << bit));
    *what = "bit " + std::to_string(bit) + " of byte " + std::to_string(pos) + "/" +
            std::to_string(data.size()) + " of " + *file;
    return damaged;
  }

  Model base_, all_;
  FileSet files_;
  std::vector<std::string> probe_keys_;
};

TEST_F(DBBitFlipTest, BitFlipsInWalSegmentsLoseOnlyASuffixOrFailWithCorruption) {
  BuildMixedDatabase();
  const std::vector<std::string> wals = Names(".wal");
  ASSERT_FALSE(wals.empty());
  const std::string last = NonEmptyWals(files_).back();
  Rng rng(TestSeed(1001));
  int corruption = 0;
  for (int trial = 0; trial < 80; trial++) {
    std::string what, file;
    FileSet damaged = Flip(wals, rng, &what, &file);
    DbCopy c = OpenCopy(damaged, /*paranoid=*/true);
    if (!c.status.ok()) {
      ASSERT_TRUE(c.status.IsCorruption()) << what << ": " << c.status.ToString();
      ASSERT_NE(file, last) << what << ": a damaged last record is a torn tail, not a failed Open";
      corruption++;
      continue;
    }
    Model got;
    Status s = ScanAll(c.db.get(), &got);
    ASSERT_TRUE(s.ok()) << what << ": " << s.ToString();
    std::string error;
    int k = RecoveredBatchPrefix(got, base_, 0, kBatches, &error, kValueLen);
    ASSERT_GE(k, LastBatchBefore(file)) << what << ": " << error;
    if (k < kBatches - 1) {
      Stats st = c.db->GetStats();
      EXPECT_GT(st.recovery_dropped_records + st.recovery_dropped_bytes, 0u) << what << ": loss not reported";
    }
  }
  printf("%d of 80 flips failed Open with Corruption\n", corruption);
}

TEST_F(DBBitFlipTest, BitFlipsInWalSegmentsWithParanoidChecksOffSkipOnlyTheDamagedBatch) {
  BuildMixedDatabase();
  const std::vector<std::string> wals = Names(".wal");
  Rng rng(TestSeed(1002));
  for (int trial = 0; trial < 60; trial++) {
    std::string what, file;
    FileSet damaged = Flip(wals, rng, &what, &file);
    DbCopy c = OpenCopy(damaged, /*paranoid=*/false);
    ASSERT_TRUE(c.status.ok()) << what << ": " << c.status.ToString();
    Model got;
    Status s = ScanAll(c.db.get(), &got);
    ASSERT_TRUE(s.ok()) << what << ": " << s.ToString();
    if (got == all_) continue;
    // Only the batches of the damaged segment may be missing, each whole.
    std::vector<int> in_file;
    for (int id = 0; id < kBatches; id++) {
      if (places_[id].segment == file) in_file.push_back(id);
    }
    ASSERT_FALSE(in_file.empty()) << what << ": data lost although the damaged segment held no batch";
    bool matched = false;
    for (int mask = 1; mask < (1 << in_file.size()) && !matched; mask++) {
      Model w = base_;
      for (int id = 0; id < kBatches; id++) {
        auto pos = std::find(in_file.begin(), in_file.end(), id);
        if (pos != in_file.end() && (mask >> (pos - in_file.begin()) & 1)) continue;
        ApplyBatchToModel(id, &w, kValueLen);
      }
      matched = w == got;
    }
    ASSERT_TRUE(matched) << what << ": " << DescribeDifference(got, all_);
    Stats st = c.db->GetStats();
    EXPECT_GT(st.recovery_dropped_records, 0u) << what << ": skipped damage not counted";
  }
}

// Flips bits in the manifest segments of the database BuildMixedDatabase made.
void DBBitFlipTest::FlipManifestBits(uint64_t seed) {
  const std::vector<std::string> manifests = Names("MANIFEST-");
  ASSERT_FALSE(manifests.empty());
  Rng rng(TestSeed(seed));
  constexpr int kTrials = 80;
  int corruption = 0;
  for (int trial = 0; trial < kTrials; trial++) {
    std::string what, file;
    FileSet damaged = Flip(manifests, rng, &what, &file);
    DbCopy c = OpenCopy(damaged, trial % 2 == 0);
    if (!c.status.ok()) {
      if (!c.status.IsCorruption()) Problem("Open failed with a code other than Corruption", what);
      corruption++;
      continue;
    }
    // A manifest that opens must describe every table: nothing lost.
    auto [kind, detail] = CheckCorrectOrCorruption(c.db.get(), all_, probe_keys_, rng);
    if (!kind.empty()) Problem(kind, what + ": " + detail);
    Model got;
    Status s = ScanAll(c.db.get(), &got);
    if (s.ok() && got != all_)
      Problem("a damaged manifest lost data", what + ": " + DescribeDifference(got, all_));
  }
  printf("%d of %d flips failed Open with Corruption\n", corruption, kTrials);
  ReportProblems(kTrials);
}

TEST_F(DBBitFlipTest, BitFlipsInManifestsAreDetectedOrHarmless) {
  BuildMixedDatabase();
  FlipManifestBits(1003);
}

// Where synced appends are cheap, a segment holds many edits, and damage
// near its end can pass for a torn append: recovery then falls back to an
// earlier edit, which must be refused if anything it needs is gone.
TEST_F(DBBitFlipTest, BitFlipsInAppendedManifestsAreDetectedOrHarmless) {
  mem_env()->SetSyncedAppendsAreCheap(true);
  BuildMixedDatabase();
  FlipManifestBits(1005);
}

// The case the WAL cannot catch: the damaged last record is a flush, and
// nothing was written after it, so no batch is missing from the WAL. The
// flushed table, which no earlier record names, shows the edit completed.
TEST_F(DBCrashTest, ADamagedLastFlushRecordWithAnEmptyWalAfterItIsCorruption) {
  mem_env()->SetSyncedAppendsAreCheap(true);
  options_.background_thread = false;
  Open();
  for (int i = 0; i < 100; i++) STRATA_ASSERT_OK(Put(Key(i), "v"));
  STRATA_ASSERT_OK(db_->Flush());
  std::string path, manifest;
  ASSERT_NO_FATAL_FAILURE(CloseAndReadTheManifest(&path, &manifest));
  manifest.back() = static_cast<char>(manifest.back() ^ 1);  // the flush's record: its checksum fails
  STRATA_ASSERT_OK(WriteStringToFile(env(), manifest, path, true));
  for (bool paranoid : {true, false}) {
    options_.paranoid_checks = paranoid;
    Status s = TryOpen();
    EXPECT_TRUE(s.IsCorruption()) << "paranoid " << paranoid << ": " << s.ToString();
    db_.reset();
  }
}

// The ordinary crash: an edit's record half appended. The state before it
// opens, with every write.
TEST_F(DBCrashTest, AManifestRecordCutShortByACrashIsSetAsideAndNothingIsLost) {
  mem_env()->SetSyncedAppendsAreCheap(true);
  options_.background_thread = false;
  Open();
  WriteOptions synced;
  synced.sync = true;
  for (int i = 0; i < 100; i++) STRATA_ASSERT_OK(db_->Put(synced, Key(i), "v" + std::to_string(i)));
  STRATA_ASSERT_OK(db_->Flush());
  for (int i = 100; i < 200; i++) STRATA_ASSERT_OK(db_->Put(synced, Key(i), "v" + std::to_string(i)));
  std::string path, manifest;
  ASSERT_NO_FATAL_FAILURE(CloseAndReadTheManifest(&path, &manifest));
  // The first 10 bytes of a record of 100: a header and 3 of its bytes.
  manifest += std::string(
      "\x01\x02\x03\x04\x64\x00\x01"
      "abc",
      10);
  STRATA_ASSERT_OK(WriteStringToFile(env(), manifest, path, true));
  for (bool paranoid : {true, false}) {
    options_.paranoid_checks = paranoid;
    Open();
    for (int i = 0; i < 200; i++) ASSERT_EQ("v" + std::to_string(i), Get(Key(i))) << "paranoid " << paranoid;
    Close();
  }
}

TEST_F(DBCrashTest, AManifestSegmentThatCurrentDoesNotNameIsRemovedAtOpen) {
  mem_env()->SetSyncedAppendsAreCheap(true);
  Open();
  STRATA_ASSERT_OK(Put("k", "v"));
  Close();
  // As a crash leaves one while an edit starts a segment (CURRENT not yet
  // renamed to it), numbered above the live one.
  const std::string stray = dir_ + "/MANIFEST-009999";
  STRATA_ASSERT_OK(WriteStringToFile(env(), "unfinished", stray, true));
  Open();
  EXPECT_FALSE(env()->FileExists(stray));
  EXPECT_EQ("v", Get("k"));
}

TEST_F(DBBitFlipTest, BitFlipsInTablesAreDetectedOrHarmless) {
  BuildMixedDatabase();
  const std::vector<std::string> tables = Names(".sst");
  ASSERT_GE(tables.size(), 2u);
  Rng rng(TestSeed(1004));
  constexpr int kTrials = 120;
  int open_failed = 0, read_errors = 0;
  for (int trial = 0; trial < kTrials; trial++) {
    std::string what, file;
    FileSet damaged = Flip(tables, rng, &what, &file);
    DbCopy c = OpenCopy(damaged, /*paranoid=*/true);
    if (!c.status.ok()) {
      if (!c.status.IsCorruption()) Problem("Open failed with a code other than Corruption", what);
      open_failed++;
      continue;
    }
    auto [kind, detail] = CheckCorrectOrCorruption(c.db.get(), all_, probe_keys_, rng);
    if (!kind.empty()) {
      Problem(kind, what + ": " + detail);
      continue;
    }
    Model got;
    if (!ScanAll(c.db.get(), &got).ok()) read_errors++;
    // Compaction over the damaged table either fails with Corruption or
    // keeps every value it can read.
    if (trial % 3 == 0) {
      Status s = c.db->CompactRange(nullptr, nullptr);
      if (!s.ok() && !s.IsCorruption())
        Problem("CompactRange failed with a code other than Corruption", what);
      auto [kind2, detail2] = CheckCorrectOrCorruption(c.db.get(), all_, probe_keys_, rng);
      if (!kind2.empty()) Problem(kind2 + " (after CompactRange)", what + ": " + detail2);
    }
  }
  printf("%d of %d flips failed Open, %d more made reads fail with Corruption\n", open_failed, kTrials,
         read_errors);
  ReportProblems(kTrials);
}

}  // namespace
}  // namespace dbtest
}  // namespace strata
