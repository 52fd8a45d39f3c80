// Damaged table files: every truncation and every bit flip is caught by the
// footer, layout or checksum checks, so Open or a read reports Corruption —
// never a crash, never wrong data. Blocks damaged behind a valid checksum
// (as a buggy writer could produce) are still read without crashing.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "table/format.h"
#include "table/table.h"
#include "table_test_util.h"
#include "util/coding.h"
#include "util/crc.h"
#include "util/random.h"

namespace strata {
namespace {

using test::BuildTable;
using test::Entries;
using test::IKey;
using test::NumberedKey;
using test::OpenTable;

Entries SmallEntries() {
  Entries entries;
  for (int i = 0; i < 60; i++) {
    entries.emplace_back(IKey(NumberedKey(i), 100 + i, i % 7 == 0 ? kTypeDeletion : kTypeValue),
                         "value-" + std::to_string(i * 31));
  }
  return entries;
}

TableBuilderOptions SmallBlocks(Compression c) {
  TableBuilderOptions o;
  o.block_size = 200;
  o.block_restart_interval = 3;
  o.compression = c;
  return o;
}

// Reads a table in every way; requires that whatever it returns is a true
// entry and that a failure is Corruption.
void CheckReadsAreCorrectOrCorruption(Table* table, const Entries& expected) {
  std::unique_ptr<Iterator> it(table->NewIterator(ReadOptions()));
  size_t i = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next(), i++) {
    ASSERT_LT(i, expected.size());
    ASSERT_EQ(it->key().ToString(), expected[i].first);
    ASSERT_EQ(it->value().ToString(), expected[i].second);
  }
  if (it->status().ok()) {
    EXPECT_EQ(i, expected.size());
  } else {
    EXPECT_TRUE(it->status().IsCorruption()) << it->status().ToString();
  }

  i = expected.size();
  for (it->SeekToLast(); it->Valid(); it->Prev()) {
    ASSERT_GT(i, 0u);
    i--;
    ASSERT_EQ(it->key().ToString(), expected[i].first);
  }
  EXPECT_TRUE(it->status().ok() ? i == 0 : it->status().IsCorruption()) << it->status().ToString();

  for (const auto& [key, value] : expected) {
    std::string found_key, found_value;
    bool found = false;
    Status s = table->InternalGet(ReadOptions(), key, [&](const Slice& k, const Slice& v) {
      found = true;
      found_key = k.ToString();
      found_value = v.ToString();
    });
    if (s.ok()) {
      ASSERT_TRUE(found) << "present key not found";
      ASSERT_EQ(found_key, key);
      ASSERT_EQ(found_value, value);
    } else {
      ASSERT_TRUE(s.IsCorruption()) << s.ToString();
    }
  }
}

class TableCorruption : public ::testing::TestWithParam<Compression> {};

TEST_P(TableCorruption, EveryTruncationFailsToOpen) {
  const std::string file = BuildTable(SmallBlocks(GetParam()), SmallEntries());
  ASSERT_FALSE(file.empty());
  for (size_t len = 0; len < file.size(); len++) {
    std::unique_ptr<Table> table;
    Status s = OpenTable(file.substr(0, len), &table);
    ASSERT_TRUE(s.IsCorruption()) << "length " << len << ": " << s.ToString();
    ASSERT_EQ(table, nullptr);
  }
}

TEST_P(TableCorruption, FileClaimingToBeLongerThanItIsFailsToOpen) {
  const std::string file = BuildTable(SmallBlocks(GetParam()), SmallEntries());
  std::unique_ptr<Table> table;
  Status s =
      Table::Open(TableReadOptions(), std::make_unique<test::StringSource>(file), file.size() + 100, &table);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
}

TEST_P(TableCorruption, EveryBitFlipIsCaughtOrHarmless) {
  const Entries entries = SmallEntries();
  const std::string file = BuildTable(SmallBlocks(GetParam()), entries);
  int open_failures = 0, read_failures = 0;
  for (size_t pos = 0; pos < file.size(); pos++) {
    for (int bit = 0; bit < 8; bit += 3) {  // bits 0, 3, 6 of every byte
      std::string damaged = file;
      damaged[pos] = static_cast<char>(damaged[pos] ^ (1 << bit));
      std::unique_ptr<Table> table;
      Status s = OpenTable(damaged, &table);
      if (!s.ok()) {
        ASSERT_TRUE(s.IsCorruption()) << pos << ": " << s.ToString();
        open_failures++;
        continue;
      }
      // Only a data block can be damaged without Open noticing: reading it
      // must fail its checksum.
      Entries read;
      Status rs = test::ReadAll(table.get(), &read);
      if (!rs.ok()) read_failures++;
      ASSERT_NO_FATAL_FAILURE(CheckReadsAreCorrectOrCorruption(table.get(), entries)) << "byte " << pos;
    }
  }
  // Every flip is detected somewhere: no bit of the file is unchecked.
  EXPECT_EQ(open_failures + read_failures, static_cast<int>(file.size()) * 3);
}

TEST_P(TableCorruption, NamesWhatIsDamaged) {
  const std::string file = BuildTable(SmallBlocks(GetParam()), SmallEntries());
  Footer footer;
  ASSERT_TRUE(
      footer.DecodeFrom(Slice(file.data() + file.size() - Footer::kEncodedLength, Footer::kEncodedLength))
          .ok());
  auto open_with_flip = [&](uint64_t pos) {
    std::string damaged = file;
    damaged[pos] ^= 1;
    std::unique_ptr<Table> table;
    return OpenTable(damaged, &table);
  };
  Status s = open_with_flip(footer.index_handle.offset() + 1);
  EXPECT_NE(s.message().find("index block"), std::string::npos) << s.ToString();
  s = open_with_flip(footer.filter_handle.offset() + 1);
  EXPECT_NE(s.message().find("filter block"), std::string::npos) << s.ToString();
  s = open_with_flip(footer.properties_handle.offset());
  EXPECT_NE(s.message().find("properties block"), std::string::npos) << s.ToString();
  s = open_with_flip(file.size() - 1);
  EXPECT_NE(s.message().find("magic"), std::string::npos) << s.ToString();

  std::unique_ptr<Table> table;
  std::string damaged = file;
  damaged[3] ^= 1;  // inside the first data block
  ASSERT_TRUE(OpenTable(damaged, &table).ok());
  std::unique_ptr<Iterator> it(table->NewIterator(ReadOptions()));
  it->SeekToFirst();
  EXPECT_FALSE(it->Valid());
  EXPECT_TRUE(it->status().IsCorruption());
  EXPECT_NE(it->status().message().find("data block"), std::string::npos) << it->status().ToString();
  EXPECT_NE(it->status().message().find("offset 0"), std::string::npos) << it->status().ToString();
}

INSTANTIATE_TEST_SUITE_P(Compressions, TableCorruption,
                         ::testing::Values(Compression::kNone, Compression::kZlib),
                         [](const auto& info) { return info.param == Compression::kNone ? "None" : "Zlib"; });

TEST(TableCorruptionGarbage, GarbageFilesFailToOpen) {
  Random rnd(5);
  for (int trial = 0; trial < 2000; trial++) {
    std::string bytes(rnd.Uniform(300), '\0');
    for (char& c : bytes) c = static_cast<char>(rnd.Next());
    // Sometimes with a genuine magic number, to get past the first check.
    if (bytes.size() >= 8 && rnd.OneIn(2)) EncodeFixed64(&bytes[bytes.size() - 8], kTableMagicNumber);
    std::unique_ptr<Table> table;
    Status s = OpenTable(bytes, &table);
    ASSERT_TRUE(s.IsCorruption()) << s.ToString();
  }
}

// Rewrites the checksum of the block at handle to match its (damaged)
// contents, as a writer with a bug in its block encoder would.
void Reseal(std::string* file, const BlockHandle& handle) {
  const char* stored = file->data() + handle.offset();
  const char type = stored[handle.size()];
  uint32_t crc = crc::Extend(crc::Value(stored, handle.size()), &type, 1);
  EncodeFixed32(&(*file)[handle.offset() + handle.size() + 1], crc::Mask(crc));
}

TEST(TableCorruptionForgedFooter, FailsToOpenOrReadsSafely) {
  const Entries entries = SmallEntries();
  const std::string file = BuildTable(SmallBlocks(Compression::kNone), entries);
  const std::string body = file.substr(0, file.size() - Footer::kEncodedLength);
  Footer real;
  ASSERT_TRUE(
      real.DecodeFrom(Slice(file.data() + file.size() - Footer::kEncodedLength, Footer::kEncodedLength))
          .ok());
  Random rnd(23);
  // Values near the real ones make it past the layout checks more often.
  auto pick = [&](uint64_t near) -> uint64_t {
    switch (rnd.Uniform(4)) {
      case 0: return near;
      case 1: return near + rnd.Uniform(11) - 5;
      case 2: return rnd.Uniform(body.size() + 10);
      default: return rnd.Next();
    }
  };
  for (int trial = 0; trial < 5000; trial++) {
    Footer forged;
    forged.properties_handle =
        BlockHandle(pick(real.properties_handle.offset()), pick(real.properties_handle.size()));
    forged.filter_handle = BlockHandle(pick(real.filter_handle.offset()), pick(real.filter_handle.size()));
    forged.index_handle = BlockHandle(pick(real.index_handle.offset()), pick(real.index_handle.size()));
    std::string damaged = body;
    forged.EncodeTo(&damaged);
    std::unique_ptr<Table> table;
    Status s = OpenTable(damaged, &table);
    if (!s.ok()) {
      ASSERT_TRUE(s.IsCorruption()) << s.ToString();
      continue;
    }
    // Only the real footer can pass every check.
    CheckReadsAreCorrectOrCorruption(table.get(), entries);
  }
}

class TableCorruptionFuzz : public ::testing::TestWithParam<Compression> {};

TEST_P(TableCorruptionFuzz, DamageBehindValidChecksumsNeverCrashes) {
  const Entries entries = SmallEntries();
  const std::string file = BuildTable(SmallBlocks(GetParam()), entries);
  Footer footer;
  ASSERT_TRUE(
      footer.DecodeFrom(Slice(file.data() + file.size() - Footer::kEncodedLength, Footer::kEncodedLength))
          .ok());
  const std::vector<BlockHandle> data_blocks = test::DataBlockHandles(file);
  ASSERT_GE(data_blocks.size(), 3u);

  // Damage each of these blocks, reseal it, and read the table every way.
  struct Target {
    const char* name;
    BlockHandle handle;
  };
  const Target targets[] = {{"first data", data_blocks.front()},
                            {"middle data", data_blocks[data_blocks.size() / 2]},
                            {"index", footer.index_handle},
                            {"filter", footer.filter_handle},
                            {"properties", footer.properties_handle}};

  Random rnd(17);
  for (const Target& target : targets) {
    for (int trial = 0; trial < 1500; trial++) {
      std::string damaged = file;
      const int flips = 1 + static_cast<int>(rnd.Uniform(3));
      for (int f = 0; f < flips; f++) {
        const size_t pos = target.handle.offset() + rnd.Uniform(target.handle.size());
        damaged[pos] = static_cast<char>(rnd.OneIn(2) ? rnd.Next() : damaged[pos] ^ (1 << rnd.Uniform(8)));
      }
      Reseal(&damaged, target.handle);
      std::unique_ptr<Table> table;
      Status s = OpenTable(damaged, &table);
      if (!s.ok()) {
        ASSERT_TRUE(s.IsCorruption()) << target.name << ": " << s.ToString();
        continue;
      }
      // Contents may now be wrong (the checksum was forged); only safety
      // and status codes are checked.
      std::unique_ptr<Iterator> it(table->NewIterator(ReadOptions()));
      int steps = 0;
      for (it->SeekToFirst(); it->Valid() && steps < 1000; it->Next()) steps++;
      for (it->SeekToLast(); it->Valid() && steps < 2000; it->Prev()) steps++;
      EXPECT_TRUE(it->status().ok() || it->status().IsCorruption()) << it->status().ToString();
      for (int i = 0; i < 60; i += 7) {
        Status gs = table->InternalGet(ReadOptions(), entries[i].first,
                                       [](const Slice& k, const Slice&) { EXPECT_GE(k.size(), 8u); });
        EXPECT_TRUE(gs.ok() || gs.IsCorruption()) << gs.ToString();
        it->Seek(entries[i].first);
        if (it->Valid()) {
          EXPECT_GE(it->key().size(), 8u);
        }
      }
      (void)table->ApproximateOffsetOf(entries[30].first);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Compressions, TableCorruptionFuzz,
                         ::testing::Values(Compression::kNone, Compression::kZlib),
                         [](const auto& info) { return info.param == Compression::kNone ? "None" : "Zlib"; });

// A file whose bytes can be changed under an open Table, saying whether
// they stay in process memory.
class ChangingSource : public RandomAccessFile {
 public:
  ChangingSource(std::string contents, bool in_memory, bool made_in_process = false)
      : contents_(std::move(contents)), in_memory_(in_memory), made_in_process_(made_in_process) {}
  Status Read(uint64_t offset, size_t n, Slice* result, char* scratch) const override {
    n = offset > contents_.size() ? 0 : std::min<size_t>(n, contents_.size() - offset);
    if (n > 0) memcpy(scratch, contents_.data() + offset, n);
    *result = Slice(scratch, n);
    return Status::OK();
  }
  bool ContentsInProcessMemory() const override { return in_memory_; }
  bool ContentsMadeInProcess() const override { return made_in_process_; }
  std::string contents_;

 private:
  const bool in_memory_;
  const bool made_in_process_;
};

// A flipped byte in a value: the first data block's first ("value-0"), or
// the last block's last, which a full read takes from bytes read ahead.
void DamageValue(ChangingSource* source, const std::string& value) {
  const size_t at = source->contents_.find(value);
  ASSERT_NE(std::string::npos, at);
  source->contents_[at] ^= 0x20;
}
const std::string kLastValue = SmallEntries().back().second;

Status FullRead(Table* table, bool verify_checksums) {
  ReadOptions options;
  options.verify_checksums = verify_checksums;
  Entries read;
  return test::ReadAll(table, &read, options);
}

// Without a block cache every read goes to the file. A file on a disk is
// verified on every read; one in process memory on the first read of each
// block (and on any read that asks for verification).
// Both for a block read alone (the first) and for one read ahead (the last).
TEST(TableChecksums, VerifiedOnEveryReadFromDiskAndOnceFromMemory) {
  const Entries entries = SmallEntries();
  const std::string contents = test::BuildTable(SmallBlocks(Compression::kNone), entries);
  for (const std::string& value : {std::string("value-0"), kLastValue}) {
    for (const bool in_memory : {false, true}) {
      SCOPED_TRACE(value + (in_memory ? ", in memory" : ", on disk"));
      auto owned = std::make_unique<ChangingSource>(contents, in_memory);
      ChangingSource* source = owned.get();
      std::unique_ptr<Table> table;
      ASSERT_TRUE(Table::Open(TableReadOptions(), std::move(owned), contents.size(), &table).ok());
      ASSERT_TRUE(FullRead(table.get(), false).ok());  // every block read, and verified, once
      DamageValue(source, value);
      const Status again = FullRead(table.get(), false);
      EXPECT_EQ(!in_memory, again.IsCorruption()) << again.ToString();
      EXPECT_TRUE(FullRead(table.get(), true).IsCorruption()) << "verify_checksums reads verify";
    }
  }
}

TEST(TableChecksums, AFirstReadFromMemoryIsVerified) {
  const Entries entries = SmallEntries();
  const std::string contents = test::BuildTable(SmallBlocks(Compression::kNone), entries);
  for (const std::string& value : {std::string("value-0"), kLastValue}) {
    SCOPED_TRACE(value);
    auto owned = std::make_unique<ChangingSource>(contents, /*in_memory=*/true);
    ChangingSource* source = owned.get();
    std::unique_ptr<Table> table;
    ASSERT_TRUE(Table::Open(TableReadOptions(), std::move(owned), contents.size(), &table).ok());
    DamageValue(source, value);  // before any read of that block
    EXPECT_TRUE(FullRead(table.get(), false).IsCorruption());
    const std::string& key = value == kLastValue ? entries.back().first : entries.front().first;
    const Status get = table->InternalGet(ReadOptions(), key, [](const Slice&, const Slice&) {});
    EXPECT_TRUE(get.IsCorruption()) << "a failed read marks nothing verified: " << get.ToString();
  }
}

// A file this process made (the browser build's tables of the session) is
// read without verifying its data blocks, unless a read asks, as compaction
// does for its inputs.
TEST(TableChecksums, AFileMadeInProcessIsVerifiedOnlyWhenAReadAsks) {
  const Entries entries = SmallEntries();
  const std::string contents = test::BuildTable(SmallBlocks(Compression::kNone), entries);
  for (const std::string& value : {std::string("value-0"), kLastValue}) {
    SCOPED_TRACE(value);
    auto owned = std::make_unique<ChangingSource>(contents, /*in_memory=*/true, /*made_in_process=*/true);
    ChangingSource* source = owned.get();
    std::unique_ptr<Table> table;
    ASSERT_TRUE(Table::Open(TableReadOptions(), std::move(owned), contents.size(), &table).ok());
    DamageValue(source, value);  // before any read of that block
    EXPECT_TRUE(FullRead(table.get(), false).ok());
    EXPECT_TRUE(FullRead(table.get(), true).IsCorruption()) << "verify_checksums reads verify";
    // Point lookups alike.
    const std::string& key = value == kLastValue ? entries.back().first : entries.front().first;
    const auto found = [](const Slice&, const Slice&) {};
    EXPECT_TRUE(table->InternalGet(ReadOptions(), key, found).ok());
    ReadOptions verifying;
    verifying.verify_checksums = true;
    EXPECT_TRUE(table->InternalGet(verifying, key, found).IsCorruption());
  }
}

}  // namespace
}  // namespace strata
