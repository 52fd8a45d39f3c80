// JsonWriter: builds one JSON text by appending values, with the commas,
// for the binding's JSON outputs (stats, events). Keys are written as given
// (callers pass plain identifiers); strings are escaped; bytes go as hex.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>

namespace strata {

// Appends `"name":value` pairs, with commas, to one JSON object at a time.
class JsonWriter {
 public:
  std::string& out() { return out_; }

  void BeginObject() { Open('{'); }
  void EndObject() { Close('}'); }
  void BeginArray() { Open('['); }
  void EndArray() { Close(']'); }

  void Key(const char* name) {
    Comma();
    out_ += '"';
    out_ += name;
    out_ += "\":";
    after_key_ = true;
  }

  void Number(double v) {
    Comma();
    if (!std::isfinite(v)) v = 0;  // JSON has no NaN or Infinity
    char buf[32];
    std::snprintf(buf, sizeof(buf), "%.17g", v);
    out_ += buf;
  }
  void Unsigned(uint64_t v) {
    Comma();
    out_ += std::to_string(v);
  }
  void Int(int64_t v) {
    Comma();
    out_ += std::to_string(v);
  }
  void Null() {
    Comma();
    out_ += "null";
  }
  void Bool(bool v) {
    Comma();
    out_ += v ? "true" : "false";
  }
  void String(const std::string& s) {
    Comma();
    out_ += '"';
    for (unsigned char c : s) {
      if (c == '"' || c == '\\') {
        out_ += '\\';
        out_ += static_cast<char>(c);
      } else if (c < 0x20) {
        char buf[8];
        std::snprintf(buf, sizeof(buf), "\\u%04x", c);
        out_ += buf;
      } else {
        out_ += static_cast<char>(c);  // UTF-8 passes through
      }
    }
    out_ += '"';
  }
  void Hex(const std::string& bytes) {
    static const char kDigits[] = "0123456789abcdef";
    Comma();
    out_ += '"';
    for (unsigned char c : bytes) {
      out_ += kDigits[c >> 4];
      out_ += kDigits[c & 15];
    }
    out_ += '"';
  }

 private:
  void Open(char c) {
    Comma();
    out_ += c;
    first_ = true;
  }
  void Close(char c) {
    out_ += c;
    first_ = false;
  }
  void Comma() {
    if (after_key_) {
      after_key_ = false;
      return;
    }
    if (!first_) out_ += ',';
    first_ = false;
  }

  std::string out_;
  bool first_ = true;
  bool after_key_ = false;
};

}  // namespace strata
