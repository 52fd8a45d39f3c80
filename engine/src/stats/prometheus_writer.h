// PrometheusWriter: builds a document in the Prometheus text exposition
// format, version 0.0.4
// (https://prometheus.io/docs/instrumenting/exposition_formats/).
//
// Each metric family is written once: a `# HELP` line, a `# TYPE` line, then
// its samples, one per line as `name{label="value",...} value`. The writer
// escapes HELP text and label values and formats numbers; the caller chooses
// names that are valid ([a-zA-Z_:][a-zA-Z0-9_:]*) and never starts a family
// twice (checked with assert).
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "strata/stats.h"

namespace strata {

class PrometheusWriter {
 public:
  using Labels = std::vector<std::pair<std::string, std::string>>;

  // Writes the HELP and TYPE lines of a family; type is "counter", "gauge"
  // or "histogram". Samples of the family follow with Sample().
  void BeginFamily(const std::string& name, const char* type, const std::string& help);

  // One sample line. Integers are written exactly (no rounding through
  // double), doubles in the shortest form that reads back to the same value.
  void Sample(const std::string& name, const Labels& labels, uint64_t value);
  void Sample(const std::string& name, const Labels& labels, double value);

  // A family with one unlabelled sample.
  void Counter(const std::string& name, const std::string& help, uint64_t value);
  void Counter(const std::string& name, const std::string& help, double value);
  void Gauge(const std::string& name, const std::string& help, uint64_t value);
  void Gauge(const std::string& name, const std::string& help, double value);
  void Gauge(const std::string& name, const std::string& help, bool value) {
    Gauge(name, help, uint64_t{value ? 1u : 0u});
  }

  // A histogram family: cumulative name_bucket{le="..."} over
  // HistogramData::BucketBounds() and le="+Inf", name_sum and name_count.
  // Bounds and sum are divided by `units_per_base_unit` (1e6 turns
  // microseconds into the seconds Prometheus expects; dividing, unlike
  // multiplying by 1e-6, gives bounds that print short: 5e-06).
  void Histogram(const std::string& name, const std::string& help, const HistogramData& data,
                 double units_per_base_unit);

  const std::string& text() const { return out_; }

  // Escapes a label value: backslash, double quote and newline.
  static std::string EscapeLabelValue(const std::string& value);
  // Escapes HELP text: backslash and newline.
  static std::string EscapeHelp(const std::string& help);
  // A sample value: shortest round-trip decimal, or NaN, +Inf, -Inf.
  static std::string FormatDouble(double value);

 private:
  void SampleText(const std::string& name, const Labels& labels, const std::string& value);

  std::string out_;
  std::set<std::string> families_;  // started so far, to catch duplicates
};

}  // namespace strata
