#include "db/dbformat.h"

namespace strata {

void AppendInternalKey(std::string* result, const Slice& user_key, SequenceNumber seq, ValueType t) {
  result->append(user_key.data(), user_key.size());
  PutFixed64(result, PackSequenceAndType(seq, t));
}

bool ParseInternalKey(const Slice& ikey, ParsedInternalKey* result) {
  if (ikey.size() < kInternalKeyTrailer) return false;
  uint64_t tag = ExtractTag(ikey);
  uint8_t type = tag & 0xff;
  if (type > kTypeValue) return false;
  result->user_key = ExtractUserKey(ikey);
  result->sequence = tag >> 8;
  result->type = static_cast<ValueType>(type);
  return true;
}

LookupKey::LookupKey(const Slice& user_key, SequenceNumber sequence) {
  PutVarint32(&rep_, static_cast<uint32_t>(user_key.size() + kInternalKeyTrailer));
  kstart_ = rep_.size();
  AppendInternalKey(&rep_, user_key, sequence, kValueTypeForSeek);
}

}  // namespace strata
