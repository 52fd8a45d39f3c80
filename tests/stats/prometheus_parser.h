// A strict reader of the Prometheus text exposition format 0.0.4, for tests:
// it accepts what a Prometheus server accepts from StrataDB's export and
// explains the first problem otherwise. Stricter than the spec where
// StrataDB promises more: every family has exactly one HELP and one TYPE
// line before its samples, samples of a family are contiguous, there are no
// blank lines, and no two samples share a name and label set.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace strata {
namespace test {

struct PromSample {
  std::string name;                           // e.g. strata_get_latency_seconds_bucket
  std::map<std::string, std::string> labels;  // values unescaped
  double value = 0;
};

struct PromFamily {
  std::string name;
  std::string type;  // counter, gauge, histogram, summary or untyped
  std::string help;  // unescaped
  std::vector<PromSample> samples;
};

struct PromDocument {
  std::vector<PromFamily> families;  // in document order
  // nullptr if no family has this name.
  const PromFamily* Find(const std::string& name) const;
};

// Parses text into *doc. Returns "" on success, else a message naming the
// line and the problem.
std::string ParsePrometheus(const std::string& text, PromDocument* doc);

}  // namespace test
}  // namespace strata
