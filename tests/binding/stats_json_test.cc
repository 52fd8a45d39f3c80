// StatsToJson (wasm/binding/stats_json.h) on hand-built Stats: the output
// must be strict JSON (checked with a parser, json_test_util.h), carry every
// field under its TypeScript name with the value given, hex-encode binary
// keys, escape strings, and turn non-finite doubles into 0.
#include "stats_json.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <string>
#include <vector>

#include "json_test_util.h"

namespace strata {
namespace {

using jsontest::Json;
using jsontest::JsonParser;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

// The counters in the order StatsToJson writes them, with their TypeScript
// names; each gets a distinct value (index + 1, times 1000003 so no value is
// a substring accident of another).
struct CounterField {
  const char* name;
  uint64_t Stats::*member;
};
const std::vector<CounterField>& Counters() {
  static const std::vector<CounterField> fields = {
      {"puts", &Stats::puts},
      {"gets", &Stats::gets},
      {"getHits", &Stats::get_hits},
      {"deletes", &Stats::deletes},
      {"batchWrites", &Stats::batch_writes},
      {"scans", &Stats::scans},
      {"userBytesWritten", &Stats::user_bytes_written},
      {"userBytesRead", &Stats::user_bytes_read},
      {"lastSequence", &Stats::last_sequence},
      {"walBytes", &Stats::wal_bytes},
      {"walRecords", &Stats::wal_records},
      {"walSyncs", &Stats::wal_syncs},
      {"walSegmentsCreated", &Stats::wal_segments_created},
      {"walLiveSegments", &Stats::wal_live_segments},
      {"memtableBytes", &Stats::memtable_bytes},
      {"memtableEntries", &Stats::memtable_entries},
      {"memtableLimit", &Stats::memtable_limit},
      {"immutableMemtableBytes", &Stats::immutable_memtable_bytes},
      {"walSegmentLimit", &Stats::wal_segment_limit},
      {"l0CompactionTrigger", &Stats::l0_compaction_trigger},
      {"l0SlowdownTrigger", &Stats::l0_slowdown_trigger},
      {"l0StopTrigger", &Stats::l0_stop_trigger},
      {"flushes", &Stats::flushes},
      {"flushBytesWritten", &Stats::flush_bytes_written},
      {"compactions", &Stats::compactions},
      {"compactionsRunning", &Stats::compactions_running},
      {"compactionBytesRead", &Stats::compaction_bytes_read},
      {"compactionBytesWritten", &Stats::compaction_bytes_written},
      {"compactionMicros", &Stats::compaction_micros},
      {"slowdownWrites", &Stats::slowdown_writes},
      {"stoppedWrites", &Stats::stopped_writes},
      {"stallMicros", &Stats::stall_micros},
      {"bloomChecks", &Stats::bloom_checks},
      {"bloomUseful", &Stats::bloom_useful},
      {"blockCacheHits", &Stats::block_cache_hits},
      {"blockCacheMisses", &Stats::block_cache_misses},
      {"blockCacheUsage", &Stats::block_cache_usage},
      {"blockCacheCapacity", &Stats::block_cache_capacity},
      {"tableCacheHits", &Stats::table_cache_hits},
      {"tableCacheMisses", &Stats::table_cache_misses},
      {"recoveredWalSegments", &Stats::recovered_wal_segments},
      {"recoveredRecords", &Stats::recovered_records},
      {"recoveryDroppedRecords", &Stats::recovery_dropped_records},
      {"recoveryDroppedBytes", &Stats::recovery_dropped_bytes},
  };
  return fields;
}

const std::string kBinaryKey("\x00\xff\"k\\", 5);  // hex 00ff226b5c
const std::string kBinaryKey2("\xff\x00\x00", 3);  // hex ff0000
const std::string kReason = "disk \"full\" at C:\\data\n\x01\x1f end\x7f";

HistogramData MakeHistogram(uint64_t seed) {
  HistogramData h;
  h.buckets.assign(HistogramData::BucketBounds().size() + 1, 0);
  h.buckets[2] = seed;   // (2, 3] us
  h.buckets[10] = 2;     // (70, 100] us
  h.buckets.back() = 1;  // past the last bound
  h.count = seed + 3;
  h.sum = 1234.5 + static_cast<double>(seed);
  h.min = 2.5;
  h.max = 2e7;
  return h;
}

Stats MakeStats() {
  Stats s;
  uint64_t v = 1;
  for (const auto& f : Counters()) s.*(f.member) = v++ * 1000003;
  s.puts = 7;  // a small one, checked as a literal substring
  s.last_sequence = uint64_t{1} << 53;
  s.immutable_memtable = true;
  s.write_amplification = 2.5;
  s.write_stopped = false;
  s.read_only = true;
  s.read_only_reason = kReason;

  LevelStats l0;
  l0.level = 0;
  l0.files = 2;
  l0.bytes = 4096;
  l0.target_bytes = 0;
  l0.score = 0.75;
  l0.smallest_key = kBinaryKey;
  l0.largest_key = kBinaryKey2;
  l0.compaction_bytes_read = 11;
  l0.compaction_bytes_written = 12;
  TableFileInfo t1;
  t1.number = 42;
  t1.size = 2048;
  t1.smallest_key = kBinaryKey;
  t1.largest_key = "plain";
  t1.entries = 100;
  t1.tombstones = 3;
  t1.smallest_seq = 5;
  t1.largest_seq = 105;
  t1.raw_key_bytes = 900;
  t1.raw_value_bytes = 9000;
  t1.bloom_bits_per_key = 10;
  t1.being_compacted = true;
  TableFileInfo t2;
  t2.number = 43;
  t2.smallest_key = std::string(1, '\0');
  t2.largest_key = kBinaryKey2;
  l0.tables = {t1, t2};

  LevelStats l1;  // an empty level: empty keys, no tables
  l1.level = 1;
  l1.target_bytes = 10 << 20;
  l1.score = 0.1;

  s.levels = {l0, l1};
  s.put_latency = MakeHistogram(5);
  s.get_latency = MakeHistogram(6);
  s.scan_latency = MakeHistogram(7);
  s.flush_latency = MakeHistogram(8);
  s.compaction_latency = MakeHistogram(9);
  return s;
}

// Parses json, failing the test (with the document) if it is not valid.
Json ParseOrFail(const std::string& json) {
  Json root;
  std::string error;
  EXPECT_TRUE(JsonParser::Parse(json, &root, &error)) << error << "\n" << json;
  return root;
}

const Json& Member(const Json& object, const std::string& key) {
  static const Json kMissing;
  const Json* found = object.Find(key);
  EXPECT_NE(nullptr, found) << "missing member \"" << key << "\"";
  return found ? *found : kMissing;
}

std::string ExpectedNumberText(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.17g", v);
  return buf;
}

TEST(StatsJsonTest, OutputIsStrictJsonWithEveryFieldOnce) {
  const std::string json = StatsToJson(MakeStats());
  const Json root = ParseOrFail(json);
  ASSERT_EQ(Json::Type::kObject, root.type);
  // 40 counters, 5 scalar fields, levels, 5 histograms; the parser rejects
  // duplicate names, so this also says each appears once.
  EXPECT_EQ(Counters().size() + 5 + 1 + 5, root.object.size());
}

TEST(StatsJsonTest, CountersCarryTheirValuesUnderTypeScriptNames) {
  const Stats stats = MakeStats();
  const std::string json = StatsToJson(stats);
  const Json root = ParseOrFail(json);
  for (const auto& f : Counters()) {
    const Json& v = Member(root, f.name);
    EXPECT_EQ(Json::Type::kNumber, v.type) << f.name;
    EXPECT_EQ(std::to_string(stats.*(f.member)), v.text) << f.name;
  }
  EXPECT_NE(std::string::npos, json.find("\"puts\":7,")) << json.substr(0, 200);
  EXPECT_EQ(0u, json.find("{\"puts\":7,")) << "the object starts with the first counter";
  // 2^53 is written exactly.
  EXPECT_NE(std::string::npos, json.find("\"lastSequence\":9007199254740992,"));
}

TEST(StatsJsonTest, LargestCounterIsWrittenWithAllDigits) {
  Stats s;
  s.puts = std::numeric_limits<uint64_t>::max();
  const std::string json = StatsToJson(s);
  EXPECT_NE(std::string::npos, json.find("\"puts\":18446744073709551615,"));
  ParseOrFail(json);
}

TEST(StatsJsonTest, ScalarFields) {
  const Json root = ParseOrFail(StatsToJson(MakeStats()));
  EXPECT_EQ(Json::Type::kBool, Member(root, "immutableMemtable").type);
  EXPECT_TRUE(Member(root, "immutableMemtable").boolean);
  EXPECT_EQ(Json::Type::kBool, Member(root, "writeStopped").type);
  EXPECT_FALSE(Member(root, "writeStopped").boolean);
  EXPECT_TRUE(Member(root, "readOnly").boolean);
  EXPECT_EQ("2.5", Member(root, "writeAmplification").text);
}

TEST(StatsJsonTest, ReadOnlyReasonIsEscaped) {
  const std::string json = StatsToJson(MakeStats());
  // Quote and backslash get a backslash, control characters \u00XX, the
  // rest (DEL included, which JSON allows raw) passes through.
  EXPECT_NE(std::string::npos,
            json.find("\"readOnlyReason\":\"disk \\\"full\\\" at C:\\\\data\\u000a\\u0001\\u001f end\x7f\""))
      << json;
  const Json root = ParseOrFail(json);
  EXPECT_EQ(Json::Type::kString, Member(root, "readOnlyReason").type);
  EXPECT_EQ(kReason, Member(root, "readOnlyReason").text) << "the escaping round-trips";
}

TEST(StatsJsonTest, EveryControlCharacterRoundTrips) {
  Stats s;
  for (int c = 0; c < 0x20; c++) s.read_only_reason.push_back(static_cast<char>(c));
  s.read_only_reason += "\"\\/";
  s.read_only_reason += "caf\xc3\xa9";  // UTF-8 passes through
  const Json root = ParseOrFail(StatsToJson(s));
  EXPECT_EQ(s.read_only_reason, Member(root, "readOnlyReason").text);
}

TEST(StatsJsonTest, LevelsAndTablesWithHexKeys) {
  const std::string json = StatsToJson(MakeStats());
  EXPECT_NE(std::string::npos, json.find("\"smallestKeyHex\":\"00ff226b5c\""));
  EXPECT_NE(std::string::npos, json.find("\"largestKeyHex\":\"ff0000\""));
  EXPECT_NE(std::string::npos, json.find("\"largestKeyHex\":\"706c61696e\""));  // "plain"

  const Json root = ParseOrFail(json);
  const Json& levels = Member(root, "levels");
  ASSERT_EQ(Json::Type::kArray, levels.type);
  ASSERT_EQ(2u, levels.array.size());

  const Json& l0 = levels.array[0];
  EXPECT_EQ("0", Member(l0, "level").text);
  EXPECT_EQ("2", Member(l0, "files").text);
  EXPECT_EQ("4096", Member(l0, "bytes").text);
  EXPECT_EQ("0", Member(l0, "targetBytes").text);
  EXPECT_EQ(0.75, Member(l0, "score").number);
  EXPECT_EQ("00ff226b5c", Member(l0, "smallestKeyHex").text);
  EXPECT_EQ("ff0000", Member(l0, "largestKeyHex").text);
  EXPECT_EQ("11", Member(l0, "compactionBytesRead").text);
  EXPECT_EQ("12", Member(l0, "compactionBytesWritten").text);
  const Json& tables = Member(l0, "tables");
  ASSERT_EQ(Json::Type::kArray, tables.type);
  ASSERT_EQ(2u, tables.array.size());
  const Json& t1 = tables.array[0];
  EXPECT_EQ(12u, t1.object.size());
  EXPECT_EQ("42", Member(t1, "number").text);
  EXPECT_EQ("2048", Member(t1, "size").text);
  EXPECT_EQ("00ff226b5c", Member(t1, "smallestKeyHex").text);
  EXPECT_EQ("706c61696e", Member(t1, "largestKeyHex").text);
  EXPECT_EQ("100", Member(t1, "entries").text);
  EXPECT_EQ("3", Member(t1, "tombstones").text);
  EXPECT_EQ("5", Member(t1, "smallestSeq").text);
  EXPECT_EQ("105", Member(t1, "largestSeq").text);
  EXPECT_EQ("900", Member(t1, "rawKeyBytes").text);
  EXPECT_EQ("9000", Member(t1, "rawValueBytes").text);
  EXPECT_EQ("10", Member(t1, "bloomBitsPerKey").text);
  EXPECT_TRUE(Member(t1, "beingCompacted").boolean);
  const Json& t2 = tables.array[1];
  EXPECT_EQ("43", Member(t2, "number").text);
  EXPECT_EQ("00", Member(t2, "smallestKeyHex").text);
  EXPECT_FALSE(Member(t2, "beingCompacted").boolean);

  const Json& l1 = levels.array[1];
  EXPECT_EQ("1", Member(l1, "level").text);
  EXPECT_EQ(std::to_string(10 << 20), Member(l1, "targetBytes").text);
  EXPECT_EQ("", Member(l1, "smallestKeyHex").text);
  EXPECT_EQ(Json::Type::kString, Member(l1, "smallestKeyHex").type);
  EXPECT_EQ(Json::Type::kArray, Member(l1, "tables").type);
  EXPECT_TRUE(Member(l1, "tables").array.empty());
}

TEST(StatsJsonTest, Histograms) {
  const Stats stats = MakeStats();
  const Json root = ParseOrFail(StatsToJson(stats));
  const std::pair<const char*, const HistogramData*> histograms[] = {
      {"putLatency", &stats.put_latency},
      {"getLatency", &stats.get_latency},
      {"scanLatency", &stats.scan_latency},
      {"flushLatency", &stats.flush_latency},
      {"compactionLatency", &stats.compaction_latency},
  };
  for (const auto& [name, h] : histograms) {
    SCOPED_TRACE(name);
    const Json& j = Member(root, name);
    ASSERT_EQ(Json::Type::kObject, j.type);
    EXPECT_EQ(8u, j.object.size());
    EXPECT_EQ(std::to_string(h->count), Member(j, "count").text);
    EXPECT_EQ(h->sum, Member(j, "sumMicros").number);
    EXPECT_EQ(2.5, Member(j, "minMicros").number);
    EXPECT_EQ(2e7, Member(j, "maxMicros").number);
    // %.17g round-trips a double exactly.
    EXPECT_EQ(h->Percentile(50), Member(j, "p50Micros").number);
    EXPECT_EQ(h->Percentile(99), Member(j, "p99Micros").number);
    EXPECT_GT(Member(j, "p99Micros").number, Member(j, "p50Micros").number);

    const Json& bounds = Member(j, "bucketBoundsMicros");
    ASSERT_EQ(Json::Type::kArray, bounds.type);
    ASSERT_EQ(HistogramData::BucketBounds().size(), bounds.array.size());
    for (size_t i = 0; i < bounds.array.size(); i++) {
      EXPECT_EQ(HistogramData::BucketBounds()[i], bounds.array[i].number) << i;
    }
    const Json& buckets = Member(j, "buckets");
    ASSERT_EQ(h->buckets.size(), buckets.array.size());
    for (size_t i = 0; i < buckets.array.size(); i++) {
      EXPECT_EQ(std::to_string(h->buckets[i]), buckets.array[i].text) << i;
    }
  }
}

TEST(StatsJsonTest, NonFiniteDoublesBecomeZero) {
  Stats s = MakeStats();
  s.write_amplification = kNaN;
  s.levels[0].score = kInf;
  s.levels[1].score = -kInf;
  s.put_latency.sum = kNaN;
  s.put_latency.min = -kInf;
  s.put_latency.max = kInf;
  const std::string json = StatsToJson(s);
  EXPECT_NE(std::string::npos, json.find("\"writeAmplification\":0,")) << json;
  EXPECT_NE(std::string::npos, json.find("\"score\":0,")) << json;
  EXPECT_NE(std::string::npos, json.find("\"sumMicros\":0,")) << json;
  const Json root = ParseOrFail(json);
  EXPECT_EQ("0", Member(root, "writeAmplification").text);
  const Json& levels = Member(root, "levels");
  ASSERT_EQ(2u, levels.array.size());
  EXPECT_EQ("0", Member(levels.array[0], "score").text);
  EXPECT_EQ("0", Member(levels.array[1], "score").text);
  const Json& put = Member(root, "putLatency");
  EXPECT_EQ("0", Member(put, "sumMicros").text);
  EXPECT_EQ("0", Member(put, "minMicros").text);
  EXPECT_EQ("0", Member(put, "maxMicros").text);
  for (const char* p : {"p50Micros", "p99Micros"}) {
    EXPECT_TRUE(std::isfinite(Member(put, p).number)) << p;
  }
}

TEST(StatsJsonTest, FractionalAndTinyDoublesRoundTrip) {
  Stats s;
  s.write_amplification = 0.1;
  LevelStats l;
  l.score = 1e-300;
  s.levels = {l};
  const Json root = ParseOrFail(StatsToJson(s));
  EXPECT_EQ(0.1, Member(root, "writeAmplification").number);
  EXPECT_EQ(1e-300, Member(Member(root, "levels").array.at(0), "score").number);
  EXPECT_EQ(ExpectedNumberText(0.1), Member(root, "writeAmplification").text);
}

TEST(StatsJsonTest, DefaultStatsAreValidJson) {
  const std::string json = StatsToJson(Stats());
  const Json root = ParseOrFail(json);
  EXPECT_EQ("0", Member(root, "puts").text);
  EXPECT_EQ("", Member(root, "readOnlyReason").text);
  EXPECT_TRUE(Member(root, "levels").array.empty());
  EXPECT_NE(std::string::npos, json.find("\"levels\":[],"));
  const Json& put = Member(root, "putLatency");
  EXPECT_EQ("0", Member(put, "count").text);
  EXPECT_EQ("0", Member(put, "p50Micros").text);
  EXPECT_TRUE(Member(put, "buckets").array.empty());
  EXPECT_EQ('}', json.back());
}

}  // namespace
}  // namespace strata
