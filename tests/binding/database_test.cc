// WasmDatabase (wasm/binding/database.h), natively on the POSIX Env in a
// fresh temporary directory per test, driven through the same calling
// convention as the TypeScript package (binding_test_util.h, Driver).
#include "database.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "binding_test_util.h"
#include "json_test_util.h"
#include "strata/env.h"
#include "strata/options.h"

namespace strata {
namespace {

using jsontest::Json;

// database.cc: the largest argument a call may ask the scratch for.
constexpr uint64_t kMaxScratch = kMaxBatchSize + 64;

void AppendU32(std::string* out, uint32_t v) {
  for (int i = 0; i < 4; i++) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

// Batch entries in the binding's encoding (database.h, Write).
std::string PutOp(const std::string& key, const std::string& value) {
  std::string s(1, '\x01');
  AppendU32(&s, static_cast<uint32_t>(key.size()));
  s += key;
  AppendU32(&s, static_cast<uint32_t>(value.size()));
  s += value;
  return s;
}
std::string DeleteOp(const std::string& key) {
  std::string s(1, '\x00');
  AppendU32(&s, static_cast<uint32_t>(key.size()));
  s += key;
  return s;
}

std::string Printable(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (c >= 0x20 && c < 0x7f) {
      out.push_back(static_cast<char>(c));
    } else {
      char buf[8];
      snprintf(buf, sizeof(buf), "\\x%02x", c);
      out += buf;
    }
  }
  return out;
}
std::string Describe(const Bound& b) {
  if (!b.has) return "none";
  return std::string(b.inclusive ? "[" : "(") + "\"" + Printable(b.key) + "\"";
}

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

uint64_t Number(const Json& j) {
  return static_cast<uint64_t>(j.number);
}

class BindingDatabaseTest : public WasmDatabaseTest {
 protected:
  BindingDatabaseTest() : WasmDatabaseTest("strata_binding_") {}

  int Open(const OpenConfig& config = OpenConfig()) { return db_->Open(dir_, config); }

  // The names of the files in the database directory ending with suffix.
  std::set<std::string> FilesEndingWith(const std::string& suffix) {
    std::vector<std::string> names;
    Env::Default()->GetChildren(dir_, &names).IgnoreError();
    std::set<std::string> out;
    for (const auto& n : names) {
      if (EndsWith(n, suffix)) out.insert(n);
    }
    return out;
  }

  using FileSet = std::map<std::string, std::string>;

  // Name -> contents of every file in the database directory but LOCK.
  FileSet DirContents() {
    FileSet files;
    std::vector<std::string> names;
    Env::Default()->GetChildren(dir_, &names).IgnoreError();
    for (const auto& n : names) {
      if (n == "LOCK") continue;
      std::string data;
      EXPECT_TRUE(ReadFileToString(Env::Default(), dir_ + "/" + n, &data).ok()) << n;
      files[n] = data;
    }
    return files;
  }

  // The commit contract: every file created, rewritten or removed since
  // `before` was taken is among the changed paths, and every changed path
  // is now a complete file or absent.
  void ExpectChangesCover(const FileSet& before, const std::vector<std::string>& changes) {
    const FileSet now = DirContents();
    const std::set<std::string> changed(changes.begin(), changes.end());
    std::set<std::string> names;
    for (const auto& [n, data] : before) names.insert(n);
    for (const auto& [n, data] : now) names.insert(n);
    int differing = 0;
    for (const auto& n : names) {
      const auto b = before.find(n), a = now.find(n);
      const bool same = b != before.end() && a != now.end() && b->second == a->second;
      if (same) continue;
      differing++;
      EXPECT_EQ(1u, changed.count(dir_ + "/" + n))
          << n
          << (a == now.end()      ? " was removed"
              : b == before.end() ? " was created"
                                  : " was rewritten")
          << " but is not in the changes " << testing::PrintToString(changes);
    }
    EXPECT_GT(differing, 0) << "the step changed no file";
  }
};

// ---------------------------------------------------------------------------
// Open and close

TEST_F(BindingDatabaseTest, OpenPutGetCloseReopen) {
  ASSERT_EQ(kOk, Open()) << db_->LastError();
  EXPECT_EQ(kOk, d_->Put("k", "v1"));
  EXPECT_EQ("v1", d_->GetOr("k"));
  const std::string binary_key("\x00k\xff", 3), binary_value("\x00\x01\x00\xff", 4);
  EXPECT_EQ(kOk, d_->Put(binary_key, binary_value));
  EXPECT_EQ(binary_value, d_->GetOr(binary_key));
  EXPECT_EQ(kOk, d_->Put("empty", ""));
  std::string value = "stale";
  EXPECT_EQ(kOk, d_->Get("empty", &value));
  EXPECT_EQ("", value);
  EXPECT_EQ(kOk, d_->Delete("k"));
  EXPECT_EQ(kNotFound, d_->Get("k", &value));
  EXPECT_EQ(kNotFound, d_->Get("never", &value));
  ASSERT_EQ(kOk, db_->Close()) << db_->LastError();

  // The same object opens it again, and so does another one.
  ASSERT_EQ(kOk, Open()) << db_->LastError();
  EXPECT_EQ(binary_value, d_->GetOr(binary_key));
  EXPECT_EQ("<code 1>", d_->GetOr("k"));
  ASSERT_EQ(kOk, db_->Close());

  WasmDatabase other;
  Driver o(&other);
  ASSERT_EQ(kOk, other.Open(dir_, OpenConfig())) << other.LastError();
  EXPECT_EQ(binary_value, o.GetOr(binary_key));
  EXPECT_EQ("", o.GetOr("empty"));
}

TEST_F(BindingDatabaseTest, SecondOpenOfAnOpenObjectFails) {
  ASSERT_EQ(kOk, Open());
  ASSERT_EQ(kOk, d_->Put("k", "v"));
  EXPECT_EQ(kInvalidArgument, Open());
  EXPECT_LAST_ERROR_HAS(*db_, "already open");
  EXPECT_EQ(kInvalidArgument, db_->Open(root_ + "/elsewhere", OpenConfig()));
  // The open database is untouched.
  EXPECT_EQ("v", d_->GetOr("k"));
}

TEST_F(BindingDatabaseTest, SecondObjectOnTheSameDirectoryIsBusy) {
  ASSERT_EQ(kOk, Open());
  WasmDatabase other;
  EXPECT_EQ(kBusy, other.Open(dir_, OpenConfig()));
  EXPECT_FALSE(other.LastError().empty());
  Driver o(&other);
  o.ResetError();
  EXPECT_EQ(kInvalidArgument, o.Put("k", "v")) << "a failed Open leaves the object closed";
  EXPECT_LAST_ERROR_HAS(other, "database is closed");
  ASSERT_EQ(kOk, db_->Close());
  EXPECT_EQ(kOk, other.Open(dir_, OpenConfig())) << other.LastError();
}

TEST_F(BindingDatabaseTest, DirectoryMustBeAbsolute) {
  EXPECT_EQ(kInvalidArgument, db_->Open("relative/db", OpenConfig()));
  EXPECT_LAST_ERROR_HAS(*db_, "absolute path");
  EXPECT_EQ(kInvalidArgument, db_->Open("", OpenConfig()));
  EXPECT_LAST_ERROR_HAS(*db_, "absolute path");
  EXPECT_EQ(kOk, Open());
}

TEST_F(BindingDatabaseTest, DestructorClosesAndReleasesTheDirectory) {
  {
    WasmDatabase first;
    Driver f(&first);
    ASSERT_EQ(kOk, first.Open(dir_, OpenConfig()));
    ASSERT_EQ(kOk, f.Put("k", "v"));
    ASSERT_NE(0u, first.NewSnapshot());
    ASSERT_NE(0u, f.NewCursor(NoBound(), NoBound(), false));
  }
  ASSERT_EQ(kOk, Open()) << db_->LastError();
  EXPECT_EQ("v", d_->GetOr("k"));
}

// ---------------------------------------------------------------------------
// Configuration

OpenConfig MemtableBytes(double v) {
  OpenConfig c;
  c.write_buffer_bytes = v;
  return c;
}
OpenConfig CacheBytes(double v) {
  OpenConfig c;
  c.block_cache_bytes = v;
  return c;
}
OpenConfig BloomBits(int v) {
  OpenConfig c;
  c.bloom_bits_per_key = v;
  return c;
}
OpenConfig ZlibLevel(int v, bool compression = true) {
  OpenConfig c;
  c.zlib_level = v;
  c.compression = compression;
  return c;
}

TEST_F(BindingDatabaseTest, BadOpenConfigIsRejected) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  struct Case {
    const char* what;
    OpenConfig config;
    const char* message;
  };
  const Case cases[] = {
      {"memtable 64 KiB - 1", MemtableBytes((64 << 10) - 1), "memtable size"},
      {"memtable 0", MemtableBytes(0), "memtable size"},
      {"memtable 64 MiB + 1", MemtableBytes((64 << 20) + 1.0), "memtable size"},
      {"memtable NaN", MemtableBytes(nan), "memtable size"},
      {"memtable inf", MemtableBytes(inf), "memtable size"},
      {"memtable -inf", MemtableBytes(-inf), "memtable size"},
      {"cache -1", CacheBytes(-1), "block cache size"},
      {"cache NaN", CacheBytes(nan), "block cache size"},
      {"cache 256 MiB + 1", CacheBytes((256 << 20) + 1.0), "block cache size"},
      {"bloom 31", BloomBits(31), "bloom bits"},
      {"bloom -1", BloomBits(-1), "bloom bits"},
      {"zlib 0", ZlibLevel(0), "zlib level"},
      {"zlib 10", ZlibLevel(10), "zlib level"},
      {"zlib 0 without compression", ZlibLevel(0, false), "zlib level"},
  };
  for (const auto& tc : cases) {
    SCOPED_TRACE(tc.what);
    EXPECT_EQ(kInvalidArgument, Open(tc.config));
    EXPECT_LAST_ERROR_HAS(*db_, tc.message);
    d_->ResetError();
    EXPECT_EQ(kInvalidArgument, d_->Put("k", "v")) << "still closed";
    EXPECT_LAST_ERROR_HAS(*db_, "database is closed");
  }
  EXPECT_FALSE(Env::Default()->FileExists(dir_)) << "a rejected config touches no file";
}

TEST_F(BindingDatabaseTest, BoundaryOpenConfigValuesAreAccepted) {
  OpenConfig plain;
  plain.compression = false;
  plain.paranoid_checks = false;
  const std::pair<const char*, OpenConfig> cases[] = {
      {"memtable 64 KiB", MemtableBytes(64 << 10)},
      {"memtable 64 MiB", MemtableBytes(64 << 20)},
      {"cache 0", CacheBytes(0)},
      {"cache 256 MiB", CacheBytes(256 << 20)},
      {"bloom 0", BloomBits(0)},
      {"bloom 30", BloomBits(30)},
      {"zlib 1", ZlibLevel(1)},
      {"zlib 9", ZlibLevel(9)},
      {"no compression, no paranoid checks", plain},
  };
  int i = 0;
  for (const auto& [what, config] : cases) {
    SCOPED_TRACE(what);
    ASSERT_EQ(kOk, Open(config)) << db_->LastError();
    const std::string key = "key" + std::to_string(i++);
    EXPECT_EQ(kOk, d_->Put(key, what));
    EXPECT_EQ(what, d_->GetOr(key));
    ASSERT_EQ(kOk, db_->Close());
  }
}

TEST_F(BindingDatabaseTest, MemtableSizeReachesTheEngine) {
  OpenConfig config;
  config.write_buffer_bytes = 100000;
  config.block_cache_bytes = 123456;
  ASSERT_EQ(kOk, Open(config));
  Json stats = d_->Stats();
  ASSERT_NE(nullptr, stats.Find("memtableLimit"));
  EXPECT_EQ("100000", stats.Find("memtableLimit")->text);
  ASSERT_NE(nullptr, stats.Find("blockCacheCapacity"));
  EXPECT_EQ("123456", stats.Find("blockCacheCapacity")->text);
}

// ---------------------------------------------------------------------------
// A closed handle

TEST_F(BindingDatabaseTest, EveryCallOnAClosedHandleSaysSo) {
  for (int round = 0; round < 2; round++) {
    SCOPED_TRACE(round == 0 ? "never opened" : "after Close");
    if (round == 1) {
      ASSERT_EQ(kOk, Open());
      ASSERT_EQ(kOk, d_->Put("k", "v"));
      ASSERT_EQ(kOk, db_->Close());
    }
    auto expect_closed = [&](const char* call, int code) {
      EXPECT_EQ(kInvalidArgument, code) << call;
      EXPECT_LAST_ERROR_HAS(*db_, "database is closed") << call;
      d_->ResetError();
    };
    d_->ResetError();
    expect_closed("Close", db_->Close());
    d_->Load({"key", "value"});
    expect_closed("Put", db_->Put(3, 5));
    expect_closed("Delete", db_->Delete(3));
    expect_closed("Write", db_->Write(0));
    expect_closed("Get", db_->Get(3, 0));
    expect_closed("ReleaseSnapshot", db_->ReleaseSnapshot(1));
    expect_closed("CursorNext", db_->CursorNext(1, 10, 1000, 0));
    expect_closed("CloseCursor", db_->CloseCursor(1));
    expect_closed("Sync", db_->Sync());
    expect_closed("Flush", db_->Flush());
    expect_closed("Compact", db_->Compact(false, 0, false, 0, 0, false));
    expect_closed("RunPendingWork", db_->RunPendingWork());

    EXPECT_EQ(0u, db_->NewSnapshot());
    expect_closed("NewSnapshot", kInvalidArgument);
    EXPECT_EQ(0u, db_->NewCursor(false, 0, false, false, 0, false, false, 0));
    expect_closed("NewCursor", kInvalidArgument);
    EXPECT_EQ("", db_->StatsJson());
    expect_closed("StatsJson", kInvalidArgument);
    EXPECT_EQ("", db_->Metrics());
    expect_closed("Metrics", kInvalidArgument);
    EXPECT_FALSE(db_->HasPendingWork());
  }
}

// ---------------------------------------------------------------------------
// Argument checks

TEST_F(BindingDatabaseTest, TheEmptyKeyIsAKey) {
  ASSERT_EQ(kOk, Open());
  EXPECT_EQ(kOk, d_->Put("", "empty")) << db_->LastError();
  EXPECT_EQ(kOk, d_->Put("a", "1")) << db_->LastError();
  EXPECT_EQ("empty", d_->GetOr(""));
  // First in a scan; an empty lower bound includes it, an exclusive one
  // excludes only it; an empty exclusive upper bound is an empty range.
  EXPECT_EQ((Entries{{"", "empty"}, {"a", "1"}}), d_->Drain(d_->NewCursor(NoBound(), NoBound(), false)));
  EXPECT_EQ((Entries{{"", "empty"}, {"a", "1"}}), d_->Drain(d_->NewCursor(Incl(""), NoBound(), false)));
  EXPECT_EQ((Entries{{"a", "1"}}), d_->Drain(d_->NewCursor(Excl(""), NoBound(), false)));
  EXPECT_EQ(Entries{}, d_->Drain(d_->NewCursor(NoBound(), Excl(""), false)));
  EXPECT_EQ((Entries{{"", "empty"}}), d_->Drain(d_->NewCursor(NoBound(), Incl(""), false)));
  EXPECT_EQ(kOk, d_->Delete("")) << db_->LastError();
  EXPECT_EQ("<code 1>", d_->GetOr(""));
}

TEST_F(BindingDatabaseTest, OversizedKeyIsRejected) {
  ASSERT_EQ(kOk, Open());
  const std::string largest(kMaxKeySize, 'k');
  const std::string too_large(kMaxKeySize + 1, 'k');
  EXPECT_EQ(kOk, d_->Put(largest, "v"));
  EXPECT_EQ("v", d_->GetOr(largest));
  d_->ResetError();
  EXPECT_EQ(kInvalidArgument, d_->Put(too_large, "v"));
  EXPECT_LAST_ERROR_HAS(*db_, "exceeds");
  EXPECT_EQ(kInvalidArgument, d_->Delete(too_large));
  std::string value;
  EXPECT_EQ(kInvalidArgument, d_->Get(too_large, &value));
  EXPECT_EQ(kInvalidArgument, d_->Write(PutOp("a", "1") + PutOp(too_large, "v")));
  EXPECT_EQ("<code 1>", d_->GetOr("a")) << "a rejected batch applies nothing";
  d_->ResetError();
  EXPECT_EQ(kInvalidArgument, d_->Compact(Incl(too_large), NoBound()));
  EXPECT_LAST_ERROR_HAS(*db_, "exceeds");
  EXPECT_EQ("v", d_->GetOr(largest));
}

TEST_F(BindingDatabaseTest, ArgumentsBeyondTheScratchAreRejected) {
  ASSERT_EQ(kOk, Open());
  // A fresh object's scratch is exactly as large as the first request.
  ASSERT_NE(0u, db_->Scratch(8));
  std::memcpy(reinterpret_cast<char*>(db_->Scratch(8)), "abcdefgh", 8);
  const uint32_t kMax32 = std::numeric_limits<uint32_t>::max();
  const auto check = [&](const char* what, int code) {
    EXPECT_EQ(kInvalidArgument, code) << what;
    EXPECT_LAST_ERROR_HAS(*db_, "exceed the scratch") << what;
    d_->ResetError();
  };
  d_->ResetError();
  check("Put 5+4", db_->Put(5, 4));
  check("Put max+max", db_->Put(kMax32, kMax32));
  check("Put 1+max", db_->Put(1, kMax32));
  check("Delete 9", db_->Delete(9));
  check("Get 9", db_->Get(9, 0));
  check("Write 9", db_->Write(9));
  check("Compact 5+4", db_->Compact(true, 5, true, 4, 0, false));
  check("Compact max+max", db_->Compact(true, kMax32, true, kMax32, 0, false));
  EXPECT_EQ(0u, db_->NewCursor(true, 5, true, true, 4, true, false, 0));
  check("NewCursor 5+4", kInvalidArgument);
  EXPECT_EQ(0u, db_->NewCursor(true, kMax32, true, true, kMax32, true, false, 0));
  check("NewCursor max+max", kInvalidArgument);

  // Sizes of absent bounds are ignored.
  const uint32_t cursor = db_->NewCursor(false, kMax32, true, false, kMax32, true, false, 0);
  EXPECT_NE(0u, cursor) << db_->LastError();
  EXPECT_EQ(kOk, db_->Compact(false, kMax32, false, kMax32, 0, false)) << db_->LastError();

  // Exactly the scratch is fine, and nothing rejected was applied.
  EXPECT_EQ(kOk, db_->Put(4, 4));
  EXPECT_EQ("efgh", d_->GetOr("abcd"));
  Entries all = d_->Drain(d_->NewCursor(NoBound(), NoBound(), false));
  EXPECT_EQ((Entries{{"abcd", "efgh"}}), all);
}

TEST_F(BindingDatabaseTest, ScratchOverTheLimitReturnsZero) {
  d_->ResetError();
  const uintptr_t small = db_->Scratch(16);
  EXPECT_NE(0u, small);
  EXPECT_EQ(0u, db_->Scratch(static_cast<uint32_t>(kMaxScratch + 1)));
  EXPECT_LAST_ERROR_HAS(*db_, std::to_string(kMaxScratch + 1) + " bytes exceeds the " +
                                  std::to_string(kMaxScratch) + "-byte limit");
  EXPECT_EQ(0u, db_->Scratch(std::numeric_limits<uint32_t>::max()));
  // A refused request leaves the scratch as it was.
  const uintptr_t again = db_->Scratch(16);
  EXPECT_NE(0u, again);
  ASSERT_EQ(kOk, Open());
  d_->Load({"k", "v"});
  EXPECT_EQ(kOk, db_->Put(1, 1));
  EXPECT_EQ("v", d_->GetOr("k"));
}

TEST_F(BindingDatabaseTest, ScratchGrowsAndKeepsWorking) {
  ASSERT_EQ(kOk, Open());
  // Growing in steps, each argument larger than the last scratch.
  for (size_t n : {1u, 7u, 100u, 5000u, 70000u, 1u << 20}) {
    SCOPED_TRACE(n);
    const std::string key = "key" + std::to_string(n);
    std::string value(n, '\0');
    for (size_t i = 0; i < n; i++) value[i] = static_cast<char>(i * 131 + n);
    EXPECT_EQ(kOk, d_->Put(key, value));
    EXPECT_EQ(value, d_->GetOr(key));
  }
}

// ---------------------------------------------------------------------------
// Batches

TEST_F(BindingDatabaseTest, ValidBatchIsApplied) {
  ASSERT_EQ(kOk, Open());
  ASSERT_EQ(kOk, d_->Put("old", "1"));
  ASSERT_EQ(kOk, d_->Put("over", "1"));
  const std::string batch = PutOp("a", "A") + DeleteOp("old") + PutOp("over", "2") + PutOp("gone", "x") +
                            DeleteOp("gone") + DeleteOp("back") + PutOp("back", "B") + PutOp("e", "") +
                            PutOp(std::string("\0\xff", 2), std::string("\0", 1)) + DeleteOp("never");
  ASSERT_EQ(kOk, d_->Write(batch)) << db_->LastError();
  EXPECT_EQ("A", d_->GetOr("a"));
  EXPECT_EQ("<code 1>", d_->GetOr("old"));
  EXPECT_EQ("2", d_->GetOr("over"));
  EXPECT_EQ("<code 1>", d_->GetOr("gone")) << "later entries win";
  EXPECT_EQ("B", d_->GetOr("back"));
  EXPECT_EQ("", d_->GetOr("e"));
  EXPECT_EQ(std::string("\0", 1), d_->GetOr(std::string("\0\xff", 2)));

  // An empty batch is fine and changes nothing.
  EXPECT_EQ(kOk, d_->Write(""));
  EXPECT_EQ("A", d_->GetOr("a"));

  Json stats = d_->Stats();
  ASSERT_NE(nullptr, stats.Find("batchWrites"));
  EXPECT_LE(1u, Number(*stats.Find("batchWrites")));
}

TEST_F(BindingDatabaseTest, BatchSurvivesReopen) {
  ASSERT_EQ(kOk, Open());
  ASSERT_EQ(kOk, d_->Write(PutOp("x", "1") + PutOp("y", "2") + DeleteOp("x")));
  ASSERT_EQ(kOk, db_->Close());
  ASSERT_EQ(kOk, Open());
  EXPECT_EQ("<code 1>", d_->GetOr("x"));
  EXPECT_EQ("2", d_->GetOr("y"));
}

TEST_F(BindingDatabaseTest, MalformedBatchIsRejectedWithNoEffect) {
  ASSERT_EQ(kOk, Open());
  ASSERT_EQ(kOk, d_->Put("existing", "keep"));
  // Each starts with valid entries that must not be applied.
  const std::string good = PutOp("p1", "v1") + DeleteOp("existing");
  std::string size_beyond_end = std::string(1, '\x01');
  AppendU32(&size_beyond_end, 100);
  size_beyond_end += "short";
  std::string value_size_beyond_end = std::string(1, '\x01');
  AppendU32(&value_size_beyond_end, 1);
  value_size_beyond_end += "k";
  AppendU32(&value_size_beyond_end, 10);
  value_size_beyond_end += "v";
  std::string huge_size = std::string(1, '\x00');
  AppendU32(&huge_size, 0xffffffffu);
  huge_size += "k";
  const std::vector<std::pair<const char*, std::string>> cases = {
      {"op byte 2", good + std::string("\x02", 1) + PutOp("k", "v").substr(1)},
      // Otherwise well-formed deletes, so only the op byte is wrong.
      {"op byte 2 on a delete", good + std::string("\x02", 1) + DeleteOp("k").substr(1)},
      {"op byte 0x80 on a delete", good + std::string("\x80", 1) + DeleteOp("k").substr(1)},
      {"op byte 0xff on a delete", good + std::string("\xff", 1) + DeleteOp("k").substr(1)},
      {"op byte 0xff", good + "\xff" + PutOp("k", "v").substr(1)},
      {"op byte '1'", good + "1" + PutOp("k", "v").substr(1)},
      {"lone op byte", good + std::string("\x01", 1)},
      {"lone delete op byte", good + std::string("\x00", 1)},
      {"truncated key size", good + PutOp("k", "v").substr(0, 3)},
      {"truncated value size", good + PutOp("key", "v").substr(0, 1 + 4 + 3 + 2)},
      {"missing value size", good + PutOp("key", "v").substr(0, 1 + 4 + 3)},
      {"key size beyond end", good + size_beyond_end},
      {"value size beyond end", good + value_size_beyond_end},
      {"key size 2^32-1", good + huge_size},
      {"value cut short", good + PutOp("key", "value").substr(0, PutOp("key", "value").size() - 1)},
      {"trailing byte after valid entries", good + PutOp("k", "v") + std::string("\x01\x01", 2)},
  };
  for (const auto& [what, encoded] : cases) {
    SCOPED_TRACE(what);
    d_->ResetError();
    EXPECT_EQ(kInvalidArgument, d_->Write(encoded));
    EXPECT_LAST_ERROR_HAS(*db_, "malformed batch encoding");
    EXPECT_EQ("<code 1>", d_->GetOr("p1"));
    EXPECT_EQ("keep", d_->GetOr("existing"));
    EXPECT_EQ("<code 1>", d_->GetOr("k"));
    EXPECT_EQ("<code 1>", d_->GetOr("key"));
  }
  // The same valid prefix alone is accepted.
  EXPECT_EQ(kOk, d_->Write(good));
  EXPECT_EQ("v1", d_->GetOr("p1"));
  EXPECT_EQ("<code 1>", d_->GetOr("existing"));
}

TEST_F(BindingDatabaseTest, BatchSizeSmallerThanTheScratchReadsOnlyThatPrefix) {
  ASSERT_EQ(kOk, Open());
  const std::string first = PutOp("a", "1");
  const std::string both = first + PutOp("b", "2");
  d_->Load({both});
  EXPECT_EQ(kOk, db_->Write(static_cast<uint32_t>(first.size())));
  EXPECT_EQ("1", d_->GetOr("a"));
  EXPECT_EQ("<code 1>", d_->GetOr("b"));
}

// ---------------------------------------------------------------------------
// Snapshots

TEST_F(BindingDatabaseTest, SnapshotsReadTheStateAtTheirCreation) {
  ASSERT_EQ(kOk, Open());
  ASSERT_EQ(kOk, d_->Put("a", "a1"));
  ASSERT_EQ(kOk, d_->Put("b", "b1"));
  const uint32_t s1 = db_->NewSnapshot();
  ASSERT_NE(0u, s1) << db_->LastError();
  ASSERT_EQ(kOk, d_->Put("a", "a2"));
  ASSERT_EQ(kOk, d_->Delete("b"));
  ASSERT_EQ(kOk, d_->Put("c", "c2"));
  const uint32_t s2 = db_->NewSnapshot();
  ASSERT_NE(0u, s2);
  EXPECT_NE(s1, s2);
  ASSERT_EQ(kOk, d_->Put("a", "a3"));
  ASSERT_EQ(kOk, db_->Flush()) << "snapshots hold across a flush";

  EXPECT_EQ("a1", d_->GetOr("a", s1));
  EXPECT_EQ("b1", d_->GetOr("b", s1));
  EXPECT_EQ("<code 1>", d_->GetOr("c", s1));
  EXPECT_EQ("a2", d_->GetOr("a", s2));
  EXPECT_EQ("<code 1>", d_->GetOr("b", s2));
  EXPECT_EQ("c2", d_->GetOr("c", s2));
  EXPECT_EQ("a3", d_->GetOr("a"));  // 0: the latest state

  // A cursor at a snapshot.
  EXPECT_EQ((Entries{{"a", "a1"}, {"b", "b1"}}), d_->Drain(d_->NewCursor(NoBound(), NoBound(), false, s1)));
  EXPECT_EQ((Entries{{"c", "c2"}, {"a", "a2"}}), d_->Drain(d_->NewCursor(NoBound(), NoBound(), true, s2)));

  // Released: unknown from then on.
  EXPECT_EQ(kOk, db_->ReleaseSnapshot(s1));
  d_->ResetError();
  std::string value;
  EXPECT_EQ(kInvalidArgument, d_->Get("a", &value, s1));
  EXPECT_LAST_ERROR_HAS(*db_, "unknown or released snapshot");
  d_->ResetError();
  EXPECT_EQ(kInvalidArgument, db_->ReleaseSnapshot(s1));
  EXPECT_LAST_ERROR_HAS(*db_, "unknown or released snapshot");
  d_->ResetError();
  EXPECT_EQ(0u, d_->NewCursor(NoBound(), NoBound(), false, s1));
  EXPECT_LAST_ERROR_HAS(*db_, "unknown or released snapshot");
  EXPECT_EQ("a2", d_->GetOr("a", s2)) << "releasing one snapshot leaves the others";
}

TEST_F(BindingDatabaseTest, UnknownSnapshotIds) {
  ASSERT_EQ(kOk, Open());
  ASSERT_EQ(kOk, d_->Put("a", "1"));
  std::string value;
  for (uint32_t id : {1u, 999u, std::numeric_limits<uint32_t>::max()}) {
    SCOPED_TRACE(id);
    d_->ResetError();
    EXPECT_EQ(kInvalidArgument, d_->Get("a", &value, id));
    EXPECT_LAST_ERROR_HAS(*db_, "unknown or released snapshot");
    d_->ResetError();
    EXPECT_EQ(kInvalidArgument, db_->ReleaseSnapshot(id));
    EXPECT_LAST_ERROR_HAS(*db_, "unknown or released snapshot");
    EXPECT_EQ(0u, d_->NewCursor(NoBound(), NoBound(), false, id));
  }
  d_->ResetError();
  EXPECT_EQ(kInvalidArgument, db_->ReleaseSnapshot(0)) << "0 is no snapshot";
  // A cursor id is not a snapshot id.
  const uint32_t cursor = d_->NewCursor(NoBound(), NoBound(), false);
  ASSERT_NE(0u, cursor);
  EXPECT_EQ(kInvalidArgument, d_->Get("a", &value, cursor));
  EXPECT_EQ(kInvalidArgument, db_->ReleaseSnapshot(cursor));
}

TEST_F(BindingDatabaseTest, OpenSnapshotsAreLimited) {
  ASSERT_EQ(kOk, Open());
  std::set<uint32_t> ids;
  for (int i = 0; i < 10000; i++) {
    const uint32_t id = db_->NewSnapshot();
    ASSERT_NE(0u, id) << i << ": " << db_->LastError();
    ids.insert(id);
  }
  EXPECT_EQ(10000u, ids.size()) << "ids are distinct";
  d_->ResetError();
  EXPECT_EQ(0u, db_->NewSnapshot());
  EXPECT_LAST_ERROR_HAS(*db_, "too many open snapshots");
  ASSERT_EQ(kOk, db_->ReleaseSnapshot(*ids.begin()));
  EXPECT_NE(0u, db_->NewSnapshot());
  // Close releases them all.
  EXPECT_EQ(kOk, db_->Close());
  ASSERT_EQ(kOk, Open());
  EXPECT_NE(0u, db_->NewSnapshot());
}

// ---------------------------------------------------------------------------
// Cursors

// A model of the cursor contract: the keys within the bounds, in order.
Entries ModelRange(const std::map<std::string, std::string>& model, const Bound& lower, const Bound& upper,
                   bool reverse) {
  Entries out;
  for (const auto& [k, v] : model) {
    if (lower.has && (k < lower.key || (k == lower.key && !lower.inclusive))) continue;
    if (upper.has && (k > upper.key || (k == upper.key && !upper.inclusive))) continue;
    out.emplace_back(k, v);
  }
  if (reverse) std::reverse(out.begin(), out.end());
  return out;
}

TEST_F(BindingDatabaseTest, CursorBoundsInEveryCombination) {
  OpenConfig config;
  ASSERT_EQ(kOk, Open(config));
  std::map<std::string, std::string> model;
  auto put = [&](const std::string& k, const std::string& v) {
    ASSERT_EQ(kOk, d_->Put(k, v));
    model[k] = v;
  };
  auto del = [&](const std::string& k) {
    ASSERT_EQ(kOk, d_->Delete(k));
    model.erase(k);
  };
  // Part in a table, part in the memtable, with overwrites and deletes
  // across the two.
  put("a", "va");
  put("b", "vb");
  put(std::string("b\0", 2), "vb0");
  put("c", "old");
  put("d", "vd");
  put("x", "deleted later");
  ASSERT_EQ(kOk, db_->Flush());
  put("c", "vc");
  put("e\xff", "ve");
  put("f", "vf");
  del("d");
  del("x");
  put("d", "vd2");

  const std::vector<std::string> keys = {"",      "0", "a", "b", std::string("b\0", 2), "bb", "c", "d",
                                         "e\xff", "f", "g", "x"};
  std::vector<Bound> bounds = {NoBound()};
  for (const auto& k : keys) {
    bounds.push_back(Incl(k));
    bounds.push_back(Excl(k));
  }
  int cursors = 0;
  for (const Bound& lower : bounds) {
    for (const Bound& upper : bounds) {
      for (bool reverse : {false, true}) {
        SCOPED_TRACE("lower " + Describe(lower) + " upper " + Describe(upper) +
                     (reverse ? " reverse" : " forward"));
        const uint32_t id = d_->NewCursor(lower, upper, reverse);
        ASSERT_NE(0u, id) << db_->LastError();
        EXPECT_EQ(ModelRange(model, lower, upper, reverse), d_->Drain(id, 2));
        ASSERT_EQ(kOk, db_->CloseCursor(id));
        cursors++;
      }
    }
  }
  EXPECT_EQ(25 * 25 * 2, cursors);
}

TEST_F(BindingDatabaseTest, CursorSeesItsCreationState) {
  ASSERT_EQ(kOk, Open());
  ASSERT_EQ(kOk, d_->Put("a", "1"));
  ASSERT_EQ(kOk, d_->Put("c", "3"));
  const uint32_t forward = d_->NewCursor(NoBound(), NoBound(), false);
  const uint32_t reverse = d_->NewCursor(NoBound(), NoBound(), true);
  ASSERT_NE(0u, forward);
  ASSERT_NE(0u, reverse);
  EXPECT_NE(forward, reverse);
  ASSERT_EQ(kOk, d_->Put("b", "2"));
  ASSERT_EQ(kOk, d_->Delete("c"));
  ASSERT_EQ(kOk, d_->Put("a", "changed"));
  EXPECT_EQ((Entries{{"a", "1"}, {"c", "3"}}), d_->Drain(forward));
  EXPECT_EQ((Entries{{"c", "3"}, {"a", "1"}}), d_->Drain(reverse));
}

TEST_F(BindingDatabaseTest, CursorNextOfZeroEntriesIsInvalidArgument) {
  ASSERT_EQ(kOk, Open());
  ASSERT_EQ(kOk, d_->Put("k", "v"));
  const uint32_t id = d_->NewCursor(NoBound(), NoBound(), false);
  // Zero would answer "exhausted" for a cursor that is not.
  EXPECT_EQ(kInvalidArgument, db_->CursorNext(id, 0, 1 << 20, 0));
  Entries got;
  uint32_t count = 0;
  ASSERT_EQ(kOk, d_->Next(id, 10, 1 << 20, &got, &count));
  EXPECT_EQ(1u, count);
}

TEST_F(BindingDatabaseTest, CursorChunkSaysWhatIsUtf8AndWhereItEnds) {
  ASSERT_EQ(kOk, Open());
  ASSERT_EQ(kOk, d_->Put("a", "plain"));
  ASSERT_EQ(kOk, d_->Put("b\xC3\xA9", "\xF0\x9F\x98\x80 four bytes"));
  ASSERT_EQ(kOk, d_->Put("c", std::string("\xFF\x00", 2)));  // a value that is not UTF-8
  ASSERT_EQ(kOk, d_->Put("d", "after"));
  constexpr uint32_t kBoth = WasmDatabase::kChunkKeysUtf8 | WasmDatabase::kChunkValuesUtf8;
  const uint32_t id = d_->NewCursor(NoBound(), NoBound(), false);
  Entries got;
  uint32_t count = 0, flags = 0;
  // Next() checks each length given against the bytes.
  ASSERT_EQ(kOk, d_->Next(id, 2, 1 << 20, &got, &count, nullptr, &flags));
  EXPECT_EQ(2u, count);
  EXPECT_EQ(kBoth, flags) << "two well-formed entries, more to come";
  ASSERT_EQ(kOk, d_->Next(id, 1, 1 << 20, &got, &count, nullptr, &flags));
  EXPECT_EQ(WasmDatabase::kChunkKeysUtf8, flags) << "the value is not UTF-8";
  ASSERT_EQ(kOk, d_->Next(id, 5, 1 << 20, &got, &count, nullptr, &flags));
  EXPECT_EQ(1u, count);
  EXPECT_EQ(kBoth | WasmDatabase::kChunkAtEnd, flags) << "the last entry";
  ASSERT_EQ(kOk, d_->Next(id, 5, 1 << 20, &got, &count, nullptr, &flags));
  EXPECT_EQ(0u, count);
  EXPECT_EQ(kBoth | WasmDatabase::kChunkAtEnd, flags);
  EXPECT_EQ(4u, got.size());
  EXPECT_EQ(std::string("\xFF\x00", 2), got[2].second);

  // The end of a bounded range is an end too.
  const uint32_t bounded = d_->NewCursor(NoBound(), Excl("c"), false);
  ASSERT_EQ(kOk, d_->Next(bounded, 2, 1 << 20, &got, &count, nullptr, &flags));
  EXPECT_EQ(2u, count);
  EXPECT_EQ(kBoth | WasmDatabase::kChunkAtEnd, flags);
}

TEST_F(BindingDatabaseTest, CursorChunkChecksOnlyTheUtf8ItIsAskedFor) {
  ASSERT_EQ(kOk, Open());
  ASSERT_EQ(kOk, d_->Put("a", "plain"));
  ASSERT_EQ(kOk, d_->Put("b\xC3\xA9", "\xF0\x9F\x98\x80 four bytes"));
  for (uint32_t wanted : {0u, WasmDatabase::kChunkKeysUtf8, WasmDatabase::kChunkValuesUtf8}) {
    const uint32_t id = d_->NewCursor(NoBound(), NoBound(), false);
    Entries got;
    uint32_t count = 0, flags = 0;
    ASSERT_EQ(kOk, d_->Next(id, 5, 1 << 20, &got, &count, nullptr, &flags, wanted));
    EXPECT_EQ(2u, count);
    EXPECT_EQ(wanted | WasmDatabase::kChunkAtEnd, flags)
        << "every entry is UTF-8; only what was asked is said";
    EXPECT_EQ("\xF0\x9F\x98\x80 four bytes", got[1].second);
    EXPECT_EQ(kOk, db_->CloseCursor(id));
  }
}

TEST_F(BindingDatabaseTest, CursorPagesByEntriesAndBytes) {
  ASSERT_EQ(kOk, Open());
  std::map<std::string, std::string> model;
  for (int i = 0; i < 25; i++) {
    char key[8];
    snprintf(key, sizeof(key), "k%02d", i);
    const std::string value(10 + i, static_cast<char>('a' + i));
    ASSERT_EQ(kOk, d_->Put(key, value));
    model[key] = value;
  }
  const Entries all = ModelRange(model, NoBound(), NoBound(), false);

  // By entries: 10, 10, 5, then 0 for good.
  {
    const uint32_t id = d_->NewCursor(NoBound(), NoBound(), false);
    Entries got;
    std::vector<uint32_t> counts;
    for (int i = 0; i < 5; i++) {
      uint32_t count = 0;
      ASSERT_EQ(kOk, d_->Next(id, 10, 1 << 20, &got, &count));
      counts.push_back(count);
    }
    EXPECT_EQ((std::vector<uint32_t>{10, 10, 5, 0, 0}), counts);
    EXPECT_EQ(all, got);
  }
  // By bytes: at least one entry per call even when it alone is over the
  // limit, and a call stops adding entries once the result reaches the
  // limit.
  for (uint32_t max_bytes : {0u, 1u, 40u, 100u, 250u}) {
    SCOPED_TRACE(max_bytes);
    const uint32_t id = d_->NewCursor(NoBound(), NoBound(), false);
    Entries got;
    for (int calls = 0; calls < 100; calls++) {
      uint32_t count = 0;
      size_t size = 0;
      ASSERT_EQ(kOk, d_->Next(id, 1000, max_bytes, &got, &count, &size));
      if (count == 0) break;
      EXPECT_GE(count, 1u);
      if (count > 1) {
        // Without its last entry the result was still under the limit.
        const auto& last = got.back();
        EXPECT_LT(size - (16 + last.first.size() + last.second.size()), max_bytes);
      }
      if (got.size() < all.size()) {
        EXPECT_GE(size, max_bytes) << "stopped before the limit";
      }
    }
    EXPECT_EQ(all, got);
  }
  // Reverse paging.
  {
    const uint32_t id = d_->NewCursor(Excl("k05"), Incl("k20"), true);
    Entries got = d_->Drain(id, 4);
    EXPECT_EQ(ModelRange(model, Excl("k05"), Incl("k20"), true), got);
    EXPECT_EQ(15u, got.size());
  }
}

TEST_F(BindingDatabaseTest, UnknownAndClosedCursors) {
  ASSERT_EQ(kOk, Open());
  ASSERT_EQ(kOk, d_->Put("a", "1"));
  d_->ResetError();
  EXPECT_EQ(kInvalidArgument, db_->CursorNext(999, 10, 1000, 0));
  EXPECT_LAST_ERROR_HAS(*db_, "unknown or closed cursor");
  d_->ResetError();
  EXPECT_EQ(kInvalidArgument, db_->CloseCursor(999));
  EXPECT_LAST_ERROR_HAS(*db_, "unknown or closed cursor");
  EXPECT_EQ(kInvalidArgument, db_->CursorNext(0, 10, 1000, 0));

  const uint32_t id = d_->NewCursor(NoBound(), NoBound(), false);
  ASSERT_NE(0u, id);
  EXPECT_EQ(kOk, db_->CloseCursor(id));
  d_->ResetError();
  EXPECT_EQ(kInvalidArgument, db_->CursorNext(id, 10, 1000, 0));
  EXPECT_LAST_ERROR_HAS(*db_, "unknown or closed cursor");
  EXPECT_EQ(kInvalidArgument, db_->CloseCursor(id));

  // A snapshot id is not a cursor id.
  const uint32_t snapshot = db_->NewSnapshot();
  ASSERT_NE(0u, snapshot);
  EXPECT_EQ(kInvalidArgument, db_->CursorNext(snapshot, 10, 1000, 0));
  EXPECT_EQ(kInvalidArgument, db_->CloseCursor(snapshot));
}

TEST_F(BindingDatabaseTest, CloseClosesCursorsAndSnapshots) {
  ASSERT_EQ(kOk, Open());
  ASSERT_EQ(kOk, d_->Put("a", "1"));
  ASSERT_EQ(kOk, d_->Put("b", "2"));
  const uint32_t snapshot = db_->NewSnapshot();
  const uint32_t cursor = d_->NewCursor(NoBound(), NoBound(), false, snapshot);
  ASSERT_NE(0u, snapshot);
  ASSERT_NE(0u, cursor);
  Entries first;
  uint32_t count = 0;
  ASSERT_EQ(kOk, d_->Next(cursor, 1, 1000, &first, &count));
  ASSERT_EQ(1u, count);
  ASSERT_EQ(kOk, db_->Close()) << db_->LastError();

  ASSERT_EQ(kOk, Open());
  d_->ResetError();
  EXPECT_EQ(kInvalidArgument, db_->CursorNext(cursor, 10, 1000, 0));
  EXPECT_LAST_ERROR_HAS(*db_, "unknown or closed cursor");
  EXPECT_EQ(kInvalidArgument, db_->CloseCursor(cursor));
  EXPECT_EQ(kInvalidArgument, db_->ReleaseSnapshot(snapshot));
  std::string value;
  EXPECT_EQ(kInvalidArgument, d_->Get("a", &value, snapshot));
  EXPECT_EQ((Entries{{"a", "1"}, {"b", "2"}}), d_->Drain(d_->NewCursor(NoBound(), NoBound(), false)));
}

TEST_F(BindingDatabaseTest, OpenCursorsAreLimited) {
  ASSERT_EQ(kOk, Open());
  ASSERT_EQ(kOk, d_->Put("a", "1"));
  std::vector<uint32_t> ids;
  for (int i = 0; i < 10000; i++) {
    const uint32_t id = db_->NewCursor(false, 0, false, false, 0, false, false, 0);
    ASSERT_NE(0u, id) << i << ": " << db_->LastError();
    ids.push_back(id);
  }
  d_->ResetError();
  EXPECT_EQ(0u, db_->NewCursor(false, 0, false, false, 0, false, false, 0));
  EXPECT_LAST_ERROR_HAS(*db_, "too many open cursors");
  ASSERT_EQ(kOk, db_->CloseCursor(ids[5000]));
  const uint32_t id = db_->NewCursor(false, 0, false, false, 0, false, false, 0);
  ASSERT_NE(0u, id);
  EXPECT_EQ((Entries{{"a", "1"}}), d_->Drain(id));
  EXPECT_EQ(kOk, db_->Close());
}

// ---------------------------------------------------------------------------
// Durability points, the change record, compaction

// The package reads the events after every call and only then the call's
// result (a get's value): TakeEvents and TakeChanges leave it in place.
TEST_F(BindingDatabaseTest, TakingEventsAndChangesLeavesTheLastResult) {
  ASSERT_EQ(kOk, Open());
  ASSERT_EQ(kOk, d_->Put("k", "the value"));
  ASSERT_EQ(kOk, db_->Sync()) << db_->LastError();  // a closed WAL segment: an event and a change
  ASSERT_TRUE(db_->HasEvents());
  std::string value;
  ASSERT_EQ(kOk, d_->Get("k", &value));
  EXPECT_NE("", d_->TakeEvents());
  EXPECT_NE("", d_->TakeChanges());
  EXPECT_EQ("the value", d_->Result());
  EXPECT_EQ(kOk, db_->Close());
}

TEST_F(BindingDatabaseTest, TakeChangesAfterSyncListsTheNewWalSegment) {
  EXPECT_EQ("", d_->TakeChanges()) << "nothing before Open";
  ASSERT_EQ(kOk, Open());
  const std::vector<std::string> at_open = d_->Changes();
  EXPECT_FALSE(at_open.empty()) << "Open writes the manifest";
  for (const auto& p : at_open) EXPECT_EQ(0u, p.rfind(dir_ + "/", 0)) << p;
  EXPECT_EQ("", d_->TakeChanges());

  ASSERT_EQ(kOk, d_->Put("k", "v"));
  const std::set<std::string> wal_before_sync = FilesEndingWith(".wal");
  EXPECT_TRUE(d_->Changes().empty()) << "an unsynced segment is not a change yet";

  ASSERT_EQ(kOk, db_->Sync()) << db_->LastError();
  const std::vector<std::string> changes = d_->Changes();
  EXPECT_TRUE(std::is_sorted(changes.begin(), changes.end()));
  EXPECT_EQ(std::set<std::string>(changes.begin(), changes.end()).size(), changes.size()) << "duplicates";
  std::vector<std::string> new_wal;
  for (const auto& p : changes) {
    ASSERT_EQ(0u, p.rfind(dir_ + "/", 0)) << p;
    const std::string name = p.substr(dir_.size() + 1);
    if (EndsWith(name, ".wal") && wal_before_sync.count(name) == 0) new_wal.push_back(p);
  }
  ASSERT_EQ(1u, new_wal.size()) << "changes: " << testing::PrintToString(changes);
  uint64_t size = 0;
  ASSERT_TRUE(Env::Default()->GetFileSize(new_wal[0], &size).ok()) << new_wal[0] << " is on disk";
  EXPECT_GT(size, 2u) << "the segment holds the record";
  EXPECT_TRUE(d_->Changes().empty()) << "TakeChanges clears the record";

  // Sync with nothing new written records nothing new.
  ASSERT_EQ(kOk, db_->Sync());
  for (const auto& p : d_->Changes()) EXPECT_FALSE(EndsWith(p, ".wal")) << p;

  // Close makes the last writes durable; their segment is reported after
  // Close, when the package commits.
  ASSERT_EQ(kOk, d_->Put("k2", "v2"));
  ASSERT_EQ(kOk, db_->Close());
  bool wal_after_close = false;
  for (const auto& p : d_->Changes()) {
    if (EndsWith(p, ".wal") && Env::Default()->FileExists(p)) wal_after_close = true;
  }
  EXPECT_TRUE(wal_after_close);
}

TEST_F(BindingDatabaseTest, ChangesCoverEveryStepOfASession) {
  FileSet before;  // the directory does not exist yet
  ASSERT_EQ(kOk, Open());
  ExpectChangesCover(before, d_->Changes());

  before = DirContents();
  ASSERT_EQ(kOk, d_->Write(PutOp("a", "1") + PutOp("b", "2")));
  ASSERT_EQ(kOk, db_->Sync());
  ExpectChangesCover(before, d_->Changes());

  before = DirContents();
  ASSERT_EQ(kOk, d_->Put("c", "3"));
  ASSERT_EQ(kOk, db_->Flush());
  ExpectChangesCover(before, d_->Changes());

  before = DirContents();
  ASSERT_EQ(kOk, d_->Delete("a"));
  ASSERT_EQ(kOk, db_->Close());
  ExpectChangesCover(before, d_->Changes());

  // A reopen that recovers the last segment.
  before = DirContents();
  ASSERT_EQ(kOk, Open());
  ExpectChangesCover(before, d_->Changes());
  EXPECT_EQ("<code 1>", d_->GetOr("a"));
  EXPECT_EQ("3", d_->GetOr("c"));
}

// Paths recorded by a closed session and not yet taken survive a reopen of
// the same object: TakeChanges() reports every change since its last call.
TEST_F(BindingDatabaseTest, ChangesOfAClosedSessionSurviveReopen) {
  ASSERT_EQ(kOk, Open());
  ASSERT_EQ(kOk, d_->Put("k", "v"));
  ASSERT_EQ(kOk, db_->Flush());
  ASSERT_EQ(kOk, db_->Close());
  // Nothing taken yet: every file of the database is a change.
  ASSERT_EQ(kOk, Open());
  ExpectChangesCover(FileSet(), d_->Changes());
}

TEST_F(BindingDatabaseTest, FlushWritesATableAndReportsIt) {
  ASSERT_EQ(kOk, Open());
  d_->Changes();
  ASSERT_EQ(kOk, d_->Put("a", "1"));
  ASSERT_EQ(kOk, db_->Flush()) << db_->LastError();
  bool has_table = false;
  for (const auto& p : d_->Changes()) {
    if (EndsWith(p, ".sst")) {
      has_table = true;
      EXPECT_TRUE(Env::Default()->FileExists(p)) << p;
    }
  }
  EXPECT_TRUE(has_table);
  Json stats = d_->Stats();
  ASSERT_NE(nullptr, stats.Find("flushes"));
  EXPECT_EQ("1", stats.Find("flushes")->text);
  EXPECT_EQ("1", d_->GetOr("a"));
}

std::string FromHex(const std::string& hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  }
  return out;
}

// A compaction of several passes (L0 into L1, then each level holding
// older versions a snapshot keeps into the next), one job a call: the
// first call says it is not finished, each next one with resume goes on
// without flushing what was written between the calls, and nothing is
// lost. max_jobs must fit the engine's int.
TEST_F(BindingDatabaseTest, CompactOneJobACallGoesOnWhereTheLastStopped) {
  OpenConfig config;
  config.compression = false;
  ASSERT_EQ(kOk, Open(config));
  EXPECT_EQ(kInvalidArgument, d_->Compact(NoBound(), NoBound(), 0x80000000u));
  EXPECT_FALSE(db_->CompactFinished());
  std::map<std::string, std::string> model;
  for (int version = 0; version < 2; version++) {
    for (int i = 0; i < 100; i++) {
      const std::string key = "k" + std::to_string(1000 + i), value(100, static_cast<char>('a' + version));
      ASSERT_EQ(kOk, d_->Put(key, value));
      model[key] = value;
    }
    ASSERT_EQ(kOk, d_->Compact()) << db_->LastError();  // into L1
    if (version == 0) EXPECT_NE(0u, db_->NewSnapshot());
  }
  for (int i = 0; i < 100; i += 2) ASSERT_EQ(kOk, d_->Put("k" + std::to_string(1000 + i), "new"));
  for (int i = 0; i < 100; i += 2) model["k" + std::to_string(1000 + i)] = "new";

  ASSERT_EQ(kOk, d_->Compact(NoBound(), NoBound(), 1)) << db_->LastError();
  EXPECT_FALSE(db_->CompactFinished()) << "the passes below L0 are left";
  const double flushes = db_->FlushesDone();
  int calls = 1;
  while (!db_->CompactFinished()) {
    ASSERT_LT(calls++, 10);
    const std::string key = "written-between-" + std::to_string(calls);
    ASSERT_EQ(kOk, d_->Put(key, "x"));
    model[key] = "x";
    ASSERT_EQ(kOk, d_->Compact(NoBound(), NoBound(), 1, /*resume=*/true)) << db_->LastError();
  }
  EXPECT_GE(calls, 3) << "the setup needs three jobs or more";
  EXPECT_EQ(flushes, db_->FlushesDone()) << "a call with resume flushed";
  EXPECT_EQ(ModelRange(model, NoBound(), NoBound(), false),
            d_->Drain(d_->NewCursor(NoBound(), NoBound(), false), 64));
}

TEST_F(BindingDatabaseTest, CompactWithBounds) {
  OpenConfig config;
  config.compression = false;
  ASSERT_EQ(kOk, Open(config));
  std::map<std::string, std::string> model;
  // Four L0 tables with disjoint ranges: k000-k049, k050-k099, ...
  for (int t = 0; t < 4; t++) {
    for (int i = t * 50; i < (t + 1) * 50; i++) {
      char key[8];
      snprintf(key, sizeof(key), "k%03d", i);
      const std::string value(100, static_cast<char>('a' + i % 26));
      ASSERT_EQ(kOk, d_->Put(key, value));
      model[key] = value;
    }
    ASSERT_EQ(kOk, db_->Flush());
  }
  auto l0_tables = [&]() {
    std::vector<std::pair<std::string, std::string>> ranges;
    const Json stats = d_->Stats();
    const Json* levels = stats.Find("levels");
    if (levels == nullptr || levels->array.empty()) return ranges;
    const Json* tables = levels->array[0].Find("tables");
    if (tables == nullptr) return ranges;
    for (const auto& t : tables->array) {
      ranges.emplace_back(FromHex(t.Find("smallestKeyHex")->text), FromHex(t.Find("largestKeyHex")->text));
    }
    return ranges;
  };
  ASSERT_EQ(4u, l0_tables().size());
  d_->Changes();
  FileSet before = DirContents();

  ASSERT_EQ(kOk, d_->Compact(Incl("k060"), Incl("k070"))) << db_->LastError();
  const auto after = l0_tables();
  EXPECT_EQ(3u, after.size());
  for (const auto& [smallest, largest] : after) {
    EXPECT_TRUE(largest < "k060" || smallest > "k070")
        << smallest << ".." << largest << " overlaps the range";
  }
  ExpectChangesCover(before, d_->Changes());
  std::map<std::string, std::string> scanned;
  for (auto& [k, v] : d_->Drain(d_->NewCursor(NoBound(), NoBound(), false), 64)) scanned[k] = v;
  EXPECT_EQ(model, scanned);

  // Unbounded: nothing stays in L0, and every entry is still there.
  before = DirContents();
  ASSERT_EQ(kOk, d_->Compact(NoBound(), NoBound())) << db_->LastError();
  EXPECT_TRUE(l0_tables().empty());
  EXPECT_EQ(ModelRange(model, NoBound(), NoBound(), false),
            d_->Drain(d_->NewCursor(NoBound(), NoBound(), false), 64));
  ExpectChangesCover(before, d_->Changes());
}

TEST_F(BindingDatabaseTest, AFrozenMemtableIsFlushedAStepAtATime) {
  ASSERT_EQ(kOk, Open(OpenConfig()));
  for (int i = 0; i < 1000; i++) {  // about 1 MiB: four 256 KiB steps or more
    char key[16];
    snprintf(key, sizeof(key), "key%06d", i);
    ASSERT_EQ(kOk, d_->Put(key, std::string(1000, 'v'))) << db_->LastError();
  }
  EXPECT_FALSE(db_->FlushUnderWay());
  ASSERT_EQ(kOk, db_->FreezeMemtable()) << db_->LastError();
  EXPECT_TRUE(db_->FlushUnderWay());
  EXPECT_EQ(0, db_->FlushesDone());
  int steps = 0;
  for (; steps < 1000 && db_->FlushUnderWay(); steps++) ASSERT_EQ(kOk, db_->RunPendingWork());
  EXPECT_GE(steps, 4);
  EXPECT_EQ(1, db_->FlushesDone());
  std::string value;
  EXPECT_EQ(kOk, d_->Get("key000999", &value));
  EXPECT_EQ(std::string(1000, 'v'), value);
  ASSERT_EQ(kOk, db_->FreezeMemtable()) << "an empty memtable: nothing to freeze";
  EXPECT_FALSE(db_->FlushUnderWay());
}

TEST_F(BindingDatabaseTest, PendingWorkRunsOnRequest) {
  OpenConfig config;
  config.write_buffer_bytes = 64 << 10;  // the smallest memtable
  ASSERT_EQ(kOk, Open(config));
  EXPECT_FALSE(db_->HasPendingWork());
  std::map<std::string, std::string> model;
  int i = 0;
  for (; i < 5000 && !db_->HasPendingWork(); i++) {
    char key[16];
    snprintf(key, sizeof(key), "key%06d", i);
    const std::string value(1000, static_cast<char>('a' + i % 26));
    ASSERT_EQ(kOk, d_->Put(key, value)) << db_->LastError();
    model[key] = value;
  }
  ASSERT_TRUE(db_->HasPendingWork()) << "a full memtable waits for a flush (" << i << " puts)";
  int steps = 0;
  for (; steps < 1000 && db_->HasPendingWork(); steps++) ASSERT_EQ(kOk, db_->RunPendingWork());
  EXPECT_FALSE(db_->HasPendingWork());
  EXPECT_GE(steps, 1);
  EXPECT_EQ(kOk, db_->RunPendingWork()) << "no work is fine too";
  Json stats = d_->Stats();
  ASSERT_NE(nullptr, stats.Find("flushes"));
  EXPECT_GE(Number(*stats.Find("flushes")), 1u);
  EXPECT_EQ(ModelRange(model, NoBound(), NoBound(), false),
            d_->Drain(d_->NewCursor(NoBound(), NoBound(), false), 100));
}

// ---------------------------------------------------------------------------
// Stats and metrics

TEST_F(BindingDatabaseTest, StatsJsonAndMetricsDescribeTheDatabase) {
  ASSERT_EQ(kOk, Open());
  for (int i = 0; i < 7; i++) ASSERT_EQ(kOk, d_->Put("k" + std::to_string(i), "v"));
  ASSERT_EQ(kOk, d_->Delete("k0"));
  EXPECT_EQ("v", d_->GetOr("k1"));
  EXPECT_EQ("<code 1>", d_->GetOr("k0"));
  const Json stats = d_->Stats();
  ASSERT_EQ(Json::Type::kObject, stats.type);
  ASSERT_NE(nullptr, stats.Find("puts"));
  EXPECT_EQ("7", stats.Find("puts")->text);
  EXPECT_EQ("1", stats.Find("deletes")->text);
  EXPECT_EQ("2", stats.Find("gets")->text);
  EXPECT_EQ("1", stats.Find("getHits")->text);
  EXPECT_EQ("8", stats.Find("lastSequence")->text);
  EXPECT_FALSE(stats.Find("readOnly")->boolean);
  ASSERT_NE(nullptr, stats.Find("levels"));
  EXPECT_FALSE(stats.Find("levels")->array.empty());

  const std::string metrics = db_->Metrics();
  EXPECT_NE(std::string::npos, metrics.find("strata_")) << metrics.substr(0, 500);
  EXPECT_NE(std::string::npos, metrics.find("# TYPE")) << metrics.substr(0, 500);
}

}  // namespace
}  // namespace strata
