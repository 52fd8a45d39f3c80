// Internal keys: how a user key is versioned inside the engine.
//
//   internal_key := user_key . fixed64_le((sequence << 8) | value_type)
//
// Ordered by user key ascending (bytewise), then by sequence descending, so
// that the newest version of a key comes first. Persisted in every WAL
// replay, memtable and table: the value types never change numbers.
#pragma once

#include <cstdint>
#include <string>

#include "strata/slice.h"
#include "util/coding.h"

namespace strata {

using SequenceNumber = uint64_t;
// Sequences use 56 bits; the low 8 bits of the tag hold the type.
constexpr SequenceNumber kMaxSequenceNumber = (uint64_t{1} << 56) - 1;

enum ValueType : uint8_t {
  kTypeDeletion = 0,
  kTypeValue = 1,
};
// Seeking to (key, seq) must find every entry with that key and sequence
// <= seq; the highest type sorts first, so seek with it.
constexpr ValueType kValueTypeForSeek = kTypeValue;

constexpr size_t kInternalKeyTrailer = 8;

inline uint64_t PackSequenceAndType(SequenceNumber seq, ValueType t) {
  return (seq << 8) | t;
}

struct ParsedInternalKey {
  Slice user_key;
  SequenceNumber sequence = 0;
  ValueType type = kTypeValue;
};

void AppendInternalKey(std::string* result, const Slice& user_key, SequenceNumber seq, ValueType t);

// False if ikey is too short or has an unknown type.
bool ParseInternalKey(const Slice& ikey, ParsedInternalKey* result);

// REQUIRES: ikey.size() >= 8
inline Slice ExtractUserKey(const Slice& ikey) {
  return Slice(ikey.data(), ikey.size() - kInternalKeyTrailer);
}
inline uint64_t ExtractTag(const Slice& ikey) {
  return DecodeFixed64(ikey.data() + ikey.size() - kInternalKeyTrailer);
}

// Three-way comparison of internal keys in the order described above.
inline int CompareInternalKeys(const Slice& a, const Slice& b) {
  int r = ExtractUserKey(a).compare(ExtractUserKey(b));
  if (r == 0) {
    uint64_t ta = ExtractTag(a), tb = ExtractTag(b);
    if (ta > tb)
      r = -1;
    else if (ta < tb)
      r = +1;
  }
  return r;
}

// An owned internal key.
class InternalKey {
 public:
  InternalKey() = default;
  InternalKey(const Slice& user_key, SequenceNumber s, ValueType t) {
    AppendInternalKey(&rep_, user_key, s, t);
  }
  void DecodeFrom(const Slice& s) { rep_.assign(s.data(), s.size()); }
  Slice Encode() const { return rep_; }
  Slice user_key() const { return ExtractUserKey(rep_); }
  bool empty() const { return rep_.empty(); }
  void Clear() { rep_.clear(); }

 private:
  std::string rep_;
};

// The key a memtable lookup seeks to:
//   varint32(internal_key size) . user_key . tag(seq, kValueTypeForSeek)
class LookupKey {
 public:
  LookupKey(const Slice& user_key, SequenceNumber sequence);
  // The length-prefixed form, as memtable entries begin.
  Slice memtable_key() const { return Slice(rep_); }
  Slice internal_key() const { return Slice(rep_.data() + kstart_, rep_.size() - kstart_); }
  Slice user_key() const { return Slice(rep_.data() + kstart_, rep_.size() - kstart_ - 8); }

 private:
  std::string rep_;
  size_t kstart_;
};

}  // namespace strata
