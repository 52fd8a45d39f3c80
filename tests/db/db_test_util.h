// Shared fixture and helpers of the DB-level tests (tests/db/*_test.cc).
//
// Everything here goes through the public API in engine/include/strata/.
// The fixture owns one database directory, by default in a MemEnv (so tests
// can simulate a machine crash and damage files), or on disk in a fresh
// temporary directory.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "strata/db.h"
#include "strata/env.h"
#include "strata/iterator.h"
#include "strata/mem_env.h"
#include "strata/options.h"
#include "strata/stats.h"
#include "strata/status.h"
#include "strata/write_batch.h"

namespace strata {
namespace dbtest {

#define STRATA_ASSERT_OK(expr)                                \
  do {                                                        \
    ::strata::Status _s = (expr);                             \
    ASSERT_TRUE(_s.ok()) << #expr << " -> " << _s.ToString(); \
  } while (0)
#define STRATA_EXPECT_OK(expr)                                \
  do {                                                        \
    ::strata::Status _s = (expr);                             \
    EXPECT_TRUE(_s.ok()) << #expr << " -> " << _s.ToString(); \
  } while (0)

using Model = std::map<std::string, std::string>;
using Rng = std::mt19937_64;

// ---------------------------------------------------------------------------
// Keys, values, randomness

inline std::string Key(int i) {
  char buf[32];
  snprintf(buf, sizeof(buf), "key%08d", i);
  return buf;
}

// A value that names its key and version, padded to len bytes, so a value
// read back for the wrong key or version is recognisable.
inline std::string ValueFor(int i, int version, size_t len = 100) {
  char buf[64];
  snprintf(buf, sizeof(buf), "v%d.%d:", i, version);
  std::string v(buf);
  while (v.size() < len) v.push_back(static_cast<char>('a' + (v.size() * 7 + i + version) % 26));
  v.resize(len);
  return v;
}

inline uint64_t Uniform(Rng& rng, uint64_t n) {
  return n == 0 ? 0 : rng() % n;
}
inline bool OneIn(Rng& rng, uint64_t n) {
  return Uniform(rng, n) == 0;
}

// Random bytes, all 256 values possible.
inline std::string RandomBytes(Rng& rng, size_t len) {
  std::string s(len, '\0');
  for (size_t i = 0; i < len; i++) s[i] = static_cast<char>(rng() & 0xff);
  return s;
}

inline uint64_t Uint64FromEnv(const char* name, uint64_t default_value) {
  const char* s = getenv(name);
  if (s == nullptr || *s == '\0') return default_value;
  return strtoull(s, nullptr, 0);
}

// The seed of a randomized test: STRATA_SEED if set, else `default_seed`.
// Printed so that a failure can be replayed.
inline uint64_t TestSeed(uint64_t default_seed) {
  uint64_t seed = Uint64FromEnv("STRATA_SEED", default_seed);
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  printf("[ seed     ] %s.%s: seed=%llu (replay with STRATA_SEED=%llu)\n",
         info ? info->test_suite_name() : "", info ? info->name() : "", static_cast<unsigned long long>(seed),
         static_cast<unsigned long long>(seed));
  fflush(stdout);
  return seed;
}

// A fresh, unique path for an on-disk database (the directory does not exist).
inline std::string NewTempDbPath(const std::string& tag) {
  static std::atomic<int> counter{0};
  std::string base = ::testing::TempDir();
  if (base.empty() || base.back() != '/') base += "/";
  return base + "strata_" + tag + "_" + std::to_string(getpid()) + "_" + std::to_string(counter++) + "_" +
         std::to_string(std::chrono::steady_clock::now().time_since_epoch().count() % 1000000);
}

inline bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Number in "000123.wal" / "MANIFEST-000123"; 0 when none.
inline uint64_t FileNumber(const std::string& name) {
  uint64_t n = 0;
  for (char c : name) {
    if (c >= '0' && c <= '9') n = n * 10 + static_cast<uint64_t>(c - '0');
  }
  return n;
}

// Names (not paths) of the files in dir ending with suffix (or starting with
// it, for "MANIFEST-"), oldest (lowest number) first.
inline std::vector<std::string> FilesOfType(Env* env, const std::string& dir, const std::string& kind) {
  std::vector<std::string> names, out;
  env->GetChildren(dir, &names).IgnoreError();
  for (const auto& n : names) {
    bool match = kind == "MANIFEST-" ? n.rfind("MANIFEST-", 0) == 0 : EndsWith(n, kind);
    if (match) out.push_back(n);
  }
  std::sort(out.begin(), out.end(),
            [](const std::string& a, const std::string& b) { return FileNumber(a) < FileNumber(b); });
  return out;
}

// Every file of a database directory, name -> contents.
using FileSet = std::map<std::string, std::string>;

inline FileSet ReadAllFiles(Env* env, const std::string& dir) {
  FileSet files;
  std::vector<std::string> names;
  env->GetChildren(dir, &names).IgnoreError();
  for (const auto& n : names) {
    if (n == "LOCK") continue;
    std::string data;
    Status s = ReadFileToString(env, dir + "/" + n, &data);
    EXPECT_TRUE(s.ok()) << s.ToString();
    files[n] = data;
  }
  return files;
}

// Writes files (synced, and the directory too, so a SimulateCrash keeps
// them) into a fresh dir.
inline void WriteAllFiles(Env* env, const std::string& dir, const FileSet& files) {
  ASSERT_TRUE(env->CreateDir(dir).ok());
  for (const auto& [name, data] : files) {
    Status s = WriteStringToFile(env, data, dir + "/" + name, /*sync=*/true);
    ASSERT_TRUE(s.ok()) << s.ToString();
  }
  ASSERT_TRUE(env->SyncDir(dir).ok());
}

// ---------------------------------------------------------------------------
// Stats helpers

inline uint64_t TotalTableFiles(const Stats& st) {
  uint64_t n = 0;
  for (const auto& l : st.levels) n += l.files;
  return n;
}
inline uint64_t TableFilesBelowL0(const Stats& st) {
  uint64_t n = 0;
  for (size_t i = 1; i < st.levels.size(); i++) n += st.levels[i].files;
  return n;
}
inline uint64_t TotalEntries(const Stats& st) {
  uint64_t n = 0;
  for (const auto& l : st.levels)
    for (const auto& t : l.tables) n += t.entries;
  return n;
}
inline uint64_t TotalTombstones(const Stats& st) {
  uint64_t n = 0;
  for (const auto& l : st.levels)
    for (const auto& t : l.tables) n += t.tombstones;
  return n;
}
inline uint64_t FilesAtLevel(const Stats& st, int level) {
  return level < static_cast<int>(st.levels.size()) ? st.levels[level].files : 0;
}

// The shape every version must have: per-level totals agree with the table
// list, and L1 and deeper hold tables in key order with disjoint ranges.
inline void CheckLevelInvariants(const Stats& st) {
  ASSERT_FALSE(st.levels.empty());
  for (size_t i = 0; i < st.levels.size(); i++) {
    const LevelStats& l = st.levels[i];
    SCOPED_TRACE("level " + std::to_string(i));
    EXPECT_EQ(l.level, static_cast<int>(i));
    ASSERT_EQ(l.files, l.tables.size());
    uint64_t bytes = 0;
    for (const auto& t : l.tables) {
      bytes += t.size;
      EXPECT_LE(t.smallest_key, t.largest_key) << "table " << t.number;
      EXPECT_GT(t.entries, 0u) << "table " << t.number;
      EXPECT_LE(t.tombstones, t.entries) << "table " << t.number;
    }
    EXPECT_EQ(l.bytes, bytes);
    if (!l.tables.empty()) {
      std::string lo = l.tables[0].smallest_key, hi = l.tables[0].largest_key;
      for (const auto& t : l.tables) {
        lo = std::min(lo, t.smallest_key);
        hi = std::max(hi, t.largest_key);
      }
      EXPECT_EQ(l.smallest_key, lo);
      EXPECT_EQ(l.largest_key, hi);
    }
    if (i >= 1) {
      for (size_t j = 1; j < l.tables.size(); j++) {
        EXPECT_LT(l.tables[j - 1].largest_key, l.tables[j].smallest_key)
            << "L" << i << " tables " << l.tables[j - 1].number << " and " << l.tables[j].number
            << " are out of order or overlap";
      }
    }
  }
}

// ---------------------------------------------------------------------------
// Iterator checks against a model

// Position of a model "iterator": the map iterator, end() when invalid.
struct ModelCursor {
  const Model* model;
  Model::const_iterator it;
  explicit ModelCursor(const Model* m) : model(m), it(m->end()) {}
  bool Valid() const { return it != model->end(); }
  void SeekToFirst() { it = model->begin(); }
  void SeekToLast() { it = model->empty() ? model->end() : std::prev(model->end()); }
  void Seek(const std::string& t) { it = model->lower_bound(t); }
  void Next() { ++it; }
  void Prev() { it = it == model->begin() ? model->end() : std::prev(it); }
};

inline std::string Printable(const std::string& s, size_t max = 40) {
  std::string out;
  for (size_t i = 0; i < s.size() && i < max; i++) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      out.push_back(static_cast<char>(c));
    } else {
      char buf[8];
      snprintf(buf, sizeof(buf), "\\x%02x", c);
      out += buf;
    }
  }
  if (s.size() > max) out += "...(" + std::to_string(s.size()) + " bytes)";
  return out;
}

// True when iter and cursor agree (validity, key, value); reports otherwise.
inline bool SamePosition(Iterator* iter, const ModelCursor& c, const std::string& what) {
  if (iter->Valid() != c.Valid()) {
    ADD_FAILURE() << what << ": db iterator "
                  << (iter->Valid() ? "valid at " + Printable(iter->key().ToString()) : "invalid")
                  << ", model " << (c.Valid() ? "at " + Printable(c.it->first) : "at end") << " (status "
                  << iter->status().ToString() << ")";
    return false;
  }
  if (!c.Valid()) return true;
  if (iter->key().ToString() != c.it->first) {
    ADD_FAILURE() << what << ": key " << Printable(iter->key().ToString()) << ", model "
                  << Printable(c.it->first);
    return false;
  }
  if (iter->value().ToString() != c.it->second) {
    ADD_FAILURE() << what << ": value of " << Printable(c.it->first) << " is "
                  << Printable(iter->value().ToString()) << ", model " << Printable(c.it->second);
    return false;
  }
  return true;
}

// A seek target: an existing key, a key next to one, or a random key.
inline std::string PickSeekTarget(Rng& rng, const Model& model, const std::vector<std::string>& key_space) {
  switch (Uniform(rng, 4)) {
    case 0:
      if (!model.empty()) {
        auto it = model.begin();
        std::advance(it, Uniform(rng, model.size()));
        return it->first;
      }
      [[fallthrough]];
    case 1:
      if (!key_space.empty()) return key_space[Uniform(rng, key_space.size())];
      [[fallthrough]];
    case 2:
      if (!key_space.empty()) {
        std::string k = key_space[Uniform(rng, key_space.size())];
        if (OneIn(rng, 2)) return k + std::string(1, '\0');  // just after k
        if (!k.empty()) k.pop_back();                        // just before k's family
        return k;
      }
      [[fallthrough]];
    default: return RandomBytes(rng, 1 + Uniform(rng, 12));
  }
}

// Full-range comparison from a random seek: forward to the end, then
// backward from another random seek to the beginning.
inline void CheckFullRange(Iterator* iter, const Model& model, Rng& rng,
                           const std::vector<std::string>& key_space) {
  ModelCursor c(&model);
  std::string t = PickSeekTarget(rng, model, key_space);
  iter->Seek(t);
  c.Seek(t);
  if (!SamePosition(iter, c, "Seek(" + Printable(t) + ")")) return;
  while (c.Valid()) {
    iter->Next();
    c.Next();
    if (!SamePosition(iter, c, "forward Next")) return;
  }
  if (!iter->status().ok()) ADD_FAILURE() << "forward scan status " << iter->status().ToString();

  t = PickSeekTarget(rng, model, key_space);
  iter->Seek(t);
  c.Seek(t);
  if (!c.Valid()) {  // past the end: start from the last key instead
    iter->SeekToLast();
    c.SeekToLast();
  }
  if (!SamePosition(iter, c, "Seek/SeekToLast before backward scan")) return;
  while (c.Valid()) {
    iter->Prev();
    c.Prev();
    if (!SamePosition(iter, c, "backward Prev")) return;
  }
  if (!iter->status().ok()) ADD_FAILURE() << "backward scan status " << iter->status().ToString();
}

// A random walk of `steps` moves mixing seeks and both directions (a step
// forward by Next or NextEntry).
inline void CheckRandomWalk(Iterator* iter, const Model& model, Rng& rng, int steps,
                            const std::vector<std::string>& key_space) {
  ModelCursor c(&model);
  std::string what;
  for (int i = 0; i < steps; i++) {
    uint64_t op = Uniform(rng, 10);
    if (!c.Valid() && op >= 4) op = Uniform(rng, 4);
    switch (op) {
      case 0:
        iter->SeekToFirst();
        c.SeekToFirst();
        what = "SeekToFirst";
        break;
      case 1:
        iter->SeekToLast();
        c.SeekToLast();
        what = "SeekToLast";
        break;
      case 2:
      case 3: {
        std::string t = PickSeekTarget(rng, model, key_space);
        iter->Seek(t);
        c.Seek(t);
        what = "Seek(" + Printable(t) + ")";
        break;
      }
      case 4:
      case 5:
        iter->Next();
        c.Next();
        what = "Next";
        break;
      case 6: {
        Slice key, value;
        const bool valid = iter->NextEntry(&key, &value);
        c.Next();
        what = "NextEntry";
        if (valid != c.Valid() ||
            (valid && (key.ToString() != c.it->first || value.ToString() != c.it->second))) {
          ADD_FAILURE() << "random walk step " << i << " NextEntry: "
                        << (valid ? Printable(key.ToString()) + "=" + Printable(value.ToString()) : "invalid")
                        << ", model " << (c.Valid() ? Printable(c.it->first) : "at end");
          return;
        }
        break;
      }
      default:
        iter->Prev();
        c.Prev();
        what = "Prev";
        break;
    }
    if (!SamePosition(iter, c, "random walk step " + std::to_string(i) + " " + what)) return;
  }
}

// Everything visible in db, by iterator; the iterator's final status.
inline Status ScanAll(DB* db, Model* out, const Snapshot* snap = nullptr) {
  out->clear();
  ReadOptions ro;
  ro.snapshot = snap;
  auto it = db->NewIterator(ro);
  for (it->SeekToFirst(); it->Valid(); it->Next()) (*out)[it->key().ToString()] = it->value().ToString();
  return it->status();
}

// ---------------------------------------------------------------------------
// Numbered batches, for checking that recovery keeps a prefix of them
//
// Batch `id` puts KeysInBatch(id) keys "b<id>.<j>", deletes one key of an
// earlier batch every fourth time, and sets "last" to its id, so the state
// after a prefix of batches is known exactly and "last" names the prefix.

inline int KeysInBatch(int id) {
  return 1 + id % 5;
}
inline std::string BatchKey(int id, int j) {
  char buf[32];
  snprintf(buf, sizeof(buf), "b%07d.%d", id, j);
  return buf;
}
inline std::string BatchValue(int id, int j, size_t len) {
  std::string v = ValueFor(id, j, len);
  return v;
}
inline std::string BatchIdString(int id) {
  char buf[16];
  snprintf(buf, sizeof(buf), "%07d", id);
  return buf;
}

// value_len: bytes per value; batches with id % 7 == 6 get 8x longer ones.
inline WriteBatch MakeBatch(int id, size_t value_len = 100) {
  WriteBatch b;
  size_t len = id % 7 == 6 ? value_len * 8 : value_len;
  for (int j = 0; j < KeysInBatch(id); j++) b.Put(BatchKey(id, j), BatchValue(id, j, len));
  if (id % 4 == 3 && id >= 2) b.Delete(BatchKey(id - 2, 0));
  b.Put("last", BatchIdString(id));
  return b;
}

inline void ApplyBatchToModel(int id, Model* model, size_t value_len = 100) {
  size_t len = id % 7 == 6 ? value_len * 8 : value_len;
  for (int j = 0; j < KeysInBatch(id); j++) (*model)[BatchKey(id, j)] = BatchValue(id, j, len);
  if (id % 4 == 3 && id >= 2) model->erase(BatchKey(id - 2, 0));
  (*model)["last"] = BatchIdString(id);
}

// A short description of how two models differ.
inline std::string DescribeDifference(const Model& got, const Model& want) {
  for (const auto& [k, v] : want) {
    auto it = got.find(k);
    if (it == got.end()) return "missing " + Printable(k);
    if (it->second != v) return Printable(k) + " = " + Printable(it->second) + ", want " + Printable(v);
  }
  for (const auto& [k, v] : got) {
    if (!want.count(k)) return "unexpected " + Printable(k) + " = " + Printable(v);
  }
  return "same";
}

// `got` must be exactly `base` plus batches first..K (all of each) for some
// K in [first - 1, end). Returns K, or -2 with *error set.
inline int RecoveredBatchPrefix(const Model& got, const Model& base, int first, int end, std::string* error,
                                size_t value_len = 100) {
  int k = first - 1;
  auto it = got.find("last");
  if (it != got.end()) k = atoi(it->second.c_str());
  if (k < first - 1 || k >= end) {
    *error = "\"last\" names batch " + std::to_string(k) + ", outside [" + std::to_string(first - 1) + ", " +
             std::to_string(end) + ")";
    return -2;
  }
  Model want = base;
  for (int id = first; id <= k; id++) ApplyBatchToModel(id, &want, value_len);
  if (want != got) {
    *error = "state is not batches " + std::to_string(first) + ".." + std::to_string(k) +
             " applied whole: " + DescribeDifference(got, want);
    return -2;
  }
  return k;
}

// ---------------------------------------------------------------------------
// The fixture

class DBTestBase : public ::testing::Test {
 protected:
  // mem_env: a MemEnv (default) or an on-disk temporary directory.
  explicit DBTestBase(bool mem_env = true) : mem_env_(mem_env) {
    if (mem_env_) {
      env_ = NewMemEnv(Env::Default());
      dir_ = "/db";
    } else {
      dir_ = NewTempDbPath("dbtest");
    }
    options_ = DefaultOptions();
  }

  ~DBTestBase() override {
    if (db_) {
      db_->Close().IgnoreError();
      db_.reset();
    }
    if (!mem_env_) DB::Destroy(options_, dir_).IgnoreError();
  }

  Env* env() { return mem_env_ ? static_cast<Env*>(env_.get()) : Env::Default(); }
  MemEnv* mem_env() { return env_.get(); }

  Options DefaultOptions() {
    Options o;
    o.env = mem_env_ ? env_.get() : nullptr;
    o.create_if_missing = true;
    return o;
  }

  // Small buffers and tables so that flushes and compactions happen in
  // tests that write a few hundred KiB.
  void UseSmallBuffers(size_t write_buffer = 64 * 1024) {
    options_.write_buffer_size = write_buffer;
    options_.target_file_size = 32 * 1024;
    options_.max_bytes_for_level_base = 128 * 1024;
    options_.block_size = 1024;
  }

  Status TryOpen() { return DB::Open(options_, dir_, &db_); }
  void Open() { STRATA_ASSERT_OK(TryOpen()); }
  void Close() {
    if (db_) {
      Status s = db_->Close();
      db_.reset();
      STRATA_ASSERT_OK(s);
    }
  }
  void Reopen() {
    Close();
    Open();
  }
  void DestroyAndReopen() {
    if (db_) {
      db_->Close().IgnoreError();
      db_.reset();
    }
    STRATA_ASSERT_OK(DB::Destroy(options_, dir_));
    Open();
  }

  // Simulates a machine crash of the open DB (MemEnv only): the DB object
  // is destroyed with every write failing, so it cannot change what is on
  // "disk", then every unsynced byte is forgotten and the DB reopened.
  void CrashAndReopen() {
    ASSERT_TRUE(mem_env_) << "CrashAndReopen needs a MemEnv";
    Crash();
    Open();
  }
  void Crash() {
    env_->SetWriteErrors(true);
    db_.reset();
    env_->SetWriteErrors(false);
    env_->SimulateCrash();
  }

  // Verbs.
  Status Put(const std::string& k, const std::string& v, bool sync = false) {
    WriteOptions wo;
    wo.sync = sync;
    return db_->Put(wo, k, v);
  }
  Status Delete(const std::string& k, bool sync = false) {
    WriteOptions wo;
    wo.sync = sync;
    return db_->Delete(wo, k);
  }
  Status Write(const WriteBatch& b, bool sync = false) {
    WriteOptions wo;
    wo.sync = sync;
    return db_->Write(wo, b);
  }

  // The value, "NOT_FOUND", or "ERROR: <status>".
  std::string Get(const std::string& k, const Snapshot* snap = nullptr) {
    ReadOptions ro;
    ro.snapshot = snap;
    std::string v;
    Status s = db_->Get(ro, k, &v);
    if (s.IsNotFound()) return "NOT_FOUND";
    if (!s.ok()) return "ERROR: " + s.ToString();
    return v;
  }

  // Everything visible (at snap), read with an iterator.
  Model Contents(const Snapshot* snap = nullptr) {
    ReadOptions ro;
    ro.snapshot = snap;
    Model m;
    auto it = db_->NewIterator(ro);
    std::string prev;
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      std::string k = it->key().ToString();
      if (!m.empty()) {
        EXPECT_LT(prev, k) << "iterator keys out of order";
      }
      m[k] = it->value().ToString();
      prev = k;
    }
    EXPECT_TRUE(it->status().ok()) << it->status().ToString();
    return m;
  }

  // Everything visible, read backwards.
  Model ContentsBackward(const Snapshot* snap = nullptr) {
    ReadOptions ro;
    ro.snapshot = snap;
    Model m;
    auto it = db_->NewIterator(ro);
    std::string prev;
    for (it->SeekToLast(); it->Valid(); it->Prev()) {
      std::string k = it->key().ToString();
      if (!m.empty()) {
        EXPECT_GT(prev, k) << "reverse iterator keys out of order";
      }
      m[k] = it->value().ToString();
      prev = k;
    }
    EXPECT_TRUE(it->status().ok()) << it->status().ToString();
    return m;
  }

  // Every key of model has its value via Get, and the iterator sees exactly
  // the model in both directions.
  void CheckMatches(const Model& model, const Snapshot* snap = nullptr) {
    for (const auto& [k, v] : model) {
      std::string got = Get(k, snap);
      if (got != v) {
        ADD_FAILURE() << "Get(" << Printable(k) << ") = " << Printable(got) << ", want " << Printable(v);
        return;
      }
    }
    Model fwd = Contents(snap);
    EXPECT_TRUE(fwd == model) << "forward iteration differs: " << fwd.size() << " keys, model "
                              << model.size();
    Model bwd = ContentsBackward(snap);
    EXPECT_TRUE(bwd == model) << "backward iteration differs: " << bwd.size() << " keys, model "
                              << model.size();
  }

  // Puts Key(i) = ValueFor(i, version, value_len) for i in [from, to), and
  // mirrors them into *model when given.
  void FillRange(int from, int to, int version = 0, size_t value_len = 100, Model* model = nullptr) {
    for (int i = from; i < to; i++) {
      std::string v = ValueFor(i, version, value_len);
      STRATA_ASSERT_OK(Put(Key(i), v));
      if (model) (*model)[Key(i)] = v;
    }
  }

  Stats GetStats() { return db_->GetStats(); }
  int NumTableFilesAtLevel(int level) { return static_cast<int>(FilesAtLevel(GetStats(), level)); }
  int CountTableFiles() { return static_cast<int>(TotalTableFiles(GetStats())); }
  int CountTableFilesOnDisk() { return static_cast<int>(FilesOfType(env(), dir_, ".sst").size()); }

  // Runs every pending flush and compaction to completion: with no
  // background thread by calling RunPendingWork(), else by waiting until
  // nothing is running and no level wants compaction.
  void DrainPendingWork(DB* db = nullptr) {
    if (db == nullptr) db = db_.get();
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    if (!options_.background_thread) {
      int steps = 0;
      while (true) {
        bool pending = db->HasPendingWork();
        Stats st = db->GetStats();
        if (!pending && st.compactions_running == 0) break;
        if (pending) {
          STRATA_ASSERT_OK(db->RunPendingWork());
          ASSERT_LT(++steps, 100000) << "RunPendingWork never finishes";
        } else {
          std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
        ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "pending work never drains";
      }
      return;
    }
    while (true) {
      Stats st = db->GetStats();
      // HasPendingWork also sees a seek compaction due (no level's score shows it).
      bool busy = st.immutable_memtable || st.compactions_running > 0 || db->HasPendingWork();
      for (const auto& l : st.levels) busy = busy || l.score >= 1;
      if (!busy) break;
      ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "background work never settles";
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  }

  bool mem_env_;
  std::unique_ptr<MemEnv> env_;
  std::string dir_;
  Options options_;
  std::unique_ptr<DB> db_;
};

// Which way background work runs, and which WAL policy the Env asks for:
// a segment per durability point (the browser build) or a segment kept open
// across syncs (Env::SyncedAppendsAreCheap, as natively).
struct Mode {
  bool background_thread;
  const char* name;
  bool synced_appends_are_cheap = false;
};
inline std::string ModeName(const ::testing::TestParamInfo<Mode>& info) {
  return info.param.name;
}
inline void PrintTo(const Mode& m, std::ostream* os) {
  *os << m.name;
}
inline const Mode kBackgroundThread{true, "BackgroundThread"};
inline const Mode kNoThreads{false, "NoThreads"};
inline const Mode kBackgroundThreadSyncedAppends{true, "BackgroundThreadSyncedAppends", true};
inline const Mode kNoThreadsSyncedAppends{false, "NoThreadsSyncedAppends", true};

// A DBTestBase run once per Mode.
class DBModeTest : public DBTestBase, public ::testing::WithParamInterface<Mode> {
 protected:
  DBModeTest() {
    options_.background_thread = GetParam().background_thread;
    // As the browser build does: a flush written a few KiB a step.
    if (!options_.background_thread) options_.flush_step_bytes = 4 * 1024;
    mem_env()->SetSyncedAppendsAreCheap(GetParam().synced_appends_are_cheap);
  }
};

}  // namespace dbtest
}  // namespace strata
