// A small, strict JSON parser for the binding tests: it accepts exactly the
// RFC 8259 grammar (no NaN, no trailing commas, no raw control characters
// in strings, nothing after the value) and keeps each number's text, so a
// test can check both that StatsToJson's output is valid JSON and what each
// field holds.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

namespace strata {
namespace jsontest {

struct Json {
  enum class Type { kNull, kBool, kNumber, kString, kArray, kObject };
  Type type = Type::kNull;
  bool boolean = false;
  double number = 0;
  std::string text;  // a number's digits as written, or a string's decoded bytes
  std::vector<Json> array;
  std::vector<std::pair<std::string, Json>> object;  // in document order

  // The member named key, or nullptr (also when this is not an object).
  const Json* Find(const std::string& key) const {
    if (type != Type::kObject) return nullptr;
    for (const auto& [name, value] : object) {
      if (name == key) return &value;
    }
    return nullptr;
  }
};

class JsonParser {
 public:
  // Parses all of text into *out. On failure returns false with *error
  // naming the offset and the problem.
  static bool Parse(const std::string& text, Json* out, std::string* error) {
    JsonParser p(text);
    if (!p.Value(out, 0)) {
      *error = "at offset " + std::to_string(p.pos_) + ": " + p.error_;
      return false;
    }
    p.SkipSpace();
    if (p.pos_ != text.size()) {
      *error = "at offset " + std::to_string(p.pos_) + ": trailing characters";
      return false;
    }
    return true;
  }

 private:
  explicit JsonParser(const std::string& text) : s_(text) {}

  bool Fail(const std::string& what) {
    error_ = what;
    return false;
  }

  void SkipSpace() {
    while (pos_ < s_.size() &&
           (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r')) {
      pos_++;
    }
  }

  bool Literal(const char* word) {
    const std::string w(word);
    if (s_.compare(pos_, w.size(), w) != 0) return Fail("bad literal");
    pos_ += w.size();
    return true;
  }

  bool IsDigit(size_t at) const { return at < s_.size() && s_[at] >= '0' && s_[at] <= '9'; }

  bool Value(Json* out, int depth) {
    if (depth > 64) return Fail("nested too deeply");
    SkipSpace();
    if (pos_ >= s_.size()) return Fail("unexpected end");
    const char c = s_[pos_];
    if (c == '{') return Object(out, depth);
    if (c == '[') return Array(out, depth);
    if (c == '"') {
      out->type = Json::Type::kString;
      return String(&out->text);
    }
    if (c == 't') {
      out->type = Json::Type::kBool;
      out->boolean = true;
      return Literal("true");
    }
    if (c == 'f') {
      out->type = Json::Type::kBool;
      out->boolean = false;
      return Literal("false");
    }
    if (c == 'n') {
      out->type = Json::Type::kNull;
      return Literal("null");
    }
    return Number(out);
  }

  bool Number(Json* out) {
    const size_t start = pos_;
    if (pos_ < s_.size() && s_[pos_] == '-') pos_++;
    if (!IsDigit(pos_)) return Fail("bad number");
    if (s_[pos_] == '0') {
      pos_++;
    } else {
      while (IsDigit(pos_)) pos_++;
    }
    if (pos_ < s_.size() && s_[pos_] == '.') {
      pos_++;
      if (!IsDigit(pos_)) return Fail("bad fraction");
      while (IsDigit(pos_)) pos_++;
    }
    if (pos_ < s_.size() && (s_[pos_] == 'e' || s_[pos_] == 'E')) {
      pos_++;
      if (pos_ < s_.size() && (s_[pos_] == '+' || s_[pos_] == '-')) pos_++;
      if (!IsDigit(pos_)) return Fail("bad exponent");
      while (IsDigit(pos_)) pos_++;
    }
    out->type = Json::Type::kNumber;
    out->text = s_.substr(start, pos_ - start);
    out->number = std::strtod(out->text.c_str(), nullptr);
    return true;
  }

  static int HexValue(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }

  static void AppendUtf8(uint32_t cp, std::string* out) {
    if (cp < 0x80) {
      out->push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out->push_back(static_cast<char>(0xc0 | (cp >> 6)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    } else {
      out->push_back(static_cast<char>(0xe0 | (cp >> 12)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    }
  }

  bool String(std::string* out) {
    pos_++;  // the opening quote
    out->clear();
    while (true) {
      if (pos_ >= s_.size()) return Fail("unterminated string");
      const unsigned char c = static_cast<unsigned char>(s_[pos_++]);
      if (c == '"') return true;
      if (c < 0x20) return Fail("raw control character in string");
      if (c != '\\') {
        out->push_back(static_cast<char>(c));
        continue;
      }
      if (pos_ >= s_.size()) return Fail("unterminated escape");
      const char e = s_[pos_++];
      switch (e) {
        case '"': out->push_back('"'); break;
        case '\\': out->push_back('\\'); break;
        case '/': out->push_back('/'); break;
        case 'b': out->push_back('\b'); break;
        case 'f': out->push_back('\f'); break;
        case 'n': out->push_back('\n'); break;
        case 'r': out->push_back('\r'); break;
        case 't': out->push_back('\t'); break;
        case 'u': {
          if (pos_ + 4 > s_.size()) return Fail("short \\u escape");
          uint32_t cp = 0;
          for (int i = 0; i < 4; i++) {
            const int h = HexValue(s_[pos_++]);
            if (h < 0) return Fail("bad \\u escape");
            cp = cp * 16 + static_cast<uint32_t>(h);
          }
          AppendUtf8(cp, out);  // the tests need no surrogate pairs
          break;
        }
        default: return Fail(std::string("bad escape \\") + e);
      }
    }
  }

  bool Array(Json* out, int depth) {
    out->type = Json::Type::kArray;
    pos_++;
    SkipSpace();
    if (pos_ < s_.size() && s_[pos_] == ']') {
      pos_++;
      return true;
    }
    while (true) {
      Json element;
      if (!Value(&element, depth + 1)) return false;
      out->array.push_back(std::move(element));
      SkipSpace();
      if (pos_ >= s_.size()) return Fail("unterminated array");
      const char c = s_[pos_++];
      if (c == ']') return true;
      if (c != ',') return Fail("expected , or ] in array");
    }
  }

  bool Object(Json* out, int depth) {
    out->type = Json::Type::kObject;
    pos_++;
    SkipSpace();
    if (pos_ < s_.size() && s_[pos_] == '}') {
      pos_++;
      return true;
    }
    while (true) {
      SkipSpace();
      if (pos_ >= s_.size() || s_[pos_] != '"') return Fail("expected a member name");
      std::string name;
      if (!String(&name)) return false;
      if (out->Find(name) != nullptr) return Fail("duplicate member \"" + name + "\"");
      SkipSpace();
      if (pos_ >= s_.size() || s_[pos_] != ':') return Fail("expected :");
      pos_++;
      Json value;
      if (!Value(&value, depth + 1)) return false;
      out->object.emplace_back(std::move(name), std::move(value));
      SkipSpace();
      if (pos_ >= s_.size()) return Fail("unterminated object");
      const char c = s_[pos_++];
      if (c == '}') return true;
      if (c != ',') return Fail("expected , or } in object");
    }
  }

  const std::string& s_;
  size_t pos_ = 0;
  std::string error_;
};

}  // namespace jsontest
}  // namespace strata
