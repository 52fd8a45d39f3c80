// Internal keys and their order (engine/src/db/dbformat.h).
#include "db/dbformat.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "util/coding.h"

namespace strata {
namespace {

std::string IKey(const std::string& user_key, SequenceNumber seq, ValueType type) {
  std::string r;
  AppendInternalKey(&r, user_key, seq, type);
  return r;
}

TEST(DbFormatTest, InternalKeyIsUserKeyThenLittleEndianTag) {
  std::string expected = "key";
  PutFixed64(&expected, (uint64_t{0x010203} << 8) | 1);
  EXPECT_EQ(expected, IKey("key", 0x010203, kTypeValue));
}

TEST(DbFormatTest, ValueTypesKeepTheirNumbers) {
  EXPECT_EQ(0, kTypeDeletion);
  EXPECT_EQ(1, kTypeValue);
  EXPECT_EQ(kTypeValue, kValueTypeForSeek);
}

TEST(DbFormatTest, ParseInvertsAppend) {
  const std::string user_keys[] = {"", "a", "foo", std::string("\0\xff\x01", 3), std::string(1000, 'z')};
  const SequenceNumber seqs[] = {0, 1, 255, 256, (uint64_t{1} << 32) + 7, kMaxSequenceNumber};
  for (const auto& uk : user_keys) {
    for (SequenceNumber seq : seqs) {
      for (ValueType type : {kTypeValue, kTypeDeletion}) {
        std::string ikey = IKey(uk, seq, type);
        ParsedInternalKey parsed;
        ASSERT_TRUE(ParseInternalKey(ikey, &parsed));
        EXPECT_EQ(uk, parsed.user_key.ToString());
        EXPECT_EQ(seq, parsed.sequence);
        EXPECT_EQ(type, parsed.type);
        EXPECT_EQ(uk, ExtractUserKey(ikey).ToString());
        EXPECT_EQ(PackSequenceAndType(seq, type), ExtractTag(ikey));
      }
    }
  }
}

TEST(DbFormatTest, ParseRejectsKeysShorterThanTheTag) {
  const std::string full = IKey("", 5, kTypeValue);
  ASSERT_EQ(8u, full.size());
  for (size_t len = 0; len < 8; len++) {
    ParsedInternalKey parsed;
    EXPECT_FALSE(ParseInternalKey(Slice(full.data(), len), &parsed)) << len;
  }
}

TEST(DbFormatTest, ParseRejectsUnknownValueTypes) {
  for (int type : {2, 3, 0x7f, 0xff}) {
    std::string ikey = "key";
    PutFixed64(&ikey, (uint64_t{9} << 8) | static_cast<uint64_t>(type));
    ParsedInternalKey parsed;
    EXPECT_FALSE(ParseInternalKey(ikey, &parsed)) << type;
  }
}

TEST(DbFormatTest, UserKeysSortAscending) {
  EXPECT_LT(CompareInternalKeys(IKey("a", 1, kTypeValue), IKey("b", 100, kTypeValue)), 0);
  EXPECT_GT(CompareInternalKeys(IKey("b", 1, kTypeValue), IKey("a", 100, kTypeValue)), 0);
  // A user key sorts before its extensions whatever the tags hold.
  EXPECT_LT(CompareInternalKeys(IKey("a", 1, kTypeValue), IKey(std::string("a\0", 2), 200, kTypeValue)), 0);
  EXPECT_LT(CompareInternalKeys(IKey("a", kMaxSequenceNumber, kTypeValue), IKey("ab", 0, kTypeDeletion)), 0);
}

TEST(DbFormatTest, EqualUserKeysSortBySequenceDescending) {
  EXPECT_LT(CompareInternalKeys(IKey("a", 5, kTypeValue), IKey("a", 3, kTypeValue)), 0);
  EXPECT_GT(CompareInternalKeys(IKey("a", 3, kTypeValue), IKey("a", 5, kTypeValue)), 0);
  EXPECT_LT(CompareInternalKeys(IKey("a", 256, kTypeDeletion), IKey("a", 255, kTypeValue)), 0);
}

TEST(DbFormatTest, EqualSequenceSortsValueBeforeDeletion) {
  EXPECT_LT(CompareInternalKeys(IKey("a", 5, kTypeValue), IKey("a", 5, kTypeDeletion)), 0);
}

TEST(DbFormatTest, IdenticalKeysCompareEqual) {
  EXPECT_EQ(0, CompareInternalKeys(IKey("abc", 7, kTypeValue), IKey("abc", 7, kTypeValue)));
}

TEST(DbFormatTest, SortingGivesUserKeyThenNewestFirst) {
  const std::vector<std::string> expected = {
      IKey("", 3, kTypeValue),  IKey("a", 9, kTypeValue),    IKey("a", 2, kTypeDeletion),
      IKey("a", 1, kTypeValue), IKey("aa", 100, kTypeValue), IKey("b", kMaxSequenceNumber, kTypeValue),
      IKey("b", 0, kTypeValue)};
  std::vector<std::string> keys(expected.rbegin(), expected.rend());
  std::swap(keys[1], keys[4]);
  std::sort(keys.begin(), keys.end(),
            [](const std::string& x, const std::string& y) { return CompareInternalKeys(x, y) < 0; });
  EXPECT_EQ(expected, keys);
}

TEST(DbFormatTest, InternalKeyClassHoldsTheEncoding) {
  InternalKey empty;
  EXPECT_TRUE(empty.empty());
  InternalKey k("abc", 7, kTypeDeletion);
  EXPECT_FALSE(k.empty());
  EXPECT_EQ(IKey("abc", 7, kTypeDeletion), k.Encode().ToString());
  EXPECT_EQ("abc", k.user_key().ToString());
  InternalKey d;
  d.DecodeFrom(IKey("xy", 9, kTypeValue));
  EXPECT_EQ("xy", d.user_key().ToString());
  d.Clear();
  EXPECT_TRUE(d.empty());
}

TEST(DbFormatTest, LookupKeyPartsAreConsistent) {
  for (size_t len : {0, 1, 5, 119, 120, 200, 70000}) {
    const std::string user_key(len, 'k');
    LookupKey lk(user_key, 42);
    EXPECT_EQ(user_key, lk.user_key().ToString());
    EXPECT_EQ(IKey(user_key, 42, kValueTypeForSeek), lk.internal_key().ToString());
    std::string expected_memtable_key;
    PutVarint32(&expected_memtable_key, static_cast<uint32_t>(len + 8));
    expected_memtable_key += lk.internal_key().ToString();
    EXPECT_EQ(expected_memtable_key, lk.memtable_key().ToString()) << len;
  }
}

TEST(DbFormatTest, LookupKeySortsAtTheNewestVersionVisibleAtItsSequence) {
  LookupKey lk("k", 10);
  // Before every entry of k with sequence <= 10, after those above 10.
  EXPECT_GT(CompareInternalKeys(lk.internal_key(), IKey("k", 11, kTypeValue)), 0);
  EXPECT_LE(CompareInternalKeys(lk.internal_key(), IKey("k", 10, kTypeValue)), 0);
  EXPECT_LT(CompareInternalKeys(lk.internal_key(), IKey("k", 10, kTypeDeletion)), 0);
  EXPECT_LT(CompareInternalKeys(lk.internal_key(), IKey("k", 9, kTypeValue)), 0);
}

}  // namespace
}  // namespace strata
