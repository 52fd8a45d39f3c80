// The basic DB API and every error path of its arguments and options.
#include <thread>

#include "db/db_test_util.h"

namespace strata {
namespace dbtest {
namespace {

class DBBasicTest : public DBTestBase {
 protected:
  DBBasicTest() { Open(); }
};

// ---------------------------------------------------------------------------
// Put / Get / Delete

TEST_F(DBBasicTest, EmptyDatabaseFindsNothing) {
  std::string v = "untouched";
  Status s = db_->Get(ReadOptions(), "a", &v);
  EXPECT_TRUE(s.IsNotFound()) << s.ToString();
  EXPECT_TRUE(Contents().empty());
}

TEST_F(DBBasicTest, PutThenGetReturnsTheValue) {
  STRATA_ASSERT_OK(Put("foo", "v1"));
  EXPECT_EQ("v1", Get("foo"));
  EXPECT_EQ("NOT_FOUND", Get("fo"));
  EXPECT_EQ("NOT_FOUND", Get("foo2"));
}

TEST_F(DBBasicTest, OverwriteReturnsTheNewestValue) {
  STRATA_ASSERT_OK(Put("foo", "v1"));
  STRATA_ASSERT_OK(Put("foo", "v2"));
  EXPECT_EQ("v2", Get("foo"));
  STRATA_ASSERT_OK(db_->Flush());
  STRATA_ASSERT_OK(Put("foo", "v3"));
  EXPECT_EQ("v3", Get("foo"));
  STRATA_ASSERT_OK(db_->Flush());
  EXPECT_EQ("v3", Get("foo"));
  STRATA_ASSERT_OK(db_->CompactRange(nullptr, nullptr));
  EXPECT_EQ("v3", Get("foo"));
}

TEST_F(DBBasicTest, DeleteHidesTheKeyAndAPutBringsItBack) {
  STRATA_ASSERT_OK(Put("foo", "v1"));
  STRATA_ASSERT_OK(Delete("foo"));
  EXPECT_EQ("NOT_FOUND", Get("foo"));
  STRATA_ASSERT_OK(Put("foo", "v2"));
  EXPECT_EQ("v2", Get("foo"));
  STRATA_ASSERT_OK(Delete("foo"));
  STRATA_ASSERT_OK(db_->Flush());
  EXPECT_EQ("NOT_FOUND", Get("foo"));
}

TEST_F(DBBasicTest, DeleteOfAMissingKeyIsOk) {
  STRATA_ASSERT_OK(Delete("never-written"));
  EXPECT_EQ("NOT_FOUND", Get("never-written"));
}

TEST_F(DBBasicTest, DeleteInMemtableHidesValueInTable) {
  STRATA_ASSERT_OK(Put("foo", "v1"));
  STRATA_ASSERT_OK(db_->Flush());
  STRATA_ASSERT_OK(Delete("foo"));
  EXPECT_EQ("NOT_FOUND", Get("foo"));
  EXPECT_TRUE(Contents().empty());
  STRATA_ASSERT_OK(db_->Flush());
  EXPECT_EQ("NOT_FOUND", Get("foo"));
  Reopen();
  EXPECT_EQ("NOT_FOUND", Get("foo"));
}

TEST_F(DBBasicTest, EmptyValueIsAValueNotAMissingKey) {
  STRATA_ASSERT_OK(Put("k", ""));
  std::string v = "x";
  STRATA_ASSERT_OK(db_->Get(ReadOptions(), "k", &v));
  EXPECT_EQ("", v);
  STRATA_ASSERT_OK(db_->Flush());
  v = "x";
  STRATA_ASSERT_OK(db_->Get(ReadOptions(), "k", &v));
  EXPECT_EQ("", v);
}

TEST_F(DBBasicTest, BinaryKeysWithZeroAndFfBytesAreDistinctAndOrderedBytewise) {
  // In bytewise (unsigned) order.
  const std::vector<std::string> keys = {
      std::string("\0", 1),       std::string("\0\0", 2), std::string("\0\xff", 2), std::string("\x01"),
      std::string("a"),           std::string("a\0", 2),  std::string("a\0b", 3),   std::string("a\x7f"),
      std::string("a\x80"),       std::string("a\xff"),   std::string("\x7f"),      std::string("\x80"),
      std::string("\xfe\xff"),    std::string("\xff"),    std::string("\xff\0", 2), std::string("\xff\xff"),
      std::string("\xff\xff\xff")};
  Model model;
  for (size_t i = 0; i < keys.size(); i++) {
    std::string v = std::string("v\0", 2) + std::to_string(i) + "\xff";
    STRATA_ASSERT_OK(Put(keys[i], v));
    model[keys[i]] = v;
  }
  ASSERT_EQ(model.size(), keys.size()) << "test keys must be distinct";
  auto check = [&] {
    std::vector<std::string> seen;
    auto it = db_->NewIterator(ReadOptions());
    for (it->SeekToFirst(); it->Valid(); it->Next()) seen.push_back(it->key().ToString());
    EXPECT_EQ(keys, seen) << "iteration order is not bytewise";
    CheckMatches(model);
  };
  check();
  STRATA_ASSERT_OK(db_->Flush());
  check();
  Reopen();
  check();
  STRATA_ASSERT_OK(db_->CompactRange(nullptr, nullptr));
  check();
}

TEST_F(DBBasicTest, KeyOfMaxSizeIsAcceptedAndKeyOneByteLongerIsInvalidArgument) {
  std::string max_key(kMaxKeySize, 'k');
  max_key[0] = '\xff';
  max_key.back() = '\0';
  STRATA_ASSERT_OK(Put(max_key, "v"));
  EXPECT_EQ("v", Get(max_key));

  std::string too_long(kMaxKeySize + 1, 'k');
  Status s = Put(too_long, "v");
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_FALSE(s.message().empty());
  s = Delete(too_long);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  std::string v;
  s = db_->Get(ReadOptions(), too_long, &v);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();

  STRATA_ASSERT_OK(db_->Flush());
  EXPECT_EQ("v", Get(max_key));
  Reopen();
  EXPECT_EQ("v", Get(max_key));
  EXPECT_EQ(1u, Contents().size());
}

TEST_F(DBBasicTest, TheEmptyKeyIsAKeySortedFirstEverywhere) {
  STRATA_ASSERT_OK(Put("b", "2"));
  STRATA_ASSERT_OK(Put("", "empty"));
  STRATA_ASSERT_OK(Put(std::string("\0", 1), "nul"));
  EXPECT_EQ("empty", Get(""));
  auto first = [&] {
    auto it = db_->NewIterator(ReadOptions());
    it->SeekToFirst();
    return it->Valid() ? it->key().ToString() + "=" + it->value().ToString() : std::string("none");
  };
  EXPECT_EQ("=empty", first());
  // In a table, after a compaction and after recovery too.
  STRATA_ASSERT_OK(db_->Flush());
  EXPECT_EQ("empty", Get(""));
  STRATA_ASSERT_OK(db_->CompactRange(nullptr, nullptr));
  EXPECT_EQ("=empty", first());
  STRATA_ASSERT_OK(Put("", "again"));
  Reopen();
  EXPECT_EQ("again", Get(""));
  EXPECT_EQ(3u, Contents().size());
  STRATA_ASSERT_OK(Delete(""));
  EXPECT_EQ("NOT_FOUND", Get(""));
  EXPECT_EQ(std::string("\0", 1) + "=nul", first());
  // An empty begin bound of a range compaction is the empty key, inclusive.
  const Slice empty("");
  STRATA_ASSERT_OK(db_->CompactRange(&empty, &empty));
  EXPECT_EQ("2", Get("b"));
}

TEST_F(DBBasicTest, ValueOneByteOverTheLimitIsInvalidArgument) {
  std::string huge(kMaxValueSize + 1, 'x');
  Status s = Put("k", huge);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_EQ("NOT_FOUND", Get("k"));
  EXPECT_EQ(0u, GetStats().memtable_entries);
}

TEST_F(DBBasicTest, LargeValuesRoundTripThroughMemtableTablesAndReopen) {
  Rng rng(301);
  Model model;
  for (size_t len : {size_t{32 * 1024 - 10}, size_t{100 * 1024}, size_t{1 << 20}, size_t{3 << 20}}) {
    std::string v = RandomBytes(rng, len);
    STRATA_ASSERT_OK(Put("big" + std::to_string(len), v));
    model["big" + std::to_string(len)] = v;
  }
  CheckMatches(model);
  Reopen();  // replays the WAL or reads tables
  CheckMatches(model);
  STRATA_ASSERT_OK(db_->Flush());
  STRATA_ASSERT_OK(db_->CompactRange(nullptr, nullptr));
  CheckMatches(model);
}

// ---------------------------------------------------------------------------
// WriteBatch

TEST_F(DBBasicTest, WriteBatchAppliesEntriesInOrder) {
  STRATA_ASSERT_OK(Put("gone", "old"));
  WriteBatch b;
  b.Put("k", "1");
  b.Delete("k");
  b.Put("k", "2");
  b.Put("x", "1");
  b.Delete("x");
  b.Delete("gone");
  b.Put("y", "3");
  EXPECT_EQ(7u, b.Count());
  STRATA_ASSERT_OK(Write(b));
  EXPECT_EQ("2", Get("k"));
  EXPECT_EQ("NOT_FOUND", Get("x"));
  EXPECT_EQ("NOT_FOUND", Get("gone"));
  EXPECT_EQ("3", Get("y"));
  Reopen();
  EXPECT_EQ("2", Get("k"));
  EXPECT_EQ("NOT_FOUND", Get("x"));
  EXPECT_EQ("NOT_FOUND", Get("gone"));
  EXPECT_EQ("3", Get("y"));
}

TEST_F(DBBasicTest, EmptyWriteBatchIsOk) {
  WriteBatch b;
  EXPECT_EQ(0u, b.Count());
  STRATA_ASSERT_OK(Write(b));
  STRATA_ASSERT_OK(Write(b, /*sync=*/true));
  EXPECT_TRUE(Contents().empty());
}

TEST_F(DBBasicTest, WriteBatchWithAnOversizedKeyIsRejectedWhole) {
  WriteBatch b;
  b.Put("a", "1");
  b.Put(std::string(kMaxKeySize + 1, 'k'), "2");
  b.Put("b", "3");
  EXPECT_TRUE(b.status().IsInvalidArgument()) << b.status().ToString();
  Status s = Write(b);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_EQ("NOT_FOUND", Get("a"));
  EXPECT_EQ("NOT_FOUND", Get("b"));
  Reopen();
  EXPECT_TRUE(Contents().empty()) << "a rejected batch reached the WAL";
}

TEST_F(DBBasicTest, WriteBatchWithAnOversizedKeyOrValueIsRejectedWhole) {
  {
    WriteBatch b;
    b.Put("a", "1");
    b.Delete(std::string(kMaxKeySize + 1, 'k'));
    b.Put("b", "2");
    Status s = Write(b);
    EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  }
  {
    WriteBatch b;
    b.Put("c", "1");
    b.Put("d", std::string(kMaxValueSize + 1, 'v'));
    Status s = Write(b, /*sync=*/true);
    EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  }
  {
    WriteBatch b;
    b.Put("e", "1");
    b.Delete(std::string(kMaxKeySize + 2, 'k'));
    Status s = Write(b);
    EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  }
  EXPECT_TRUE(Contents().empty());
  Reopen();
  EXPECT_TRUE(Contents().empty());
}

TEST_F(DBBasicTest, ClearedWriteBatchIsUsableAgain) {
  WriteBatch b;
  b.Put(std::string(kMaxKeySize + 1, 'k'), "bad");
  ASSERT_FALSE(b.status().ok());
  b.Clear();
  EXPECT_TRUE(b.status().ok()) << b.status().ToString();
  EXPECT_EQ(0u, b.Count());
  b.Put("a", "1");
  STRATA_ASSERT_OK(Write(b));
  EXPECT_EQ("1", Get("a"));
}

// ---------------------------------------------------------------------------
// Scan

class DBScanTest : public DBBasicTest {
 protected:
  DBScanTest() {
    for (char c = 'a'; c <= 'j'; c++) EXPECT_TRUE(Put(std::string(1, c), std::string("v") + c).ok());
  }
  std::string ScanKeys(const std::string& start, const std::string& end, size_t limit,
                       const Snapshot* snap = nullptr) {
    ReadOptions ro;
    ro.snapshot = snap;
    std::vector<std::pair<std::string, std::string>> out;
    Status s = db_->Scan(ro, start, end, limit, &out);
    if (!s.ok()) return "ERROR: " + s.ToString();
    std::string keys;
    for (const auto& [k, v] : out) {
      EXPECT_EQ("v" + k, v);
      keys += k;
    }
    return keys;
  }
};

TEST_F(DBScanTest, ScanReturnsStartInclusiveEndExclusive) {
  EXPECT_EQ("cde", ScanKeys("c", "f", 0));
  EXPECT_EQ("c", ScanKeys("c", "d", 0));
  EXPECT_EQ("cde", ScanKeys("bb", "ee", 0));
}

TEST_F(DBScanTest, ScanWithEmptyEndIsUnbounded) {
  EXPECT_EQ("cdefghij", ScanKeys("c", "", 0));
  EXPECT_EQ("abcdefghij", ScanKeys("", "", 0));
  EXPECT_EQ("", ScanKeys("k", "", 0));
}

TEST_F(DBScanTest, ScanLimitCapsEntriesAndZeroMeansNoLimit) {
  EXPECT_EQ("cd", ScanKeys("c", "", 2));
  EXPECT_EQ("c", ScanKeys("c", "z", 1));
  EXPECT_EQ("cdefghij", ScanKeys("c", "", 100));
  EXPECT_EQ("abcdefghij", ScanKeys("a", "", 0));
}

TEST_F(DBScanTest, ScanOfAnEmptyOrInvertedRangeIsEmpty) {
  EXPECT_EQ("", ScanKeys("c", "c", 0));
  std::vector<std::pair<std::string, std::string>> out;
  Status s = db_->Scan(ReadOptions(), "f", "c", 0, &out);
  EXPECT_TRUE(s.ok() || s.IsInvalidArgument()) << s.ToString();
  EXPECT_TRUE(out.empty());
}

TEST_F(DBScanTest, ScanSkipsDeletedKeysAndSeesOverwritesAcrossLevels) {
  STRATA_ASSERT_OK(db_->Flush());
  STRATA_ASSERT_OK(db_->CompactRange(nullptr, nullptr));
  STRATA_ASSERT_OK(Delete("d"));
  STRATA_ASSERT_OK(db_->Flush());
  STRATA_ASSERT_OK(Delete("e"));
  STRATA_ASSERT_OK(Put("ee", "vee"));
  EXPECT_EQ("ceef", ScanKeys("c", "g", 0));
  EXPECT_EQ("ceef", ScanKeys("c", "", 3));
}

TEST_F(DBScanTest, ScanAtASnapshotSeesTheOldState) {
  const Snapshot* snap = db_->GetSnapshot();
  ASSERT_NE(nullptr, snap);
  STRATA_ASSERT_OK(Delete("c"));
  STRATA_ASSERT_OK(Put("cc", "vcc"));
  EXPECT_EQ("cde", ScanKeys("c", "f", 0, snap));
  EXPECT_EQ("ccde", ScanKeys("c", "f", 0));
  db_->ReleaseSnapshot(snap);
}

TEST_F(DBScanTest, ScanWithAnOversizedStartKeyIsInvalidArgument) {
  std::vector<std::pair<std::string, std::string>> out;
  Status s = db_->Scan(ReadOptions(), std::string(kMaxKeySize + 1, 'a'), "", 0, &out);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
}

// ---------------------------------------------------------------------------
// Close, Open and the directory

TEST_F(DBBasicTest, EveryCallAfterCloseIsInvalidArgument) {
  STRATA_ASSERT_OK(Put("a", "1"));
  STRATA_ASSERT_OK(db_->Close());
  WriteOptions wo;
  ReadOptions ro;
  std::string v;
  WriteBatch b;
  b.Put("b", "2");
  std::vector<std::pair<std::string, std::string>> out;
  Slice begin("a"), end("z");
  EXPECT_TRUE(db_->Put(wo, "a", "2").IsInvalidArgument());
  EXPECT_TRUE(db_->Delete(wo, "a").IsInvalidArgument());
  EXPECT_TRUE(db_->Write(wo, b).IsInvalidArgument());
  EXPECT_TRUE(db_->Get(ro, "a", &v).IsInvalidArgument());
  EXPECT_TRUE(db_->Scan(ro, "a", "", 0, &out).IsInvalidArgument());
  EXPECT_TRUE(out.empty());
  auto it = db_->NewIterator(ro);
  ASSERT_NE(nullptr, it);
  EXPECT_TRUE(it->status().IsInvalidArgument()) << it->status().ToString();
  it->SeekToFirst();
  EXPECT_FALSE(it->Valid());
  it.reset();
  EXPECT_EQ(nullptr, db_->GetSnapshot());
  EXPECT_TRUE(db_->Sync().IsInvalidArgument());
  EXPECT_TRUE(db_->Flush().IsInvalidArgument());
  EXPECT_TRUE(db_->CompactRange(nullptr, nullptr).IsInvalidArgument());
  EXPECT_TRUE(db_->CompactRange(&begin, &end).IsInvalidArgument());
  EXPECT_TRUE(db_->RunPendingWork().IsInvalidArgument());
  EXPECT_FALSE(db_->HasPendingWork());
  Status s = db_->Close();
  EXPECT_TRUE(s.IsInvalidArgument()) << "second Close: " << s.ToString();
  db_->GetStats();  // answers something, without crashing
  db_.reset();
  Open();
  EXPECT_EQ("1", Get("a"));
}

TEST_F(DBBasicTest, OpeningAnOpenDirectoryAgainIsBusy) {
  std::unique_ptr<DB> second;
  Status s = DB::Open(options_, dir_, &second);
  EXPECT_TRUE(s.IsBusy()) << s.ToString();
  EXPECT_EQ(nullptr, second);
  STRATA_ASSERT_OK(Put("a", "1"));  // the first handle is unharmed
  Close();
  STRATA_ASSERT_OK(DB::Open(options_, dir_, &second));
  std::string v;
  STRATA_ASSERT_OK(second->Get(ReadOptions(), "a", &v));
  EXPECT_EQ("1", v);
  STRATA_ASSERT_OK(second->Close());
}

TEST_F(DBBasicTest, DestroyingTheDBObjectWithoutCloseReleasesTheDirectory) {
  STRATA_ASSERT_OK(Put("a", "1"));
  db_.reset();
  Open();
  EXPECT_EQ("1", Get("a"));
}

TEST_F(DBBasicTest, OpenWithoutCreateIfMissingFailsOnAMissingDirectory) {
  Options o = options_;
  o.create_if_missing = false;
  std::unique_ptr<DB> db;
  Status s = DB::Open(o, "/missing", &db);
  EXPECT_TRUE(s.IsNotFound()) << s.ToString();
  EXPECT_EQ(nullptr, db);
  s = DB::Open(o, "/missing", &db);  // the failed Open created nothing
  EXPECT_TRUE(s.IsNotFound()) << s.ToString();
}

TEST_F(DBBasicTest, OpenWithErrorIfExistsFailsOnAnExistingDatabase) {
  Open();
  Close();
  Options o = options_;
  o.error_if_exists = true;
  std::unique_ptr<DB> db;
  Status s = DB::Open(o, dir_, &db);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_NE(std::string::npos, s.message().find("exists"));
  STRATA_ASSERT_OK(DB::Open(o, "/fresh", &db));  // a new one is fine
}

TEST_F(DBBasicTest, OpenWithErrorIfExistsFailsOnAnExistingDatabaseAndLeavesItIntact) {
  STRATA_ASSERT_OK(Put("a", "1"));
  Close();
  Options o = options_;
  o.error_if_exists = true;
  std::unique_ptr<DB> db;
  Status s = DB::Open(o, dir_, &db);
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(nullptr, db);
  Open();
  EXPECT_EQ("1", Get("a"));
}

TEST_F(DBBasicTest, OpenWithErrorIfExistsCreatesANewDatabase) {
  Options o = options_;
  o.error_if_exists = true;
  std::unique_ptr<DB> db;
  STRATA_ASSERT_OK(DB::Open(o, "/fresh", &db));
  STRATA_ASSERT_OK(db->Put(WriteOptions(), "a", "1"));
  STRATA_ASSERT_OK(db->Close());
}

TEST_F(DBBasicTest, InvalidOptionsAreInvalidArgument) {
  Close();
  struct Case {
    const char* what;
    void (*mutate)(Options*);
  };
  const Case cases[] = {
      {"write_buffer_size 0", [](Options* o) { o->write_buffer_size = 0; }},
      {"bloom_bits_per_key -1", [](Options* o) { o->bloom_bits_per_key = -1; }},
      {"l0 slowdown < compaction trigger",
       [](Options* o) {
         o->l0_compaction_trigger = 8;
         o->l0_slowdown_writes_trigger = 4;
       }},
      {"l0 stop < slowdown trigger",
       [](Options* o) {
         o->l0_slowdown_writes_trigger = 12;
         o->l0_stop_writes_trigger = 8;
       }},
      {"l0 compaction trigger 0", [](Options* o) { o->l0_compaction_trigger = 0; }},
      {"block_size 0", [](Options* o) { o->block_size = 0; }},
      {"block_restart_interval 0", [](Options* o) { o->block_restart_interval = 0; }},
      {"target_file_size 0", [](Options* o) { o->target_file_size = 0; }},
      {"zlib_level 10", [](Options* o) { o->zlib_level = 10; }},
      {"compression_per_level empty", [](Options* o) { o->compression_per_level.clear(); }},
  };
  for (const Case& c : cases) {
    Options o = options_;
    c.mutate(&o);
    std::unique_ptr<DB> db;
    Status s = DB::Open(o, "/invalid", &db);
    EXPECT_TRUE(s.IsInvalidArgument()) << c.what << ": " << s.ToString();
    EXPECT_FALSE(s.message().empty()) << c.what;
    if (db) db->Close().IgnoreError();
  }
}

TEST_F(DBBasicTest, DestroyRemovesTheDatabase) {
  STRATA_ASSERT_OK(Put("a", "1"));
  STRATA_ASSERT_OK(db_->Flush());
  Close();
  STRATA_ASSERT_OK(DB::Destroy(options_, dir_));
  EXPECT_TRUE(FilesOfType(env(), dir_, "").empty());
  Options o = options_;
  o.create_if_missing = false;
  std::unique_ptr<DB> db;
  EXPECT_FALSE(DB::Open(o, dir_, &db).ok());
  Open();
  EXPECT_EQ("NOT_FOUND", Get("a"));
}

TEST_F(DBBasicTest, DestroyOfAnOpenDatabaseIsRefused) {
  STRATA_ASSERT_OK(Put("a", "1"));
  Status s = DB::Destroy(options_, dir_);
  EXPECT_FALSE(s.ok()) << "Destroy removed an open database";
  EXPECT_EQ("1", Get("a"));
}

// ---------------------------------------------------------------------------
// Stats of user operations

TEST_F(DBBasicTest, StatsCountUserOperations) {
  STRATA_ASSERT_OK(Put("a", "1"));
  STRATA_ASSERT_OK(Put("b", "22"));
  STRATA_ASSERT_OK(Delete("a"));
  WriteBatch b;
  b.Put("c", "3");
  b.Delete("d");
  STRATA_ASSERT_OK(Write(b));
  EXPECT_EQ("22", Get("b"));
  EXPECT_EQ("NOT_FOUND", Get("a"));
  std::vector<std::pair<std::string, std::string>> out;
  STRATA_ASSERT_OK(db_->Scan(ReadOptions(), "", "", 0, &out));
  Stats st = GetStats();
  EXPECT_GE(st.puts, 2u);
  EXPECT_GE(st.deletes, 1u);
  EXPECT_EQ(1u, st.batch_writes);
  EXPECT_EQ(2u, st.gets);
  EXPECT_EQ(1u, st.get_hits);
  EXPECT_GE(st.scans, 1u);
  // Keys and values given to writes: a1 b22 a c3 d.
  EXPECT_EQ(9u, st.user_bytes_written);
  EXPECT_GT(st.wal_bytes, 0u);
  EXPECT_GE(st.wal_records, 4u);
  EXPECT_GE(st.last_sequence, 5u);
  EXPECT_GE(st.put_latency.count, 2u);
  EXPECT_EQ(2u, st.get_latency.count);
  EXPECT_FALSE(st.read_only);
  EXPECT_FALSE(st.ToPrometheus().empty());
}

TEST_F(DBBasicTest, FlushWritesTheMemtableIntoOneL0Table) {
  FillRange(0, 100);
  Stats before = GetStats();
  EXPECT_EQ(100u, before.memtable_entries);
  EXPECT_EQ(0u, TotalTableFiles(before));
  STRATA_ASSERT_OK(db_->Flush());
  Stats after = GetStats();
  EXPECT_EQ(0u, after.memtable_entries);
  ASSERT_EQ(1u, TotalTableFiles(after));
  ASSERT_EQ(1u, FilesAtLevel(after, 0)) << "Flush writes an L0 table";
  const TableFileInfo& t = after.levels[0].tables[0];
  EXPECT_EQ(Key(0), t.smallest_key);
  EXPECT_EQ(Key(99), t.largest_key);
  EXPECT_EQ(100u, t.entries);
  EXPECT_EQ(0u, t.tombstones);
  EXPECT_EQ(1u, after.flushes);
  EXPECT_EQ(1, CountTableFilesOnDisk());
  STRATA_ASSERT_OK(db_->Flush());  // an empty memtable makes no table
  EXPECT_EQ(1u, TotalTableFiles(GetStats()));
}

// ---------------------------------------------------------------------------
// Threads

TEST_F(DBBasicTest, ConcurrentWritersAndReadersSeeEveryAcknowledgedWrite) {
  Close();
  UseSmallBuffers();
  Open();
  constexpr int kThreads = 4;
  constexpr int kPerThread = 1500;
  std::atomic<int> acked[kThreads];
  for (auto& a : acked) a = -1;
  std::atomic<bool> failed{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; t++) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; i++) {
        std::string k = "t" + std::to_string(t) + "-" + Key(i);
        Status s;
        if (i % 10 == 0) {
          WriteBatch b;
          b.Put(k, ValueFor(i, t));
          b.Put(k + "-batch", ValueFor(i, t));
          s = db_->Write(WriteOptions(), b);
        } else {
          s = db_->Put(WriteOptions(), k, ValueFor(i, t));
        }
        if (!s.ok()) failed = true;
        acked[t] = i;
      }
    });
  }
  // A reader checks that every acknowledged write is visible.
  std::thread reader([&] {
    Rng rng(7);
    for (int n = 0; n < 3000 && !failed; n++) {
      int t = static_cast<int>(Uniform(rng, kThreads));
      int upto = acked[t];
      if (upto < 0) continue;
      int i = static_cast<int>(Uniform(rng, upto + 1));
      std::string v;
      Status s = db_->Get(ReadOptions(), "t" + std::to_string(t) + "-" + Key(i), &v);
      if (!s.ok() || v != ValueFor(i, t)) failed = true;
    }
  });
  for (auto& th : threads) th.join();
  reader.join();
  EXPECT_FALSE(failed) << "a write failed or an acknowledged write was not visible";
  DrainPendingWork();
  Model m = Contents();
  EXPECT_EQ(static_cast<size_t>(kThreads * (kPerThread + kPerThread / 10)), m.size());
  Reopen();
  EXPECT_TRUE(m == Contents());
}

// An Env whose clock is slow to read (as under Emscripten), counting reads.
class SlowClockEnv final : public EnvWrapper {
 public:
  explicit SlowClockEnv(Env* base) : EnvWrapper(base) {}
  uint64_t NowMicros() override {
    reads++;
    return EnvWrapper::NowMicros();
  }
  bool ClockIsCheap() const override { return false; }
  std::atomic<uint64_t> reads{0};
};

TEST_F(DBTestBase, WhereTheClockIsSlowOnePutAndGetInEightIsTimedAndCountsForEight) {
  SlowClockEnv clock(env());
  options_.env = &clock;
  Open();
  clock.reads = 0;
  for (int i = 0; i < 80; i++) STRATA_ASSERT_OK(Put(Key(i), "v"));
  EXPECT_EQ(2u * 80 / 8, clock.reads.load()) << "two clock reads per timed put, no others";
  clock.reads = 0;
  for (int i = 0; i < 80; i++) EXPECT_EQ("v", Get(Key(i)));
  EXPECT_EQ(2u * 80 / 8, clock.reads.load());
  const Stats st = GetStats();
  EXPECT_EQ(80u, st.put_latency.count);
  EXPECT_EQ(80u, st.get_latency.count);
  EXPECT_EQ(80u, st.gets);
  Close();
}

TEST_F(DBTestBase, WhereTheClockIsSlowPutsAndGetsInTurnAreBothSampled) {
  SlowClockEnv clock(env());
  options_.env = &clock;
  Open();
  for (int i = 0; i < 80; i++) {
    STRATA_ASSERT_OK(Put(Key(i), "v"));
    EXPECT_EQ("v", Get(Key(i)));
  }
  const Stats st = GetStats();
  EXPECT_EQ(80u, st.put_latency.count);
  EXPECT_EQ(80u, st.get_latency.count);
  Close();
}

TEST_F(DBTestBase, WhereTheClockIsCheapEveryPutAndGetIsTimed) {
  Open();
  for (int i = 0; i < 5; i++) STRATA_ASSERT_OK(Put(Key(i), "v"));
  for (int i = 0; i < 3; i++) EXPECT_EQ("v", Get(Key(i)));
  const Stats st = GetStats();
  EXPECT_EQ(5u, st.put_latency.count);
  EXPECT_EQ(3u, st.get_latency.count);
}

}  // namespace
}  // namespace dbtest
}  // namespace strata
