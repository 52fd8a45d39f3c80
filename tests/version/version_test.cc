// Version queries on file metadata (engine/src/version/version.h).
#include "version/version.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "version/version_test_util.h"

namespace strata {
namespace {

using test::MakeFile;

std::vector<uint64_t> SortedNumbers(const std::vector<FileMetaPtr>& files) {
  std::vector<uint64_t> numbers;
  for (const auto& f : files) numbers.push_back(f->number);
  std::sort(numbers.begin(), numbers.end());
  return numbers;
}

class VersionTest : public testing::Test {
 protected:
  std::vector<uint64_t> Overlapping(int level, const char* begin, const char* end) {
    Slice b(begin ? begin : ""), e(end ? end : "");
    return SortedNumbers(v_.GetOverlappingInputs(level, begin ? &b : nullptr, end ? &e : nullptr));
  }

  Version v_;
};

TEST_F(VersionTest, OverlappingInputsInSortedLevel) {
  v_.files[1] = {MakeFile(1, "a", "c"), MakeFile(2, "e", "g"), MakeFile(3, "i", "k")};
  EXPECT_EQ(std::vector<uint64_t>{2}, Overlapping(1, "d", "f"));
  EXPECT_EQ((std::vector<uint64_t>{1, 2}), Overlapping(1, "b", "e"));
  EXPECT_EQ(std::vector<uint64_t>{}, Overlapping(1, "l", "z"));
  EXPECT_EQ(std::vector<uint64_t>{}, Overlapping(1, "d", "d"));
  EXPECT_EQ(std::vector<uint64_t>{}, Overlapping(1, "0", "9"));
  EXPECT_EQ((std::vector<uint64_t>{1, 2, 3}), Overlapping(1, "a", "z"));
}

TEST_F(VersionTest, OverlappingInputsBoundsAreInclusive) {
  v_.files[1] = {MakeFile(1, "a", "c"), MakeFile(2, "e", "g")};
  EXPECT_EQ(std::vector<uint64_t>{1}, Overlapping(1, "c", "c"));
  EXPECT_EQ(std::vector<uint64_t>{2}, Overlapping(1, "e", "e"));
  EXPECT_EQ((std::vector<uint64_t>{1, 2}), Overlapping(1, "c", "e"));
}

TEST_F(VersionTest, OverlappingInputsWithOpenBounds) {
  v_.files[2] = {MakeFile(1, "a", "c"), MakeFile(2, "e", "g"), MakeFile(3, "i", "k")};
  EXPECT_EQ((std::vector<uint64_t>{1, 2}), Overlapping(2, nullptr, "f"));
  EXPECT_EQ((std::vector<uint64_t>{2, 3}), Overlapping(2, "f", nullptr));
  EXPECT_EQ((std::vector<uint64_t>{1, 2, 3}), Overlapping(2, nullptr, nullptr));
}

TEST_F(VersionTest, OverlappingInputsInEmptyLevelIsEmpty) {
  EXPECT_TRUE(Overlapping(3, nullptr, nullptr).empty());
}

TEST_F(VersionTest, L0OverlapWidensToEveryTransitivelyOverlappingFile) {
  // Newest first, as L0 is kept.
  v_.files[0] = {MakeFile(4, "x", "z", 1, 40, 40), MakeFile(3, "e", "h", 1, 30, 30),
                 MakeFile(2, "b", "f", 1, 20, 20), MakeFile(1, "a", "c", 1, 10, 10)};
  // [a, a] hits 1; 1 reaches c, which hits 2; 2 reaches f, which hits 3.
  EXPECT_EQ((std::vector<uint64_t>{1, 2, 3}), Overlapping(0, "a", "a"));
  EXPECT_EQ((std::vector<uint64_t>{1, 2, 3}), Overlapping(0, "h", "h"));
  EXPECT_EQ(std::vector<uint64_t>{4}, Overlapping(0, "y", "y"));
  EXPECT_EQ(std::vector<uint64_t>{}, Overlapping(0, "i", "w"));
}

TEST_F(VersionTest, SortedLevelsDoNotWiden) {
  v_.files[1] = {MakeFile(1, "a", "c"), MakeFile(2, "d", "f")};
  EXPECT_EQ(std::vector<uint64_t>{1}, Overlapping(1, "b", "b"));
}

TEST_F(VersionTest, OverlappingInputsOfARangeAreFoundPerLevel) {
  auto overlaps = [&](int level, Slice begin, Slice end) {
    return !v_.GetOverlappingInputs(level, &begin, &end).empty();
  };
  v_.files[0] = {MakeFile(1, "m", "p")};
  v_.files[2] = {MakeFile(2, "c", "e"), MakeFile(3, "h", "j")};
  EXPECT_TRUE(overlaps(2, "a", "c"));
  EXPECT_TRUE(overlaps(2, "f", "h"));
  EXPECT_TRUE(overlaps(2, "a", "z"));
  EXPECT_FALSE(overlaps(2, "f", "g"));
  EXPECT_FALSE(overlaps(2, "k", "z"));
  EXPECT_TRUE(overlaps(0, "n", "n"));
  EXPECT_FALSE(overlaps(0, "a", "l"));
  EXPECT_FALSE(overlaps(1, "a", "z"));
}

TEST_F(VersionTest, FindFileReturnsFirstFileWhoseLargestIsAtOrAfterKey) {
  std::vector<FileMetaPtr> files = {MakeFile(1, "b", "d"), MakeFile(2, "f", "h"), MakeFile(3, "j", "l")};
  auto find = [&](const std::string& user_key) {
    return FindFile(files, InternalKey(user_key, kMaxSequenceNumber, kValueTypeForSeek).Encode());
  };
  EXPECT_EQ(0u, find("a"));
  EXPECT_EQ(0u, find("b"));
  EXPECT_EQ(0u, find("d"));
  EXPECT_EQ(1u, find("e"));
  EXPECT_EQ(1u, find("h"));
  EXPECT_EQ(2u, find("i"));
  EXPECT_EQ(2u, find("l"));
  EXPECT_EQ(3u, find("m"));
  EXPECT_EQ(0u, FindFile({}, InternalKey("a", 1, kTypeValue).Encode()));
}

TEST_F(VersionTest, FindFileComparesSequencesWithinAUserKey) {
  // The file ends at d@5; d@4 sorts after it, so it belongs to the next file.
  auto f1 = MakeFile(1, "b", "d");
  auto f1m = std::make_shared<FileMetaData>(*f1);
  f1m->largest = InternalKey("d", 5, kTypeValue);
  std::vector<FileMetaPtr> files = {f1m, MakeFile(2, "f", "h")};
  EXPECT_EQ(0u, FindFile(files, InternalKey("d", 6, kTypeValue).Encode()));
  EXPECT_EQ(0u, FindFile(files, InternalKey("d", 5, kTypeValue).Encode()));
  EXPECT_EQ(1u, FindFile(files, InternalKey("d", 4, kTypeValue).Encode()));
}

TEST_F(VersionTest, LevelBytesAndFileCounts) {
  v_.files[1] = {MakeFile(1, "a", "b", 100), MakeFile(2, "c", "d", 250)};
  EXPECT_EQ(350u, v_.LevelBytes(1));
  EXPECT_EQ(2u, v_.NumFiles(1));
  EXPECT_EQ(0u, v_.LevelBytes(2));
  EXPECT_EQ(0u, v_.NumFiles(2));
  EXPECT_EQ(350u, TotalFileSize(v_.files[1]));
  EXPECT_EQ(0u, TotalFileSize({}));
}

}  // namespace
}  // namespace strata
