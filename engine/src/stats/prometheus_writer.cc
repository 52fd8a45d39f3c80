#include "stats/prometheus_writer.h"

#include <cassert>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace strata {

void PrometheusWriter::BeginFamily(const std::string& name, const char* type, const std::string& help) {
  [[maybe_unused]] const bool inserted = families_.insert(name).second;
  assert(inserted && "metric family written twice");
  out_ += "# HELP " + name + " " + EscapeHelp(help) + "\n";
  out_ += "# TYPE " + name + " " + type + "\n";
}

void PrometheusWriter::Sample(const std::string& name, const Labels& labels, uint64_t value) {
  SampleText(name, labels, std::to_string(value));
}

void PrometheusWriter::Sample(const std::string& name, const Labels& labels, double value) {
  SampleText(name, labels, FormatDouble(value));
}

void PrometheusWriter::Counter(const std::string& name, const std::string& help, uint64_t value) {
  BeginFamily(name, "counter", help);
  Sample(name, {}, value);
}

void PrometheusWriter::Counter(const std::string& name, const std::string& help, double value) {
  BeginFamily(name, "counter", help);
  Sample(name, {}, value);
}

void PrometheusWriter::Gauge(const std::string& name, const std::string& help, uint64_t value) {
  BeginFamily(name, "gauge", help);
  Sample(name, {}, value);
}

void PrometheusWriter::Gauge(const std::string& name, const std::string& help, double value) {
  BeginFamily(name, "gauge", help);
  Sample(name, {}, value);
}

void PrometheusWriter::Histogram(const std::string& name, const std::string& help, const HistogramData& data,
                                 double units_per_base_unit) {
  BeginFamily(name, "histogram", help);
  const std::vector<double>& bounds = HistogramData::BucketBounds();
  // Cumulate over the buckets actually present, so a hand-built value with
  // too few buckets still gives monotonic series and +Inf == count.
  uint64_t cumulative = 0;
  for (size_t i = 0; i < bounds.size(); i++) {
    if (i < data.buckets.size()) cumulative += data.buckets[i];
    Sample(name + "_bucket", {{"le", FormatDouble(bounds[i] / units_per_base_unit)}}, cumulative);
  }
  for (size_t i = bounds.size(); i < data.buckets.size(); i++) cumulative += data.buckets[i];
  Sample(name + "_bucket", {{"le", "+Inf"}}, cumulative);
  Sample(name + "_sum", {}, data.sum / units_per_base_unit);
  Sample(name + "_count", {}, cumulative);
}

void PrometheusWriter::SampleText(const std::string& name, const Labels& labels, const std::string& value) {
  out_ += name;
  if (!labels.empty()) {
    out_ += '{';
    for (size_t i = 0; i < labels.size(); i++) {
      if (i > 0) out_ += ',';
      out_ += labels[i].first + "=\"" + EscapeLabelValue(labels[i].second) + "\"";
    }
    out_ += '}';
  }
  out_ += ' ';
  out_ += value;
  out_ += '\n';
}

std::string PrometheusWriter::EscapeLabelValue(const std::string& value) {
  std::string escaped;
  escaped.reserve(value.size());
  for (char c : value) {
    switch (c) {
      case '\\': escaped += "\\\\"; break;
      case '"': escaped += "\\\""; break;
      case '\n': escaped += "\\n"; break;
      default: escaped += c;
    }
  }
  return escaped;
}

std::string PrometheusWriter::EscapeHelp(const std::string& help) {
  std::string escaped;
  escaped.reserve(help.size());
  for (char c : help) {
    switch (c) {
      case '\\': escaped += "\\\\"; break;
      case '\n': escaped += "\\n"; break;
      default: escaped += c;
    }
  }
  return escaped;
}

std::string PrometheusWriter::FormatDouble(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  // The fewest significant digits that read back exactly: 1e-06, not
  // 9.9999999999999995e-07. (std::to_chars would do this, but not in every
  // standard library the wasm build may meet.) Uses the C locale's '.'
  // unless the process changed LC_NUMERIC.
  char buf[32];
  int precision = 1;
  for (; precision < 17; precision++) {
    std::snprintf(buf, sizeof(buf), "%.*g", precision, value);
    if (std::strtod(buf, nullptr) == value) break;
  }
  std::snprintf(buf, sizeof(buf), "%.*g", precision, value);
  // %g picks "1e+01" for 10 at one digit; the plain form may be shorter.
  const char* e = std::strchr(buf, 'e');
  if (e != nullptr && e[1] == '+') {
    const int exponent = std::atoi(e + 2);
    char plain[32];
    if (exponent < 17 && std::snprintf(plain, sizeof(plain), "%.*g", exponent + 1, value) > 0 &&
        std::strlen(plain) < std::strlen(buf)) {
      return plain;
    }
  }
  return buf;
}

}  // namespace strata
