// Block format: BlockBuilder writes what Block's iterator reads back, and a
// damaged block is reported, never read out of bounds.
#include "table/block.h"

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "table/block_builder.h"
#include "table_test_util.h"
#include "util/coding.h"
#include "util/random.h"

namespace strata {
namespace {

using test::IKey;
using test::OwnedCopy;

std::vector<std::pair<std::string, std::string>> SortedEntries(int n, uint64_t seed) {
  Random rnd(seed);
  std::map<std::string, std::string> m;
  while (static_cast<int>(m.size()) < n) {
    // Shared prefixes of varying length exercise the prefix compression.
    std::string key = "prefix/" + std::to_string(rnd.Uniform(50)) + "/" + std::to_string(rnd.Next());
    m[key] = std::string(rnd.Uniform(20), static_cast<char>('a' + rnd.Uniform(26)));
  }
  return {m.begin(), m.end()};
}

std::shared_ptr<Block> MakeBlock(const std::vector<std::pair<std::string, std::string>>& entries,
                                 int restart_interval) {
  BlockBuilder builder(restart_interval);
  for (const auto& [k, v] : entries) builder.Add(k, v);
  std::shared_ptr<Block> block;
  EXPECT_TRUE(Block::Parse(OwnedCopy(builder.Finish()), "test block", &block).ok());
  return block;
}

class BlockRoundTrip : public ::testing::TestWithParam<int> {};

TEST_P(BlockRoundTrip, IteratesEveryEntryForwardAndBackward) {
  auto entries = SortedEntries(500, 1);
  auto block = MakeBlock(entries, GetParam());
  std::unique_ptr<Iterator> it(block->NewIterator(KeyOrder::kBytewise));

  size_t i = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next(), i++) {
    ASSERT_LT(i, entries.size());
    EXPECT_EQ(it->key().ToString(), entries[i].first);
    EXPECT_EQ(it->value().ToString(), entries[i].second);
  }
  EXPECT_EQ(i, entries.size());
  EXPECT_TRUE(it->status().ok());

  i = entries.size();
  for (it->SeekToLast(); it->Valid(); it->Prev()) {
    ASSERT_GT(i, 0u);
    i--;
    EXPECT_EQ(it->key().ToString(), entries[i].first);
    EXPECT_EQ(it->value().ToString(), entries[i].second);
  }
  EXPECT_EQ(i, 0u);
  EXPECT_TRUE(it->status().ok());
}

TEST_P(BlockRoundTrip, SeekFindsFirstKeyAtOrAfterTarget) {
  auto entries = SortedEntries(300, 2);
  auto block = MakeBlock(entries, GetParam());
  std::unique_ptr<Iterator> it(block->NewIterator(KeyOrder::kBytewise));
  for (size_t i = 0; i < entries.size(); i++) {
    it->Seek(entries[i].first);
    ASSERT_TRUE(it->Valid());
    EXPECT_EQ(it->key().ToString(), entries[i].first);
    // Just past the key: lands on the next one.
    it->Seek(entries[i].first + '\0');
    if (i + 1 < entries.size()) {
      ASSERT_TRUE(it->Valid());
      EXPECT_EQ(it->key().ToString(), entries[i + 1].first);
    } else {
      EXPECT_FALSE(it->Valid());
    }
  }
  it->Seek("");
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->key().ToString(), entries[0].first);
  it->Seek("\xff");
  EXPECT_FALSE(it->Valid());
  EXPECT_TRUE(it->status().ok());
}

TEST_P(BlockRoundTrip, PrevAfterSeekStepsBackOneEntry) {
  auto entries = SortedEntries(200, 3);
  auto block = MakeBlock(entries, GetParam());
  std::unique_ptr<Iterator> it(block->NewIterator(KeyOrder::kBytewise));
  for (size_t i = 1; i < entries.size(); i += 7) {
    it->Seek(entries[i].first);
    ASSERT_TRUE(it->Valid());
    it->Prev();
    ASSERT_TRUE(it->Valid());
    EXPECT_EQ(it->key().ToString(), entries[i - 1].first);
    it->Next();
    it->Next();
    if (i + 1 < entries.size()) {
      EXPECT_EQ(it->key().ToString(), entries[i + 1].first);
    }
  }
  it->SeekToFirst();
  it->Prev();
  EXPECT_FALSE(it->Valid());
  EXPECT_TRUE(it->status().ok());
}

INSTANTIATE_TEST_SUITE_P(RestartIntervals, BlockRoundTrip, ::testing::Values(1, 2, 16, 1000));

TEST(Block, EmptyBlockHasNoEntries) {
  auto block = MakeBlock({}, 16);
  std::unique_ptr<Iterator> it(block->NewIterator(KeyOrder::kBytewise));
  it->SeekToFirst();
  EXPECT_FALSE(it->Valid());
  it->SeekToLast();
  EXPECT_FALSE(it->Valid());
  it->Seek("a");
  EXPECT_FALSE(it->Valid());
  EXPECT_TRUE(it->status().ok());
}

TEST(Block, RestartPointsAreWrittenEveryIntervalEntries) {
  BlockBuilder builder(4);
  for (int i = 0; i < 10; i++) builder.Add("key" + std::to_string(i), "v");
  Slice contents = builder.Finish();
  // 10 entries, interval 4: restarts at entries 0, 4 and 8.
  EXPECT_EQ(DecodeFixed32(contents.data() + contents.size() - 4), 3u);
}

TEST(Block, PrefixCompressionStoresSharedPrefixOnce) {
  const std::string prefix(100, 'p');
  BlockBuilder builder(16);
  for (int i = 0; i < 16; i++) builder.Add(prefix + static_cast<char>('a' + i), "");
  // The prefix is stored in full once; each later entry stores 1 byte of key.
  EXPECT_LT(builder.Finish().size(), 100 + 16 * 5 + 8 + 10u);
}

TEST(Block, InternalKeyOrderSeeksNewestVersionFirst) {
  BlockBuilder builder(2);
  // Same user key: higher sequence sorts first.
  std::vector<std::string> keys = {IKey("a", 9), IKey("a", 5), IKey("a", 1, kTypeDeletion), IKey("b", 7)};
  for (const auto& k : keys) builder.Add(k, "v");
  std::shared_ptr<Block> block;
  ASSERT_TRUE(Block::Parse(OwnedCopy(builder.Finish()), "b", &block).ok());
  std::unique_ptr<Iterator> it(block->NewIterator(KeyOrder::kInternalKey));
  it->Seek(IKey("a", 6));
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->key().ToString(), keys[1]);
  it->Seek(IKey("a", kMaxSequenceNumber));
  EXPECT_EQ(it->key().ToString(), keys[0]);
  it->Seek(IKey("a", 0));
  EXPECT_EQ(it->key().ToString(), keys[3]);
}

TEST(Block, InternalKeyOrderReportsKeysShorterThanTagAsCorruption) {
  BlockBuilder builder(16);
  builder.Add("short", "v");
  std::shared_ptr<Block> block;
  ASSERT_TRUE(Block::Parse(OwnedCopy(builder.Finish()), "my block", &block).ok());
  std::unique_ptr<Iterator> it(block->NewIterator(KeyOrder::kInternalKey));
  it->SeekToFirst();
  EXPECT_FALSE(it->Valid());
  EXPECT_TRUE(it->status().IsCorruption());
  EXPECT_NE(it->status().message().find("my block"), std::string::npos) << it->status().ToString();
}

TEST(Block, InternalKeySeekWithShortTargetIsInvalidArgument) {
  auto block = MakeBlock({{IKey("a", 1), "v"}}, 16);
  std::unique_ptr<Iterator> it(block->NewIterator(KeyOrder::kInternalKey));
  it->Seek("abc");
  EXPECT_FALSE(it->Valid());
  EXPECT_TRUE(it->status().IsInvalidArgument());
}

std::string RestartArray(std::vector<uint32_t> points) {
  std::string s;
  for (uint32_t p : points) PutFixed32(&s, p);
  PutFixed32(&s, static_cast<uint32_t>(points.size()));
  return s;
}

TEST(Block, ParseRejectsMalformedRestartArrays) {
  std::shared_ptr<Block> block;
  EXPECT_TRUE(Block::Parse(OwnedCopy(""), "b", &block).IsCorruption());
  EXPECT_TRUE(Block::Parse(OwnedCopy("abc"), "b", &block).IsCorruption());
  EXPECT_TRUE(Block::Parse(OwnedCopy(RestartArray({})), "b", &block).IsCorruption());  // no restarts
  std::string huge_count;
  PutFixed32(&huge_count, 0xffffffffu);
  EXPECT_TRUE(Block::Parse(OwnedCopy(huge_count), "b", &block).IsCorruption());
  const std::string entries(20, '\0');
  EXPECT_TRUE(
      Block::Parse(OwnedCopy(entries + RestartArray({4})), "b", &block).IsCorruption());  // first not 0
  EXPECT_TRUE(
      Block::Parse(OwnedCopy(entries + RestartArray({0, 8, 4})), "b", &block).IsCorruption());  // descending
  EXPECT_TRUE(
      Block::Parse(OwnedCopy(entries + RestartArray({0, 20})), "b", &block).IsCorruption());  // past entries
  EXPECT_EQ(block, nullptr);
  EXPECT_TRUE(Block::Parse(OwnedCopy(entries + RestartArray({0, 3, 19})), "b", &block).ok());
}

// Runs every kind of positioning over a block and returns how many entries
// were seen; the checks are that nothing crashes (ASan) or loops forever and
// that a failure is reported as Corruption.
size_t Exercise(const Block& block, KeyOrder order) {
  std::unique_ptr<Iterator> it(block.NewIterator(order));
  size_t seen = 0;
  for (it->SeekToFirst(); it->Valid() && seen < 100000; it->Next()) seen++;
  EXPECT_TRUE(it->status().ok() || it->status().IsCorruption()) << it->status().ToString();
  std::unique_ptr<Iterator> back(block.NewIterator(order));
  for (back->SeekToLast(); back->Valid() && seen < 200000; back->Prev()) seen++;
  EXPECT_TRUE(back->status().ok() || back->status().IsCorruption()) << back->status().ToString();
  // Targets long enough to be internal keys, so both orders accept them.
  for (const std::string& target : {std::string(8, '\0'), std::string("prefix/3/"), std::string(12, 'z')}) {
    std::unique_ptr<Iterator> s(block.NewIterator(order));
    s->Seek(target);
    if (s->Valid()) {
      s->Prev();
      if (s->Valid()) s->Next();
    }
    EXPECT_TRUE(s->status().ok() || s->status().IsCorruption()) << s->status().ToString();
  }
  return seen;
}

TEST(BlockCorruption, EveryTruncationIsRejectedOrReadSafely) {
  auto entries = SortedEntries(60, 4);
  BlockBuilder builder(4);
  for (const auto& [k, v] : entries) builder.Add(k, v);
  const std::string contents = builder.Finish().ToString();
  for (size_t len = 0; len < contents.size(); len++) {
    std::shared_ptr<Block> block;
    Status s = Block::Parse(OwnedCopy(contents.substr(0, len)), "b", &block);
    if (!s.ok()) {
      EXPECT_TRUE(s.IsCorruption());
      continue;
    }
    Exercise(*block, KeyOrder::kBytewise);
  }
}

TEST(BlockCorruption, RandomByteDamageIsRejectedOrReadSafely) {
  auto entries = SortedEntries(100, 5);
  BlockBuilder builder(8);
  for (const auto& [k, v] : entries) builder.Add(k, v);
  const std::string original = builder.Finish().ToString();
  Random rnd(42);
  int parsed = 0;
  for (int trial = 0; trial < 3000; trial++) {
    std::string damaged = original;
    const int flips = 1 + static_cast<int>(rnd.Uniform(4));
    for (int f = 0; f < flips; f++) {
      // Half the time hit the restart array, where damage matters most.
      size_t pos = rnd.OneIn(2) ? rnd.Uniform(damaged.size())
                                : damaged.size() - 1 - rnd.Uniform(std::min<size_t>(40, damaged.size()));
      damaged[pos] = static_cast<char>(rnd.OneIn(2) ? rnd.Next() : damaged[pos] ^ (1 << rnd.Uniform(8)));
    }
    std::shared_ptr<Block> block;
    Status s = Block::Parse(OwnedCopy(damaged), "b", &block);
    if (!s.ok()) {
      EXPECT_TRUE(s.IsCorruption());
      continue;
    }
    parsed++;
    Exercise(*block, trial % 2 == 0 ? KeyOrder::kBytewise : KeyOrder::kInternalKey);
  }
  EXPECT_GT(parsed, 0);
}

TEST(BlockCorruption, ArbitraryBytesAreRejectedOrReadSafely) {
  Random rnd(7);
  for (int trial = 0; trial < 3000; trial++) {
    std::string bytes(rnd.Uniform(64), '\0');
    for (char& c : bytes) c = static_cast<char>(rnd.OneIn(3) ? 0 : rnd.Next());
    // A plausible restart array makes the entries area get decoded.
    if (bytes.size() >= 8 && rnd.OneIn(2)) {
      EncodeFixed32(&bytes[bytes.size() - 8], 0);
      EncodeFixed32(&bytes[bytes.size() - 4], 1);
    }
    std::shared_ptr<Block> block;
    if (Block::Parse(OwnedCopy(bytes), "b", &block).ok()) {
      Exercise(*block, KeyOrder::kBytewise);
      Exercise(*block, KeyOrder::kInternalKey);
    }
  }
}

}  // namespace
}  // namespace strata
