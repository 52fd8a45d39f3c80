// Stats::ToPrometheus, read back with a strict parser of the text format.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <string>

#include "stats/histogram.h"
#include "stats/prometheus_parser.h"
#include "stats/prometheus_writer.h"
#include "strata/stats.h"

namespace strata {
namespace {

using test::ParsePrometheus;
using test::PromDocument;
using test::PromFamily;

const char kNastyReason[] = "disk \"full\" at C:\\data\nretry later";

HistogramData MakeHistogram(std::initializer_list<double> micros) {
  Histogram h;
  for (double v : micros) h.Record(v);
  return h.Snapshot();
}

// Every field set, each to a different value, so a field exported under the
// wrong name or not at all shows up.
Stats FullStats() {
  Stats s;
  uint64_t next = 1;
  for (uint64_t* field : {&s.puts,
                          &s.gets,
                          &s.get_hits,
                          &s.deletes,
                          &s.batch_writes,
                          &s.scans,
                          &s.user_bytes_written,
                          &s.user_bytes_read,
                          &s.last_sequence,
                          &s.wal_bytes,
                          &s.wal_records,
                          &s.wal_syncs,
                          &s.wal_segments_created,
                          &s.wal_live_segments,
                          &s.memtable_bytes,
                          &s.memtable_entries,
                          &s.memtable_limit,
                          &s.immutable_memtable_bytes,
                          &s.wal_segment_limit,
                          &s.l0_compaction_trigger,
                          &s.l0_slowdown_trigger,
                          &s.l0_stop_trigger,
                          &s.flushes,
                          &s.flush_bytes_written,
                          &s.compactions,
                          &s.compactions_running,
                          &s.compaction_bytes_read,
                          &s.compaction_bytes_written,
                          &s.compaction_micros,
                          &s.slowdown_writes,
                          &s.stopped_writes,
                          &s.stall_micros,
                          &s.bloom_checks,
                          &s.bloom_useful,
                          &s.block_cache_hits,
                          &s.block_cache_misses,
                          &s.block_cache_usage,
                          &s.block_cache_capacity,
                          &s.table_cache_hits,
                          &s.table_cache_misses,
                          &s.recovered_wal_segments,
                          &s.recovered_records,
                          &s.recovery_dropped_records,
                          &s.recovery_dropped_bytes}) {
    *field = next++ * 1000;
  }
  s.last_sequence = (uint64_t{1} << 60) + 1;  // not representable as a double
  s.immutable_memtable = true;
  s.write_stopped = true;
  s.read_only = true;
  s.read_only_reason = kNastyReason;
  s.write_amplification = 2.75;
  for (int i = 0; i < 3; i++) {
    LevelStats l;
    l.level = i;
    l.files = 10 + i;
    l.bytes = 1000 + i;
    l.target_bytes = i == 0 ? 0 : 10000 * i;
    l.score = 0.5 + i;
    l.compaction_bytes_read = 100 + i;
    l.compaction_bytes_written = 200 + i;
    s.levels.push_back(l);
  }
  s.put_latency = MakeHistogram({1, 3, 3, 40, 2e7});
  s.get_latency = MakeHistogram({0.5, 7, 900});
  s.scan_latency = MakeHistogram({150});
  s.flush_latency = MakeHistogram({});  // empty
  s.compaction_latency = MakeHistogram({5e5, 1.5e6});
  return s;
}

PromDocument Parse(const Stats& s) {
  PromDocument doc;
  const std::string text = s.ToPrometheus();
  const std::string error = ParsePrometheus(text, &doc);
  EXPECT_EQ(error, "") << text;
  return doc;
}

// The value of the unlabelled sample of a one-sample family.
double Scalar(const PromDocument& doc, const std::string& name) {
  const PromFamily* f = doc.Find(name);
  if (f == nullptr) {
    ADD_FAILURE() << "missing family " << name;
    return NAN;
  }
  EXPECT_EQ(f->samples.size(), 1u) << name;
  EXPECT_TRUE(f->samples.empty() || f->samples[0].labels.empty()) << name;
  return f->samples.empty() ? NAN : f->samples[0].value;
}

TEST(PrometheusTest, FullStatsParseAsValidExposition) {
  PromDocument doc = Parse(FullStats());
  EXPECT_GT(doc.families.size(), 50u);
}

TEST(PrometheusTest, EmptyStatsParseAsValidExposition) {
  PromDocument doc = Parse(Stats());
  ASSERT_NE(doc.Find("strata_level_files"), nullptr);
  EXPECT_TRUE(doc.Find("strata_level_files")->samples.empty());
  EXPECT_TRUE(doc.Find("strata_read_only_info")->samples.empty());
  // Default-constructed histograms have no buckets at all; still well formed.
  const PromFamily* get = doc.Find("strata_get_latency_seconds");
  ASSERT_NE(get, nullptr);
  for (const auto& sample : get->samples) EXPECT_EQ(sample.value, 0) << sample.name;
}

TEST(PrometheusTest, NamesFollowConventions) {
  PromDocument doc = Parse(FullStats());
  for (const PromFamily& f : doc.families) {
    EXPECT_EQ(f.name.rfind("strata_", 0), 0u) << f.name;
    EXPECT_FALSE(f.help.empty()) << f.name;
    const bool ends_total = f.name.size() > 6 && f.name.compare(f.name.size() - 6, 6, "_total") == 0;
    EXPECT_EQ(ends_total, f.type == "counter") << f.name << " is a " << f.type;
    EXPECT_EQ(f.name.find("micros"), std::string::npos) << f.name << ": use seconds";
  }
}

TEST(PrometheusTest, EveryScalarFieldIsExported) {
  const Stats s = FullStats();
  PromDocument doc = Parse(s);
  const std::map<std::string, double> expected = {
      {"strata_puts_total", s.puts},
      {"strata_gets_total", s.gets},
      {"strata_get_hits_total", s.get_hits},
      {"strata_deletes_total", s.deletes},
      {"strata_batch_writes_total", s.batch_writes},
      {"strata_scans_total", s.scans},
      {"strata_user_write_bytes_total", s.user_bytes_written},
      {"strata_user_read_bytes_total", s.user_bytes_read},
      {"strata_wal_write_bytes_total", s.wal_bytes},
      {"strata_wal_records_total", s.wal_records},
      {"strata_wal_syncs_total", s.wal_syncs},
      {"strata_wal_segments_created_total", s.wal_segments_created},
      {"strata_wal_live_segments", s.wal_live_segments},
      {"strata_memtable_bytes", s.memtable_bytes},
      {"strata_memtable_entries", s.memtable_entries},
      {"strata_memtable_limit_bytes", s.memtable_limit},
      {"strata_immutable_memtable_bytes", s.immutable_memtable_bytes},
      {"strata_wal_segment_limit", s.wal_segment_limit},
      {"strata_l0_compaction_trigger_files", s.l0_compaction_trigger},
      {"strata_l0_slowdown_trigger_files", s.l0_slowdown_trigger},
      {"strata_l0_stop_trigger_files", s.l0_stop_trigger},
      {"strata_immutable_memtable", 1},
      {"strata_levels", 3},
      {"strata_flushes_total", s.flushes},
      {"strata_flush_write_bytes_total", s.flush_bytes_written},
      {"strata_compactions_total", s.compactions},
      {"strata_compactions_running", s.compactions_running},
      {"strata_compaction_read_bytes_total", s.compaction_bytes_read},
      {"strata_compaction_write_bytes_total", s.compaction_bytes_written},
      {"strata_compaction_seconds_total", s.compaction_micros / 1e6},
      {"strata_write_amplification", 2.75},
      {"strata_slowdown_writes_total", s.slowdown_writes},
      {"strata_stopped_writes_total", s.stopped_writes},
      {"strata_stall_seconds_total", s.stall_micros / 1e6},
      {"strata_write_stopped", 1},
      {"strata_bloom_checks_total", s.bloom_checks},
      {"strata_bloom_useful_total", s.bloom_useful},
      {"strata_block_cache_hits_total", s.block_cache_hits},
      {"strata_block_cache_misses_total", s.block_cache_misses},
      {"strata_block_cache_usage_bytes", s.block_cache_usage},
      {"strata_block_cache_capacity_bytes", s.block_cache_capacity},
      {"strata_table_cache_hits_total", s.table_cache_hits},
      {"strata_table_cache_misses_total", s.table_cache_misses},
      {"strata_recovered_wal_segments_total", s.recovered_wal_segments},
      {"strata_recovered_records_total", s.recovered_records},
      {"strata_recovery_dropped_records_total", s.recovery_dropped_records},
      {"strata_recovery_dropped_bytes_total", s.recovery_dropped_bytes},
      {"strata_read_only", 1},
  };
  for (const auto& [name, value] : expected) EXPECT_DOUBLE_EQ(Scalar(doc, name), value) << name;
}

TEST(PrometheusTest, LargeCountersAreWrittenExactly) {
  const std::string text = FullStats().ToPrometheus();
  EXPECT_NE(text.find("\nstrata_last_sequence 1152921504606846977\n"), std::string::npos);
}

TEST(PrometheusTest, EveryLevelHasASeriesInEveryPerLevelFamily) {
  const Stats s = FullStats();
  PromDocument doc = Parse(s);
  const std::map<std::string, double (*)(const LevelStats&)> families = {
      {"strata_level_files", [](const LevelStats& l) { return double(l.files); }},
      {"strata_level_bytes", [](const LevelStats& l) { return double(l.bytes); }},
      {"strata_level_target_bytes", [](const LevelStats& l) { return double(l.target_bytes); }},
      {"strata_level_score", [](const LevelStats& l) { return l.score; }},
      {"strata_level_compaction_read_bytes_total",
       [](const LevelStats& l) { return double(l.compaction_bytes_read); }},
      {"strata_level_compaction_write_bytes_total",
       [](const LevelStats& l) { return double(l.compaction_bytes_written); }},
  };
  for (const auto& [name, get] : families) {
    const PromFamily* f = doc.Find(name);
    ASSERT_NE(f, nullptr) << name;
    ASSERT_EQ(f->samples.size(), s.levels.size()) << name;
    for (size_t i = 0; i < s.levels.size(); i++) {
      const auto& sample = f->samples[i];
      EXPECT_EQ(sample.labels.size(), 1u);
      EXPECT_EQ(sample.labels.at("level"), std::to_string(i)) << name;
      EXPECT_DOUBLE_EQ(sample.value, get(s.levels[i])) << name << " level " << i;
    }
  }
}

TEST(PrometheusTest, HistogramsAreCumulativeWithInfEqualToCount) {
  const Stats s = FullStats();
  PromDocument doc = Parse(s);
  const std::map<std::string, const HistogramData*> histograms = {
      {"strata_put_latency_seconds", &s.put_latency},
      {"strata_get_latency_seconds", &s.get_latency},
      {"strata_scan_latency_seconds", &s.scan_latency},
      {"strata_flush_latency_seconds", &s.flush_latency},
      {"strata_compaction_latency_seconds", &s.compaction_latency},
  };
  const std::vector<double>& bounds = HistogramData::BucketBounds();
  for (const auto& [name, data] : histograms) {
    const PromFamily* f = doc.Find(name);
    ASSERT_NE(f, nullptr) << name;
    EXPECT_EQ(f->type, "histogram");
    std::vector<std::pair<std::string, double>> buckets;  // le, count
    double sum = NAN, count = NAN;
    for (const auto& sample : f->samples) {
      if (sample.name == name + "_bucket") {
        buckets.emplace_back(sample.labels.at("le"), sample.value);
      } else if (sample.name == name + "_sum") {
        sum = sample.value;
      } else if (sample.name == name + "_count") {
        count = sample.value;
      }
    }
    ASSERT_EQ(buckets.size(), bounds.size() + 1) << name;
    for (size_t i = 0; i < bounds.size(); i++) {
      EXPECT_EQ(std::stod(buckets[i].first), bounds[i] / 1e6) << name;
      EXPECT_LE(buckets[i].first.size(), 6u) << "le=" << buckets[i].first << " should print short";
      if (i > 0) {
        EXPECT_GE(buckets[i].second, buckets[i - 1].second) << name << " le=" << buckets[i].first;
      }
    }
    EXPECT_EQ(buckets.back().first, "+Inf");
    EXPECT_GE(buckets.back().second, buckets[bounds.size() - 1].second);
    EXPECT_EQ(buckets.back().second, count) << name;
    EXPECT_EQ(count, static_cast<double>(data->count)) << name;
    EXPECT_NEAR(sum, data->sum / 1e6, 1e-12 + data->sum * 1e-15) << name;
  }
  // Spot check: put latency had 1 value at <= 1 us and 3 at <= 3 us.
  const PromFamily* put = doc.Find("strata_put_latency_seconds");
  EXPECT_EQ(put->samples[0].labels.at("le"), "1e-06");
  EXPECT_EQ(put->samples[0].value, 1);
  EXPECT_EQ(put->samples[2].labels.at("le"), "3e-06");
  EXPECT_EQ(put->samples[2].value, 3);
}

TEST(PrometheusTest, ReadOnlyReasonIsEscapedInALabel) {
  const std::string text = FullStats().ToPrometheus();
  EXPECT_NE(text.find(R"(reason="disk \"full\" at C:\\data\nretry later")"), std::string::npos) << text;
  PromDocument doc = Parse(FullStats());
  const PromFamily* info = doc.Find("strata_read_only_info");
  ASSERT_NE(info, nullptr);
  ASSERT_EQ(info->samples.size(), 1u);
  EXPECT_EQ(info->samples[0].labels.at("reason"), kNastyReason);
  EXPECT_EQ(info->samples[0].value, 1);
}

TEST(PrometheusWriterTest, EscapesLabelValuesAndHelp) {
  EXPECT_EQ(PrometheusWriter::EscapeLabelValue("a\\b\"c\nd"), "a\\\\b\\\"c\\nd");
  EXPECT_EQ(PrometheusWriter::EscapeHelp("a\\b\"c\nd"), "a\\\\b\"c\\nd");
}

TEST(PrometheusWriterTest, FormatsNumbersInShortestRoundTripForm) {
  EXPECT_EQ(PrometheusWriter::FormatDouble(1e-6), "1e-06");
  EXPECT_EQ(PrometheusWriter::FormatDouble(0.5), "0.5");
  EXPECT_EQ(PrometheusWriter::FormatDouble(3), "3");
  EXPECT_EQ(PrometheusWriter::FormatDouble(10), "10");
  EXPECT_EQ(PrometheusWriter::FormatDouble(1000), "1000");
  EXPECT_EQ(PrometheusWriter::FormatDouble(1e7), "1e+07");
  EXPECT_EQ(PrometheusWriter::FormatDouble(123456.5), "123456.5");
  EXPECT_EQ(PrometheusWriter::FormatDouble(-2.5e-9), "-2.5e-09");
  EXPECT_EQ(PrometheusWriter::FormatDouble(1.0 / 3), "0.3333333333333333");
  EXPECT_EQ(PrometheusWriter::FormatDouble(0), "0");
  EXPECT_EQ(PrometheusWriter::FormatDouble(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(PrometheusWriter::FormatDouble(NAN), "NaN");
  EXPECT_EQ(PrometheusWriter::FormatDouble(INFINITY), "+Inf");
  EXPECT_EQ(PrometheusWriter::FormatDouble(-INFINITY), "-Inf");
}

TEST(PrometheusWriterTest, WritesHelpTypeAndLabelledSamples) {
  PrometheusWriter w;
  w.BeginFamily("x_total", "counter", "Line one\nline two.");
  w.Sample("x_total", {{"a", "1"}, {"b", "q\""}}, uint64_t{7});
  w.Gauge("y", "Why.", 1.25);
  EXPECT_EQ(w.text(),
            "# HELP x_total Line one\\nline two.\n"
            "# TYPE x_total counter\n"
            "x_total{a=\"1\",b=\"q\\\"\"} 7\n"
            "# HELP y Why.\n"
            "# TYPE y gauge\n"
            "y 1.25\n");
}

// The parser itself must reject what Prometheus rejects, or the tests above
// prove nothing.
TEST(PrometheusParserTest, RejectsMalformedDocuments) {
  PromDocument doc;
  const char* bad[] = {
      "x 1\n",                                                     // no TYPE
      "# HELP x h\n# TYPE x gauge\nx 1",                           // no final newline
      "# HELP x h\n# TYPE x gauge\n# HELP x h\n# TYPE x gauge\n",  // TYPE twice
      "# HELP x h\n# TYPE x gauge\nx{a=\"1} 1\n",                  // unterminated label
      "# HELP x h\n# TYPE x gauge\nx{a=\"\\t\"} 1\n",              // bad escape
      "# HELP x h\n# TYPE x gauge\nx one\n",                       // bad value
      "# HELP x h\n# TYPE x gauge\nx 1\nx 2\n",                    // duplicate series
      "# HELP x h\n# TYPE x gauge\ny 1\n",                         // sample outside family
      "# HELP x h\n# TYPE x gauge\n\nx 1\n",                       // blank line
      "# HELP x h\n# TYPE x histogram\nx 1\n",                     // bare histogram sample
      "# HELP x h\n# TYPE x bogus\n",                              // unknown type
  };
  for (const char* text : bad) EXPECT_NE(ParsePrometheus(text, &doc), "") << text;
  EXPECT_EQ(ParsePrometheus("# HELP x h\n# TYPE x gauge\nx{a=\"\\\\\",b=\"\"} -Inf\n", &doc), "");
  EXPECT_EQ(doc.families[0].samples[0].labels.at("a"), "\\");
}

}  // namespace
}  // namespace strata
