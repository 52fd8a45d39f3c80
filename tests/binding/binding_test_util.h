// What the WasmDatabase tests (database_test.cc, compaction_executor_test.cc)
// share: the calls' return codes, a Driver that speaks the binding's calling
// convention the way the TypeScript package does, and a fixture giving each
// test a fresh temporary directory and a closed WasmDatabase.
//
// The calling convention (database.h): arguments are written at the pointer
// Scratch(n) returns, results are read through the {pointer, length} pair at
// Descriptor(), and TakeChanges' and TakeEvents' through the pair after it.
// The descriptor holds uintptr_t, which are the uint32 the package reads in
// wasm32 and 64-bit words natively, so a native test can follow the pointer
// just like the package does.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "database.h"
#include "json_test_util.h"
#include "strata/env.h"

namespace strata {

// The codes WasmDatabase's calls return: Status::Code's values.
constexpr int kOk = 0;
constexpr int kNotFound = 1;
constexpr int kCorruption = 2;
constexpr int kInvalidArgument = 3;
constexpr int kIOError = 4;
constexpr int kBusy = 5;

static_assert(sizeof(uintptr_t) == sizeof(void*), "the descriptor holds pointers");

#define EXPECT_LAST_ERROR_HAS(db, needle) \
  EXPECT_NE(std::string::npos, (db).LastError().find(needle)) << "LastError(): " << (db).LastError()

// A '\n'-terminated list (TakeChanges, CompactionInputs) as its lines;
// checks that the last one has its '\n' too.
inline std::vector<std::string> Lines(const std::string& all) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < all.size()) {
    const size_t nl = all.find('\n', start);
    EXPECT_NE(std::string::npos, nl) << "a path without its '\\n': " << all.substr(start);
    if (nl == std::string::npos) break;
    out.push_back(all.substr(start, nl - start));
    start = nl + 1;
  }
  return out;
}

inline void RemoveTree(const std::string& dir) {
  Env* env = Env::Default();
  std::vector<std::string> children;
  if (env->GetChildren(dir, &children).ok()) {
    for (const auto& c : children) {
      const std::string path = dir + "/" + c;
      if (!env->RemoveFile(path).ok()) RemoveTree(path);
    }
  }
  env->RemoveDir(dir).IgnoreError();
}

// A little-endian uint32 at s[at] (cursor results, database.h).
inline uint32_t LoadU32(const std::string& s, size_t at) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; i--) v = (v << 8) | static_cast<unsigned char>(s[at + i]);
  return v;
}

// One end of a key range (NewCursor, Compact).
struct Bound {
  bool has = false;
  std::string key;
  bool inclusive = false;
};
inline Bound NoBound() {
  return Bound{};
}
inline Bound Incl(const std::string& key) {
  return Bound{true, key, true};
}
inline Bound Excl(const std::string& key) {
  return Bound{true, key, false};
}

using Entries = std::vector<std::pair<std::string, std::string>>;

// Drives one WasmDatabase the way the TypeScript package does.
class Driver {
 public:
  explicit Driver(WasmDatabase* db) : db_(db) {}

  // Writes args back to back into the scratch.
  void Load(const std::vector<std::string>& args) {
    uint64_t total = 0;
    for (const auto& a : args) total += a.size();
    char* p = reinterpret_cast<char*>(db_->Scratch(static_cast<uint32_t>(total)));
    ASSERT_NE(nullptr, p) << db_->LastError();
    for (const auto& a : args) {
      if (!a.empty()) std::memcpy(p, a.data(), a.size());
      p += a.size();
    }
  }

  // The bytes the descriptor points at.
  std::string Result() const { return Pointed(0); }

  // TakeChanges' and TakeEvents' text (the descriptor's second pair).
  std::string TakeChanges() { return Text(db_->TakeChanges()); }
  std::string TakeEvents() { return Text(db_->TakeEvents()); }

  int Put(const std::string& key, const std::string& value) {
    Load({key, value});
    return db_->Put(static_cast<uint32_t>(key.size()), static_cast<uint32_t>(value.size()));
  }
  int Delete(const std::string& key) {
    Load({key});
    return db_->Delete(static_cast<uint32_t>(key.size()));
  }
  int Write(const std::string& encoded) {
    Load({encoded});
    return db_->Write(static_cast<uint32_t>(encoded.size()));
  }
  int Get(const std::string& key, std::string* value, uint32_t snapshot = 0) {
    Load({key});
    const int code = db_->Get(static_cast<uint32_t>(key.size()), snapshot);
    if (code == kOk) *value = Result();
    return code;
  }
  // The value, or "<code N>" when Get fails: one EXPECT_EQ checks both.
  std::string GetOr(const std::string& key, uint32_t snapshot = 0) {
    std::string value;
    const int code = Get(key, &value, snapshot);
    return code == kOk ? value : "<code " + std::to_string(code) + ">";
  }

  uint32_t NewCursor(const Bound& lower, const Bound& upper, bool reverse, uint32_t snapshot = 0) {
    Load({lower.has ? lower.key : "", upper.has ? upper.key : ""});
    return db_->NewCursor(lower.has, static_cast<uint32_t>(lower.key.size()), lower.inclusive, upper.has,
                          static_cast<uint32_t>(upper.key.size()), upper.inclusive, reverse, snapshot);
  }

  // One CursorNext chunk (format in database.h), its entries appended to
  // out; checks the layout and that each UTF-16 length given matches its
  // bytes.
  static constexpr uint32_t kUtf8Both = WasmDatabase::kChunkKeysUtf8 | WasmDatabase::kChunkValuesUtf8;
  int Next(uint32_t id, uint32_t max_entries, uint32_t max_bytes, Entries* out, uint32_t* count,
           size_t* result_size = nullptr, uint32_t* flags = nullptr, uint32_t utf8_wanted = kUtf8Both) {
    const int code = db_->CursorNext(id, max_entries, max_bytes, utf8_wanted);
    *count = 0;
    if (code != kOk) return code;
    const std::string r = Result();
    if (result_size) *result_size = r.size();
    EXPECT_GE(r.size(), 8u);
    if (r.size() < 8) return -1;
    *count = LoadU32(r, 0);
    const uint32_t chunk_flags = LoadU32(r, 4);
    if (flags) *flags = chunk_flags;
    size_t sizes = 8, keys = sizes + 16 * static_cast<size_t>(*count), key_bytes = 0, value_bytes = 0;
    EXPECT_LE(keys, r.size()) << "sizes past the end";
    if (keys > r.size()) return -1;
    for (uint32_t i = 0; i < *count; i++) {
      key_bytes += LoadU32(r, sizes + 16 * i);
      value_bytes += LoadU32(r, sizes + 16 * i + 4);
    }
    EXPECT_EQ(r.size(), keys + key_bytes + value_bytes) << "the sizes do not add up to the chunk";
    if (r.size() != keys + key_bytes + value_bytes) return -1;
    size_t values = keys + key_bytes;
    for (uint32_t i = 0; i < *count; i++) {
      const uint32_t ks = LoadU32(r, sizes + 16 * i), vs = LoadU32(r, sizes + 16 * i + 4);
      std::string key = r.substr(keys, ks), value = r.substr(values, vs);
      if (chunk_flags & WasmDatabase::kChunkKeysUtf8) {
        EXPECT_EQ(CodePointUnits(key), LoadU32(r, sizes + 16 * i + 8)) << "key " << i;
      }
      if (chunk_flags & WasmDatabase::kChunkValuesUtf8) {
        EXPECT_EQ(CodePointUnits(value), LoadU32(r, sizes + 16 * i + 12)) << "value " << i;
      }
      out->emplace_back(std::move(key), std::move(value));
      keys += ks;
      values += vs;
    }
    return code;
  }

  // UTF-16 units of well-formed UTF-8: one per sequence, two for a
  // four-byte one.
  static uint32_t CodePointUnits(const std::string& utf8) {
    uint32_t n = 0;
    for (unsigned char c : utf8) {
      if ((c & 0xC0) != 0x80) n++;
      if (c >= 0xF0) n++;
    }
    return n;
  }

  // Every remaining entry, page entries per call; expects the cursor to stay
  // exhausted once it returned 0.
  Entries Drain(uint32_t id, uint32_t page = 3) {
    Entries out;
    for (int calls = 0; calls < 100000; calls++) {
      uint32_t count = 0;
      const int code = Next(id, page, 1 << 20, &out, &count);
      EXPECT_EQ(kOk, code) << db_->LastError();
      if (code != kOk) break;
      EXPECT_LE(count, page);
      if (count == 0) {
        Entries more;
        EXPECT_EQ(kOk, Next(id, page, 1 << 20, &more, &count));
        EXPECT_EQ(0u, count) << "an exhausted cursor returned more";
        break;
      }
    }
    return out;
  }

  // With no bounds, the whole key space; max_jobs 0: all of it in one call.
  int Compact(const Bound& begin = NoBound(), const Bound& end = NoBound(), uint32_t max_jobs = 0,
              bool resume = false) {
    Load({begin.has ? begin.key : "", end.has ? end.key : ""});
    return db_->Compact(begin.has, static_cast<uint32_t>(begin.key.size()), end.has,
                        static_cast<uint32_t>(end.key.size()), max_jobs, resume);
  }

  // Hands the database a worker's encoded CompactionResult.
  int Complete(const std::string& encoded_result) {
    Load({encoded_result});
    return db_->CompleteCompaction(static_cast<uint32_t>(encoded_result.size()));
  }

  // TakeChanges split into paths; checks each ends with '\n'.
  std::vector<std::string> Changes() { return Lines(TakeChanges()); }

  jsontest::Json Stats() {
    jsontest::Json root;
    std::string error;
    const std::string json = db_->StatsJson();
    EXPECT_TRUE(jsontest::JsonParser::Parse(json, &root, &error)) << error << "\n" << json;
    return root;
  }

  // Sets LastError() to a message no other call produces, so a test can
  // tell that the next call set it.
  void ResetError() {
    EXPECT_EQ(0u, db_->Scratch(std::numeric_limits<uint32_t>::max()));
    EXPECT_NE(std::string::npos, db_->LastError().find("-byte limit"));
  }

 private:
  // The bytes the descriptor's pair at word `at` points at.
  std::string Pointed(int at) const {
    const uintptr_t* d = reinterpret_cast<const uintptr_t*>(db_->Descriptor());
    if (d[at + 1] == 0) return std::string();
    return std::string(reinterpret_cast<const char*>(d[at]), d[at + 1]);
  }

  std::string Text(int code) const {
    EXPECT_EQ(kOk, code) << db_->LastError();
    return Pointed(2);
  }

  WasmDatabase* const db_;
};

// A fresh temporary directory per test (root_, removed with all it holds
// afterwards), the database directory dir_ inside it (not created: Open
// does that), and a WasmDatabase db_, not open yet, with its Driver d_.
class WasmDatabaseTest : public testing::Test {
 protected:
  // prefix names the temporary directory, so a leftover one says whose it is.
  explicit WasmDatabaseTest(std::string prefix) : prefix_(std::move(prefix)) {}

  void SetUp() override {
    std::string base = testing::TempDir();
    if (base.empty() || base.back() != '/') base += "/";
    std::string templ = base + prefix_ + "XXXXXX";
    ASSERT_NE(nullptr, mkdtemp(templ.data()));
    root_ = templ;
    dir_ = root_ + "/db";
    db_ = std::make_unique<WasmDatabase>();
    d_ = std::make_unique<Driver>(db_.get());
  }

  void TearDown() override {
    d_.reset();
    db_.reset();  // closes it if still open
    if (!root_.empty()) RemoveTree(root_);
  }

  std::string root_;
  std::string dir_;
  std::unique_ptr<WasmDatabase> db_;
  std::unique_ptr<Driver> d_;

 private:
  const std::string prefix_;
};

}  // namespace strata
