// Index separators: shortened keys stay between the blocks they separate.
#include "table/index_keys.h"

#include <gtest/gtest.h>

#include <string>

#include "db/dbformat.h"
#include "table_test_util.h"
#include "util/random.h"

namespace strata {
namespace {

using test::IKey;

const uint64_t kSeekTag = PackSequenceAndType(kMaxSequenceNumber, kValueTypeForSeek);

std::string SeekKey(const std::string& user_key) {
  std::string k = user_key;
  PutFixed64(&k, kSeekTag);
  return k;
}

TEST(IndexKeys, SeparatorShortensTheUserKey) {
  std::string start = IKey("abcdefgh", 5);
  ShortenSeparator(&start, IKey("abzzz", 9));
  EXPECT_EQ(start, SeekKey("abd"));
}

TEST(IndexKeys, SeparatorKeepsKeysItCannotShorten) {
  for (const auto& [a, b] : std::vector<std::pair<std::string, std::string>>{
           {"abc", "abcd"},   // prefix
           {"abc", "abd"},    // adjacent byte
           {"ab\xff", "ac"},  // 0xff cannot be incremented
           {"same", "same"},  // same user key, different sequence
       }) {
    const std::string original = IKey(a, 7);
    std::string start = original;
    ShortenSeparator(&start, IKey(b, a == b ? 3 : 7));
    EXPECT_EQ(start, original) << a << " / " << b;
  }
}

TEST(IndexKeys, SuccessorIsShortAndNotSmaller) {
  std::string key = IKey("hello", 3);
  ShortenSuccessor(&key);
  EXPECT_EQ(key, SeekKey("i"));
  std::string all_ff = IKey("\xff\xff", 3);
  const std::string original = all_ff;
  ShortenSuccessor(&all_ff);
  EXPECT_EQ(all_ff, original);
}

std::string RandomUserKey(Random* rnd) {
  static const char kAlphabet[] = {'\0', '\x01', 'a', 'b', 'c', '\x7f', '\xfe', '\xff'};
  std::string k(rnd->Uniform(6), '\0');
  for (char& c : k) c = kAlphabet[rnd->Uniform(sizeof(kAlphabet))];
  return k;
}

TEST(IndexKeys, RandomSeparatorsLieBetweenTheirKeys) {
  Random rnd(99);
  for (int trial = 0; trial < 20000; trial++) {
    std::string a = IKey(RandomUserKey(&rnd), rnd.Uniform(100), rnd.OneIn(2) ? kTypeValue : kTypeDeletion);
    std::string b = IKey(RandomUserKey(&rnd), rnd.Uniform(100), rnd.OneIn(2) ? kTypeValue : kTypeDeletion);
    int c = CompareInternalKeys(a, b);
    if (c == 0) continue;
    if (c > 0) std::swap(a, b);
    std::string sep = a;
    ShortenSeparator(&sep, b);
    EXPECT_LE(CompareInternalKeys(a, sep), 0);
    EXPECT_LT(CompareInternalKeys(sep, b), 0);
    EXPECT_LE(sep.size(), a.size());
    std::string succ = a;
    ShortenSuccessor(&succ);
    EXPECT_LE(CompareInternalKeys(a, succ), 0);
    EXPECT_LE(succ.size(), a.size());
  }
}

}  // namespace
}  // namespace strata
