#include "stats/prometheus_parser.h"

#include <cmath>
#include <cstdlib>
#include <set>
#include <utility>

namespace strata {
namespace test {

namespace {

bool IsNameStart(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
}
bool IsNameChar(char c) {
  return IsNameStart(c) || (c >= '0' && c <= '9');
}
bool IsLabelNameStart(char c) {
  return IsNameStart(c) && c != ':';
}
bool IsLabelNameChar(char c) {
  return IsNameChar(c) && c != ':';
}

// A cursor over one line.
class LineReader {
 public:
  explicit LineReader(const std::string& line) : line_(line) {}

  bool AtEnd() const { return pos_ == line_.size(); }
  char Peek() const { return AtEnd() ? '\0' : line_[pos_]; }
  bool Consume(char c) {
    if (Peek() != c || AtEnd()) return false;
    pos_++;
    return true;
  }
  std::string Rest() const { return line_.substr(pos_); }

  // A metric name, or "" if none starts here.
  std::string MetricName() {
    size_t start = pos_;
    if (!IsNameStart(Peek())) return "";
    while (!AtEnd() && IsNameChar(line_[pos_])) pos_++;
    return line_.substr(start, pos_ - start);
  }

  std::string LabelName() {
    size_t start = pos_;
    if (!IsLabelNameStart(Peek())) return "";
    while (!AtEnd() && IsLabelNameChar(line_[pos_])) pos_++;
    return line_.substr(start, pos_ - start);
  }

  // A double-quoted label value with \\, \" and \n escapes; false if
  // malformed.
  bool QuotedValue(std::string* value) {
    if (!Consume('"')) return false;
    value->clear();
    while (!AtEnd()) {
      char c = line_[pos_++];
      if (c == '"') return true;
      if (c != '\\') {
        *value += c;
        continue;
      }
      if (AtEnd()) return false;
      char e = line_[pos_++];
      if (e == '\\')
        *value += '\\';
      else if (e == '"')
        *value += '"';
      else if (e == 'n')
        *value += '\n';
      else
        return false;
    }
    return false;  // unterminated
  }

  // The next space-free token.
  std::string Token() {
    size_t start = pos_;
    while (!AtEnd() && line_[pos_] != ' ') pos_++;
    return line_.substr(start, pos_ - start);
  }

 private:
  const std::string& line_;
  size_t pos_ = 0;
};

bool ParseValue(const std::string& token, double* value) {
  if (token == "NaN")
    *value = NAN;
  else if (token == "+Inf")
    *value = INFINITY;
  else if (token == "-Inf")
    *value = -INFINITY;
  else {
    if (token.empty()) return false;
    char* end = nullptr;
    *value = std::strtod(token.c_str(), &end);
    // strtod also takes "inf", "nan" and hex; the format does not.
    if (*end != '\0' || token.find_first_of("xXiInN") != std::string::npos) return false;
  }
  return true;
}

std::string UnescapeHelp(const std::string& text, bool* ok) {
  std::string out;
  *ok = true;
  for (size_t i = 0; i < text.size(); i++) {
    if (text[i] != '\\') {
      out += text[i];
      continue;
    }
    if (++i == text.size())
      *ok = false;
    else if (text[i] == '\\')
      out += '\\';
    else if (text[i] == 'n')
      out += '\n';
    else
      *ok = false;
  }
  return out;
}

bool IsKnownType(const std::string& t) {
  return t == "counter" || t == "gauge" || t == "histogram" || t == "summary" || t == "untyped";
}

// Whether a sample named `sample` belongs to `family`.
bool BelongsTo(const std::string& sample, const PromFamily& family) {
  if (sample == family.name) return family.type != "histogram";
  if (family.type != "histogram") return false;
  for (const char* suffix : {"_bucket", "_sum", "_count"}) {
    if (sample == family.name + suffix) return true;
  }
  return false;
}

}  // namespace

const PromFamily* PromDocument::Find(const std::string& name) const {
  for (const PromFamily& f : families) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

std::string ParsePrometheus(const std::string& text, PromDocument* doc) {
  doc->families.clear();
  if (!text.empty() && text.back() != '\n') return "document does not end with a newline";

  std::set<std::string> family_names;
  std::set<std::string> series;  // name + labels, for duplicates
  std::string pending_help_name, pending_help;
  size_t line_start = 0;
  for (int line_no = 1; line_start < text.size(); line_no++) {
    const size_t line_end = text.find('\n', line_start);
    const std::string line = text.substr(line_start, line_end - line_start);
    line_start = line_end + 1;
    const std::string where = "line " + std::to_string(line_no) + " '" + line + "': ";
    if (line.empty()) return where + "blank line";

    LineReader r(line);
    if (r.Consume('#')) {
      if (!r.Consume(' ')) return where + "comment without a space after #";
      const std::string keyword = r.Token();
      if (keyword != "HELP" && keyword != "TYPE") continue;  // a plain comment
      if (!r.Consume(' ')) return where + "missing metric name";
      const std::string name = r.MetricName();
      if (name.empty()) return where + "bad metric name";
      if (!r.Consume(' ')) return where + "missing " + keyword + " text";
      const std::string rest = r.Rest();
      if (keyword == "HELP") {
        if (!pending_help_name.empty()) return where + "two HELP lines in a row";
        bool ok;
        pending_help = UnescapeHelp(rest, &ok);
        if (!ok) return where + "bad escape in HELP";
        pending_help_name = name;
        continue;
      }
      // TYPE
      if (!IsKnownType(rest)) return where + "unknown type";
      if (!family_names.insert(name).second) return where + "second TYPE for the family";
      if (pending_help_name != name) return where + "TYPE without a HELP line for the same name before it";
      doc->families.push_back(PromFamily{name, rest, pending_help, {}});
      pending_help_name.clear();
      continue;
    }

    if (!pending_help_name.empty()) return where + "HELP not followed by TYPE";
    PromSample sample;
    sample.name = r.MetricName();
    if (sample.name.empty()) return where + "bad metric name";
    if (r.Consume('{')) {
      while (!r.Consume('}')) {
        const std::string label = r.LabelName();
        if (label.empty()) return where + "bad label name";
        if (!r.Consume('=')) return where + "missing = after label name";
        std::string value;
        if (!r.QuotedValue(&value)) return where + "bad label value";
        if (!sample.labels.emplace(label, value).second) return where + "label repeated";
        if (!r.Consume(',') && r.Peek() != '}') return where + "expected , or }";
      }
    }
    if (!r.Consume(' ')) return where + "missing space before value";
    if (!ParseValue(r.Token(), &sample.value)) return where + "bad value";
    if (r.Consume(' ')) {
      const std::string ts = r.Token();
      if (ts.empty() || ts.find_first_not_of("-0123456789") != std::string::npos) {
        return where + "bad timestamp";
      }
    }
    if (!r.AtEnd()) return where + "trailing characters";

    if (doc->families.empty() || !BelongsTo(sample.name, doc->families.back())) {
      return where + "sample outside its family (no TYPE, or families interleaved)";
    }
    std::string key = sample.name + "{";
    for (const auto& [k, v] : sample.labels) key += k + "=\"" + v + "\",";
    if (!series.insert(key + "}").second) return where + "duplicate series";
    doc->families.back().samples.push_back(std::move(sample));
  }
  if (!pending_help_name.empty()) return "HELP at the end without a TYPE";
  return "";
}

}  // namespace test
}  // namespace strata
