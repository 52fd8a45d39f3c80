#include "table/index_keys.h"

#include <algorithm>
#include <cassert>

#include "db/dbformat.h"

namespace strata {

namespace {

// Replaces *key (a full internal key) with user_key + the tag that sorts
// first for it, if user_key is shorter than key's user key and greater.
void ReplaceIfShorter(std::string* key, const std::string& user_key) {
  const Slice old_user = ExtractUserKey(*key);
  if (user_key.size() < old_user.size() && old_user.compare(user_key) < 0) {
    std::string shortened = user_key;
    PutFixed64(&shortened, PackSequenceAndType(kMaxSequenceNumber, kValueTypeForSeek));
    assert(CompareInternalKeys(*key, shortened) < 0);
    key->swap(shortened);
  }
}

}  // namespace

void ShortenSeparator(std::string* start, const Slice& limit) {
  const Slice user_start = ExtractUserKey(*start);
  const Slice user_limit = ExtractUserKey(limit);
  const size_t min_length = std::min(user_start.size(), user_limit.size());
  size_t diff = 0;
  while (diff < min_length && user_start[diff] == user_limit[diff]) diff++;
  if (diff >= min_length) return;  // one user key is a prefix of the other

  // Increment the first differing byte if that keeps it below limit's.
  const auto byte = static_cast<uint8_t>(user_start[diff]);
  if (byte < 0xff && byte + 1 < static_cast<uint8_t>(user_limit[diff])) {
    std::string user_key(user_start.data(), diff + 1);
    user_key[diff] = static_cast<char>(byte + 1);
    assert(Slice(user_key).compare(user_limit) < 0);
    ReplaceIfShorter(start, user_key);
  }
}

void ShortenSuccessor(std::string* key) {
  const Slice user_key = ExtractUserKey(*key);
  // The first byte that can be incremented, with everything after it cut.
  for (size_t i = 0; i < user_key.size(); i++) {
    const auto byte = static_cast<uint8_t>(user_key[i]);
    if (byte != 0xff) {
      std::string shorter(user_key.data(), i + 1);
      shorter[i] = static_cast<char>(byte + 1);
      ReplaceIfShorter(key, shorter);
      return;
    }
  }
  // All 0xff: leave it as is.
}

}  // namespace strata
