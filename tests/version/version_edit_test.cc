// VersionEdit encoding (engine/src/version/version_edit.h).
#include "version/version_edit.h"

#include <gtest/gtest.h>

#include <string>

#include "db/filename.h"
#include "proto/manifest.pb.h"
#include "strata/options.h"
#include "version/version_test_util.h"

namespace strata {
namespace {

using test::MakeFile;
using test::SameFile;

VersionEdit FullEdit() {
  VersionEdit edit;
  edit.log_number = 17;
  edit.next_file_number = 1234567890123ull;
  edit.last_sequence = kMaxSequenceNumber;
  edit.RemoveFile(1, 40);
  edit.RemoveFile(6, 41);
  auto f = std::make_shared<FileMetaData>();
  f->number = 50;
  f->file_size = 1ull << 40;
  f->smallest = InternalKey(std::string("a\0b", 3), 7, kTypeDeletion);
  f->largest = InternalKey("zzz", 3, kTypeValue);
  f->smallest_seq = 3;
  f->largest_seq = 99;
  f->entries = 11;
  f->tombstones = 12;
  f->raw_key_bytes = 13;
  f->raw_value_bytes = 14;
  edit.AddFile(0, f);
  edit.AddFile(6, MakeFile(51, "m", "n"));
  edit.compact_pointers.emplace_back(2, InternalKey("ptr", 5, kTypeValue));
  edit.compact_pointers.emplace_back(5, InternalKey("other", 6, kTypeDeletion));
  return edit;
}

TEST(VersionEditTest, EncodeDecodeRoundTripKeepsEveryField) {
  const VersionEdit edit = FullEdit();
  VersionEdit decoded;
  Status s = decoded.Decode(edit.Encode());
  ASSERT_TRUE(s.ok()) << s.ToString();

  EXPECT_EQ(edit.log_number, decoded.log_number);
  EXPECT_EQ(edit.next_file_number, decoded.next_file_number);
  EXPECT_EQ(edit.last_sequence, decoded.last_sequence);
  EXPECT_EQ(edit.deleted_files, decoded.deleted_files);
  ASSERT_EQ(edit.new_files.size(), decoded.new_files.size());
  for (size_t i = 0; i < edit.new_files.size(); i++) {
    EXPECT_EQ(edit.new_files[i].first, decoded.new_files[i].first);
    EXPECT_TRUE(SameFile(*edit.new_files[i].second, *decoded.new_files[i].second));
  }
  ASSERT_EQ(edit.compact_pointers.size(), decoded.compact_pointers.size());
  for (size_t i = 0; i < edit.compact_pointers.size(); i++) {
    EXPECT_EQ(edit.compact_pointers[i].first, decoded.compact_pointers[i].first);
    EXPECT_EQ(edit.compact_pointers[i].second.Encode(), decoded.compact_pointers[i].second.Encode());
  }
  // Encoding is deterministic: the decoded edit encodes to the same bytes.
  EXPECT_EQ(edit.Encode(), decoded.Encode());
}

TEST(VersionEditTest, EmptyEditRoundTripsWithNoCounters) {
  VersionEdit decoded;
  ASSERT_TRUE(decoded.Decode(VersionEdit().Encode()).ok());
  EXPECT_FALSE(decoded.log_number.has_value());
  EXPECT_FALSE(decoded.next_file_number.has_value());
  EXPECT_FALSE(decoded.last_sequence.has_value());
  EXPECT_TRUE(decoded.deleted_files.empty());
  EXPECT_TRUE(decoded.new_files.empty());
  EXPECT_TRUE(decoded.compact_pointers.empty());
}

TEST(VersionEditTest, ZeroCountersAreStillPresent) {
  VersionEdit edit;
  edit.log_number = 0;
  edit.next_file_number = 0;
  edit.last_sequence = 0;
  VersionEdit decoded;
  ASSERT_TRUE(decoded.Decode(edit.Encode()).ok());
  EXPECT_EQ(std::optional<uint64_t>(0), decoded.log_number);
  EXPECT_EQ(std::optional<uint64_t>(0), decoded.next_file_number);
  EXPECT_EQ(std::optional<SequenceNumber>(0), decoded.last_sequence);
}

TEST(VersionEditTest, DecodeReplacesPreviousContents) {
  VersionEdit edit = FullEdit();
  VersionEdit small;
  small.log_number = 3;
  ASSERT_TRUE(edit.Decode(small.Encode()).ok());
  EXPECT_EQ(std::optional<uint64_t>(3), edit.log_number);
  EXPECT_FALSE(edit.next_file_number.has_value());
  EXPECT_TRUE(edit.new_files.empty());
  EXPECT_TRUE(edit.deleted_files.empty());
  EXPECT_TRUE(edit.compact_pointers.empty());
}

TEST(VersionEditTest, EveryTruncationDecodesOrIsCorruption) {
  const std::string encoded = FullEdit().Encode();
  int corrupt = 0;
  for (size_t len = 0; len < encoded.size(); len++) {
    VersionEdit edit;
    Status s = edit.Decode(Slice(encoded.data(), len));
    EXPECT_TRUE(s.ok() || s.IsCorruption()) << len << ": " << s.ToString();
    if (s.IsCorruption()) corrupt++;
  }
  EXPECT_GT(corrupt, 0);  // cutting inside a field must be noticed somewhere
}

TEST(VersionEditTest, EveryByteFlipDecodesOrIsCorruption) {
  const std::string encoded = FullEdit().Encode();
  for (size_t i = 0; i < encoded.size(); i++) {
    for (int bit : {0, 7}) {
      std::string damaged = encoded;
      damaged[i] = static_cast<char>(damaged[i] ^ (1 << bit));
      VersionEdit edit;
      Status s = edit.Decode(damaged);
      EXPECT_TRUE(s.ok() || s.IsCorruption()) << i << ": " << s.ToString();
    }
  }
}

TEST(VersionEditTest, GarbageIsCorruption) {
  const std::string garbage[] = {std::string("\xff\xff\xff\xff", 4), std::string("\x00", 1),
                                 std::string("\x0a\x05\x01", 3)};
  for (const auto& g : garbage) {
    VersionEdit edit;
    EXPECT_TRUE(edit.Decode(g).IsCorruption());
  }
}

TEST(VersionEditTest, NewFileLevelOutOfRangeIsCorruption) {
  for (int level : {-1, kNumLevels, 100}) {
    VersionEdit edit;
    edit.AddFile(level, MakeFile(5, "a", "b"));
    VersionEdit decoded;
    EXPECT_TRUE(decoded.Decode(edit.Encode()).IsCorruption()) << level;
  }
}

TEST(VersionEditTest, DeletedFileLevelOutOfRangeIsCorruption) {
  for (int level : {-1, kNumLevels}) {
    VersionEdit edit;
    edit.RemoveFile(level, 5);
    VersionEdit decoded;
    EXPECT_TRUE(decoded.Decode(edit.Encode()).IsCorruption()) << level;
  }
}

TEST(VersionEditTest, CompactPointerLevelOutOfRangeIsCorruption) {
  for (int level : {-1, kNumLevels}) {
    VersionEdit edit;
    edit.compact_pointers.emplace_back(level, InternalKey("k", 1, kTypeValue));
    VersionEdit decoded;
    EXPECT_TRUE(decoded.Decode(edit.Encode()).IsCorruption()) << level;
  }
}

TEST(VersionEditTest, LastLevelIsInRange) {
  VersionEdit edit;
  edit.AddFile(kNumLevels - 1, MakeFile(5, "a", "b"));
  VersionEdit decoded;
  EXPECT_TRUE(decoded.Decode(edit.Encode()).ok());
}

TEST(VersionEditTest, NewerFormatVersionIsCorruption) {
  pb::VersionEdit m;
  m.set_format_version(kManifestFormatVersion + 1);
  m.set_log_number(1);
  VersionEdit edit;
  EXPECT_TRUE(edit.Decode(m.SerializeAsString()).IsCorruption());

  m.set_format_version(kManifestFormatVersion);
  EXPECT_TRUE(edit.Decode(m.SerializeAsString()).ok());
}

TEST(VersionEditTest, FileWithShortKeyIsCorruption) {
  pb::VersionEdit m;
  m.set_format_version(kManifestFormatVersion);
  pb::FileMeta* f = m.add_new_files();
  f->set_level(1);
  f->set_number(9);
  f->set_smallest("short");
  InternalKey largest("z", 1, kTypeValue);
  f->set_largest(largest.Encode().ToString());
  VersionEdit edit;
  EXPECT_TRUE(edit.Decode(m.SerializeAsString()).IsCorruption());

  f->set_smallest(largest.Encode().ToString());
  f->set_largest("");
  EXPECT_TRUE(edit.Decode(m.SerializeAsString()).IsCorruption());
}

TEST(VersionEditTest, FileWithUnknownKeyTypeIsCorruption) {
  std::string bad = "key";
  PutFixed64(&bad, (uint64_t{5} << 8) | 0x7);
  pb::VersionEdit m;
  m.set_format_version(kManifestFormatVersion);
  pb::FileMeta* f = m.add_new_files();
  f->set_level(1);
  f->set_number(9);
  f->set_smallest(bad);
  f->set_largest(InternalKey("z", 1, kTypeValue).Encode().ToString());
  VersionEdit edit;
  EXPECT_TRUE(edit.Decode(m.SerializeAsString()).IsCorruption());
}

// A manifest is trusted only after every decoded field is checked: these
// crafted (checksum-valid) edits once reached the compaction picker.
pb::VersionEdit OneFileEdit(uint64_t number, const std::string& smallest, const std::string& largest) {
  pb::VersionEdit m;
  m.set_format_version(kManifestFormatVersion);
  pb::FileMeta* f = m.add_new_files();
  f->set_level(0);
  f->set_number(number);
  f->set_size(100);
  f->set_smallest(smallest);
  f->set_largest(largest);
  f->set_smallest_seq(1);
  f->set_largest_seq(9);
  return m;
}

TEST(VersionEditTest, CompactPointerShorterThanAnInternalKeyIsCorruption) {
  for (const std::string& key : {std::string(), std::string("k"), std::string("1234567")}) {
    pb::VersionEdit m;
    m.set_format_version(kManifestFormatVersion);
    pb::CompactPointer* c = m.add_compact_pointers();
    c->set_level(1);
    c->set_key(key);
    VersionEdit edit;
    Status s = edit.Decode(m.SerializeAsString());
    EXPECT_TRUE(s.IsCorruption()) << key.size() << " bytes: " << s.ToString();
  }
}

TEST(VersionEditTest, TableWhoseSmallestKeyIsAfterItsLargestIsCorruption) {
  const std::string a = InternalKey("a", 5, kTypeValue).Encode().ToString();
  const std::string z = InternalKey("z", 5, kTypeValue).Encode().ToString();
  VersionEdit edit;
  EXPECT_TRUE(edit.Decode(OneFileEdit(7, a, z).SerializeAsString()).ok());
  Status s = edit.Decode(OneFileEdit(7, z, a).SerializeAsString());
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  // Same user key: the newer sequence sorts first.
  const std::string a_old = InternalKey("a", 1, kTypeValue).Encode().ToString();
  EXPECT_TRUE(edit.Decode(OneFileEdit(7, a, a_old).SerializeAsString()).ok());
  EXPECT_TRUE(edit.Decode(OneFileEdit(7, a_old, a).SerializeAsString()).IsCorruption());
}

TEST(VersionEditTest, FileNumbersThatNoFileNameCanHoldAreCorruption) {
  const std::string a = InternalKey("a", 5, kTypeValue).Encode().ToString();
  VersionEdit edit;
  EXPECT_TRUE(edit.Decode(OneFileEdit(kMaxFileNumber - 1, a, a).SerializeAsString()).ok());
  for (uint64_t number : {uint64_t{0}, kMaxFileNumber, kMaxFileNumber + 1, ~uint64_t{0}}) {
    Status s = edit.Decode(OneFileEdit(number, a, a).SerializeAsString());
    EXPECT_TRUE(s.IsCorruption()) << number << ": " << s.ToString();
  }
  for (uint64_t number : {kMaxFileNumber, ~uint64_t{0}}) {
    pb::VersionEdit m;
    m.set_next_file_number(number);
    EXPECT_TRUE(edit.Decode(m.SerializeAsString()).IsCorruption()) << number;
    m.clear_next_file_number();
    m.set_log_number(number);
    EXPECT_TRUE(edit.Decode(m.SerializeAsString()).IsCorruption()) << number;
  }
}

TEST(VersionEditTest, BadSequencesSizesAndDuplicatesAreCorruption) {
  const std::string a = InternalKey("a", 5, kTypeValue).Encode().ToString();
  VersionEdit edit;
  pb::VersionEdit m = OneFileEdit(7, a, a);
  m.mutable_new_files(0)->set_smallest_seq(10);  // after largest_seq 9
  EXPECT_TRUE(edit.Decode(m.SerializeAsString()).IsCorruption());

  m = OneFileEdit(7, a, a);
  m.mutable_new_files(0)->set_size(0);
  EXPECT_TRUE(edit.Decode(m.SerializeAsString()).IsCorruption());

  m = OneFileEdit(7, a, a);
  *m.add_new_files() = m.new_files(0);
  m.mutable_new_files(1)->set_level(3);
  EXPECT_TRUE(edit.Decode(m.SerializeAsString()).IsCorruption()) << "one table in two places";

  m = OneFileEdit(7, a, a);
  m.set_last_sequence(kMaxSequenceNumber + 1);
  EXPECT_TRUE(edit.Decode(m.SerializeAsString()).IsCorruption());

  m = OneFileEdit(7, a, a);
  m.mutable_new_files(0)->set_smallest(
      InternalKey(std::string(kMaxKeySize + 1, 'k'), 5, kTypeValue).Encode().ToString());
  EXPECT_TRUE(edit.Decode(m.SerializeAsString()).IsCorruption()) << "a key over the size limit";
}

TEST(VersionEditTest, LogStartSequenceRoundTrips) {
  VersionEdit edit;
  edit.log_start_sequence = 42;
  VersionEdit decoded;
  ASSERT_TRUE(decoded.Decode(edit.Encode()).ok());
  EXPECT_EQ(std::optional<SequenceNumber>(42), decoded.log_start_sequence);
  ASSERT_TRUE(decoded.Decode(VersionEdit().Encode()).ok());
  EXPECT_FALSE(decoded.log_start_sequence.has_value());
}

}  // namespace
}  // namespace strata
