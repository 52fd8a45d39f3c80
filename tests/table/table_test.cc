// Tables: what TableBuilder writes, Table reads back — entries, properties,
// point lookups through the bloom filter, the block cache — with and
// without zlib.
#include "table/table.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "cache/lru_cache.h"
#include "strata/mem_env.h"
#include "table/table_builder.h"
#include "table_test_util.h"
#include "util/random.h"

namespace strata {
namespace {

using test::BuildTable;
using test::Entries;
using test::IKey;
using test::NumberedKey;
using test::OpenTable;
using test::ReadAll;
using test::StringSink;

// n entries with compressible values; every 10th is a deletion.
Entries MakeEntries(int n, bool compressible = true, uint64_t seed = 1) {
  Random rnd(seed);
  Entries entries;
  for (int i = 0; i < n; i++) {
    const ValueType type = i % 10 == 9 ? kTypeDeletion : kTypeValue;
    std::string value;
    if (type == kTypeValue) {
      if (compressible) {
        value = "value for " + NumberedKey(i) + " " + std::string(20 + i % 50, 'x');
      } else {
        value.resize(200 + rnd.Uniform(200));
        for (char& c : value) c = static_cast<char>(rnd.Next());
      }
    }
    entries.emplace_back(IKey(NumberedKey(i), 1000 + i, type), value);
  }
  return entries;
}

// The trailer type byte of every data block.
std::vector<uint8_t> DataBlockTypes(const std::string& file) {
  std::vector<uint8_t> types;
  for (const BlockHandle& h : test::DataBlockHandles(file)) {
    types.push_back(static_cast<uint8_t>(file[h.offset() + h.size()]));
  }
  return types;
}

class TableRoundTrip : public ::testing::TestWithParam<Compression> {
 protected:
  TableBuilderOptions Options() const {
    TableBuilderOptions o;
    o.compression = GetParam();
    return o;
  }
};

TEST_P(TableRoundTrip, IteratesTenThousandEntriesBothWays) {
  const Entries entries = MakeEntries(12000);
  const std::string file = BuildTable(Options(), entries);
  std::unique_ptr<Table> table;
  ASSERT_TRUE(OpenTable(file, &table).ok());

  Entries read;
  ASSERT_TRUE(ReadAll(table.get(), &read).ok());
  EXPECT_EQ(read, entries);

  std::unique_ptr<Iterator> it(table->NewIterator(ReadOptions()));
  size_t i = entries.size();
  for (it->SeekToLast(); it->Valid(); it->Prev()) {
    ASSERT_GT(i, 0u);
    i--;
    ASSERT_EQ(it->key().ToString(), entries[i].first);
    ASSERT_EQ(it->value().ToString(), entries[i].second);
  }
  EXPECT_EQ(i, 0u);
  EXPECT_TRUE(it->status().ok());
}

TEST_P(TableRoundTrip, NextEntryStepsThroughEveryBlockAsNextDoes) {
  const Entries entries = MakeEntries(12000);
  std::unique_ptr<Table> table;
  ASSERT_TRUE(OpenTable(BuildTable(Options(), entries), &table).ok());
  std::unique_ptr<Iterator> it(table->NewIterator(ReadOptions()));
  it->SeekToFirst();
  ASSERT_TRUE(it->Valid());
  Slice key = it->key(), value = it->value();
  size_t i = 0;
  do {
    ASSERT_LT(i, entries.size());
    ASSERT_EQ(key.ToString(), entries[i].first);
    ASSERT_EQ(value.ToString(), entries[i].second);
    i++;
  } while (it->NextEntry(&key, &value));
  EXPECT_EQ(i, entries.size());
  EXPECT_FALSE(it->Valid());
  EXPECT_TRUE(it->status().ok());
}

TEST_P(TableRoundTrip, SeekLandsOnFirstEntryAtOrAfterTarget) {
  const Entries entries = MakeEntries(5000);
  std::unique_ptr<Table> table;
  ASSERT_TRUE(OpenTable(BuildTable(Options(), entries), &table).ok());
  std::unique_ptr<Iterator> it(table->NewIterator(ReadOptions()));
  for (size_t i = 0; i < entries.size(); i += 13) {
    it->Seek(entries[i].first);
    ASSERT_TRUE(it->Valid());
    EXPECT_EQ(it->key().ToString(), entries[i].first);
    // A newer sequence of the same user key sorts before the entry.
    it->Seek(IKey(NumberedKey(static_cast<int>(i)), kMaxSequenceNumber));
    ASSERT_TRUE(it->Valid());
    EXPECT_EQ(it->key().ToString(), entries[i].first);
    // An older one sorts after it.
    it->Seek(IKey(NumberedKey(static_cast<int>(i)), 0, kTypeDeletion));
    if (i + 1 < entries.size()) {
      ASSERT_TRUE(it->Valid());
      EXPECT_EQ(it->key().ToString(), entries[i + 1].first);
      it->Prev();
      ASSERT_TRUE(it->Valid());
      EXPECT_EQ(it->key().ToString(), entries[i].first);
    }
  }
  it->Seek(IKey("zzz", 1));
  EXPECT_FALSE(it->Valid());
  it->Seek(IKey("", kMaxSequenceNumber));
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->key().ToString(), entries[0].first);
  EXPECT_TRUE(it->status().ok());
}

TEST_P(TableRoundTrip, PropertiesDescribeTheEntriesAndSurviveTheFile) {
  const Entries entries = MakeEntries(3000);
  pb::TableProperties built;
  const std::string file = BuildTable(Options(), entries, &built);
  std::unique_ptr<Table> table;
  ASSERT_TRUE(OpenTable(file, &table).ok());
  const pb::TableProperties& p = table->properties();
  EXPECT_EQ(p.SerializeAsString(), built.SerializeAsString());

  uint64_t key_bytes = 0, value_bytes = 0;
  for (const auto& [k, v] : entries) {
    key_bytes += k.size();
    value_bytes += v.size();
  }
  EXPECT_EQ(p.smallest_key(), entries.front().first);
  EXPECT_EQ(p.largest_key(), entries.back().first);
  EXPECT_EQ(p.num_entries(), 3000u);
  EXPECT_EQ(p.num_tombstones(), 300u);
  EXPECT_TRUE(p.has_num_shadowed());
  EXPECT_EQ(p.num_shadowed(), 0u);  // every key once
  EXPECT_EQ(p.smallest_seq(), 1000u);
  EXPECT_EQ(p.largest_seq(), 3999u);
  EXPECT_EQ(p.raw_key_bytes(), key_bytes);
  EXPECT_EQ(p.raw_value_bytes(), value_bytes);
  EXPECT_GT(p.num_data_blocks(), 10u);
  EXPECT_EQ(p.bloom_bits_per_key(), 10u);
  EXPECT_EQ(p.compression(), static_cast<uint32_t>(GetParam()));
  EXPECT_EQ(p.format_version(), kTableFormatVersion);
  EXPECT_GT(p.index_bytes(), 0u);
  EXPECT_GT(p.filter_bytes(), 3000u * 10 / 8);
  // The parts add up to the file (properties block and footer aside).
  EXPECT_LT(p.data_bytes() + p.index_bytes() + p.filter_bytes(), file.size());
  EXPECT_GT(p.data_bytes() + p.index_bytes() + p.filter_bytes() + 1000, file.size());
}

INSTANTIATE_TEST_SUITE_P(Compressions, TableRoundTrip,
                         ::testing::Values(Compression::kNone, Compression::kZlib),
                         [](const auto& info) { return info.param == Compression::kNone ? "None" : "Zlib"; });

TEST(TableZlib, ShrinksCompressibleBlocks) {
  const Entries entries = MakeEntries(10000, /*compressible=*/true);
  TableBuilderOptions options;
  pb::TableProperties raw_props, zlib_props;
  const std::string raw = BuildTable(options, entries, &raw_props);
  options.compression = Compression::kZlib;
  const std::string zipped = BuildTable(options, entries, &zlib_props);
  EXPECT_LT(zipped.size(), raw.size() / 2);
  EXPECT_EQ(zlib_props.num_compressed_data_blocks(), zlib_props.num_data_blocks());
  EXPECT_EQ(raw_props.num_compressed_data_blocks(), 0u);
  for (uint8_t type : DataBlockTypes(zipped)) EXPECT_EQ(type, static_cast<uint8_t>(Compression::kZlib));
}

TEST(TableZlib, StoresIncompressibleBlocksRaw) {
  const Entries entries = MakeEntries(10000, /*compressible=*/false);
  TableBuilderOptions options;
  options.compression = Compression::kZlib;
  options.zlib_level = 9;
  pb::TableProperties props;
  const std::string file = BuildTable(options, entries, &props);
  std::unique_ptr<Table> table;
  ASSERT_TRUE(OpenTable(file, &table).ok());
  Entries read;
  ASSERT_TRUE(ReadAll(table.get(), &read).ok());
  EXPECT_EQ(read, entries);
  // Random values compress by far less than the 12.5% a block must save.
  EXPECT_EQ(props.num_compressed_data_blocks(), 0u);
  const std::vector<uint8_t> types = DataBlockTypes(file);
  EXPECT_EQ(types.size(), props.num_data_blocks());
  for (uint8_t type : types) EXPECT_EQ(type, static_cast<uint8_t>(Compression::kNone));
}

TEST(TableZlib, LargeValuesRoundTrip) {
  Entries entries;
  for (int i = 0; i < 8; i++) {
    entries.emplace_back(IKey(NumberedKey(i), 5), std::string(300000 + i, static_cast<char>('a' + i)));
  }
  TableBuilderOptions options;
  options.compression = Compression::kZlib;
  std::unique_ptr<Table> table;
  const std::string file = BuildTable(options, entries);
  EXPECT_LT(file.size(), 100000u);
  ASSERT_TRUE(OpenTable(file, &table).ok());
  Entries read;
  ASSERT_TRUE(ReadAll(table.get(), &read).ok());
  EXPECT_EQ(read, entries);
}

TEST(Table, EmptyTableOpensAndHasNoEntries) {
  pb::TableProperties props;
  const std::string file = BuildTable(TableBuilderOptions(), {}, &props);
  ASSERT_FALSE(file.empty());
  std::unique_ptr<Table> table;
  ASSERT_TRUE(OpenTable(file, &table).ok());
  std::unique_ptr<Iterator> it(table->NewIterator(ReadOptions()));
  it->SeekToFirst();
  EXPECT_FALSE(it->Valid());
  it->SeekToLast();
  EXPECT_FALSE(it->Valid());
  it->Seek(IKey("a", 1));
  EXPECT_FALSE(it->Valid());
  EXPECT_TRUE(it->status().ok());
  bool found = false;
  ASSERT_TRUE(
      table->InternalGet(ReadOptions(), IKey("a", 1), [&](const Slice&, const Slice&) { found = true; })
          .ok());
  EXPECT_FALSE(found);
  EXPECT_EQ(table->properties().num_entries(), 0u);
}

TEST(Table, InternalGetReturnsFirstEntryAtOrAfterKeyAndCountsBloomChecks) {
  const Entries entries = MakeEntries(5000);
  ReadCounters counters;
  TableReadOptions ropts;
  ropts.counters = &counters;
  std::unique_ptr<Table> table;
  ASSERT_TRUE(OpenTable(BuildTable(TableBuilderOptions(), entries), &table, ropts).ok());

  for (int i = 0; i < 5000; i++) {
    std::string found_key, found_value;
    ASSERT_TRUE(table
                    ->InternalGet(ReadOptions(), IKey(NumberedKey(i), kMaxSequenceNumber),
                                  [&](const Slice& k, const Slice& v) {
                                    found_key = k.ToString();
                                    found_value = v.ToString();
                                  })
                    .ok());
    ASSERT_EQ(found_key, entries[i].first);
    ASSERT_EQ(found_value, entries[i].second);
  }
  EXPECT_EQ(counters.bloom_checks.load(), 5000u);
  EXPECT_EQ(counters.bloom_useful.load(), 0u);  // no false negatives

  int called = 0;
  for (int i = 0; i < 10000; i++) {
    ASSERT_TRUE(table
                    ->InternalGet(ReadOptions(), IKey("absent" + std::to_string(i), 1),
                                  [&](const Slice& k, const Slice&) {
                                    // Whatever comes back is another user key.
                                    EXPECT_NE(ExtractUserKey(k).ToString(), "absent" + std::to_string(i));
                                    called++;
                                  })
                    .ok());
  }
  EXPECT_EQ(counters.bloom_checks.load(), 15000u);
  EXPECT_GT(counters.bloom_useful.load(), 9800u);  // ~1% false positives
  EXPECT_EQ(static_cast<uint64_t>(called), 10000u - counters.bloom_useful.load());
}

TEST(Table, InternalGetMovesToTheNextBlockWhenKeyFollowsABlocksLastEntry) {
  // One entry per block: the index key after "a1" is shortened to "b", so a
  // lookup of "a2" picks the first block but finds its answer in the next.
  TableBuilderOptions options;
  options.block_size = 1;
  options.bloom_bits_per_key = 0;
  const Entries entries = {{IKey("a1", 5), "x"}, {IKey("c", 5), "y"}};
  std::unique_ptr<Table> table;
  ASSERT_TRUE(OpenTable(BuildTable(options, entries), &table).ok());
  ASSERT_EQ(table->properties().num_data_blocks(), 2u);
  std::string found;
  ASSERT_TRUE(table
                  ->InternalGet(ReadOptions(), IKey("a2", 5),
                                [&](const Slice& k, const Slice&) { found = k.ToString(); })
                  .ok());
  EXPECT_EQ(found, entries[1].first);
}

TEST(Table, WithoutAFilterNoBloomChecksAreCounted) {
  TableBuilderOptions options;
  options.bloom_bits_per_key = 0;
  ReadCounters counters;
  TableReadOptions ropts;
  ropts.counters = &counters;
  const Entries entries = MakeEntries(100);
  pb::TableProperties props;
  std::unique_ptr<Table> table;
  ASSERT_TRUE(OpenTable(BuildTable(options, entries, &props), &table, ropts).ok());
  EXPECT_EQ(props.filter_bytes(), 0u);
  std::string found;
  ASSERT_TRUE(table
                  ->InternalGet(ReadOptions(), entries[42].first,
                                [&](const Slice& k, const Slice&) { found = k.ToString(); })
                  .ok());
  EXPECT_EQ(found, entries[42].first);
  EXPECT_EQ(counters.bloom_checks.load(), 0u);
}

TEST(Table, InternalGetRejectsKeysShorterThanATag) {
  std::unique_ptr<Table> table;
  ASSERT_TRUE(OpenTable(BuildTable(TableBuilderOptions(), MakeEntries(10)), &table).ok());
  EXPECT_TRUE(
      table->InternalGet(ReadOptions(), "short", [](const Slice&, const Slice&) {}).IsInvalidArgument());
}

// Options that read through cache and count into counters.
TableReadOptions ReadThrough(LRUCache* cache, ReadCounters* counters) {
  TableReadOptions options;
  options.block_cache = cache;
  options.counters = counters;
  return options;
}

TEST(TableBlockCache, CountsMissesThenHits) {
  LRUCache cache(1 << 20);
  ReadCounters counters;
  const TableReadOptions ropts = ReadThrough(&cache, &counters);
  pb::TableProperties props;
  const Entries entries = MakeEntries(2000);
  std::unique_ptr<Table> table;
  ASSERT_TRUE(OpenTable(BuildTable(TableBuilderOptions(), entries, &props), &table, ropts).ok());
  const uint64_t blocks = props.num_data_blocks();
  const auto get_all = [&] {
    for (const auto& [key, value] : entries) {
      std::string found;
      ASSERT_TRUE(
          table->InternalGet(ReadOptions(), key, [&](const Slice&, const Slice& v) { found = v.ToString(); })
              .ok());
      ASSERT_EQ(found, value);
    }
  };

  get_all();  // each block missed once, then found for the other keys in it
  EXPECT_EQ(counters.block_cache_misses.load(), blocks);
  EXPECT_EQ(counters.block_cache_hits.load(), entries.size() - blocks);
  EXPECT_GT(cache.Usage(), props.data_bytes() / 2);

  get_all();
  EXPECT_EQ(counters.block_cache_misses.load(), blocks);
  EXPECT_EQ(counters.block_cache_hits.load(), 2 * entries.size() - blocks);
}

// A scan reads its first two blocks alone (cached, as a get's), then the
// blocks after them ahead, several per file read (16 KiB, then twice as
// much up to 64 KiB). Those are not cached: they are views of bytes shared
// by several blocks, and a long scan would push out what gets need.
TEST(TableReadahead, ScanReadsBlocksAheadInFewReadsWithoutCachingThem) {
  LRUCache cache(1 << 20);
  ReadCounters counters;
  const TableReadOptions ropts = ReadThrough(&cache, &counters);
  pb::TableProperties props;
  const Entries entries = MakeEntries(12000);
  const std::string contents = BuildTable(TableBuilderOptions(), entries, &props);
  auto owned = std::make_unique<test::StringSource>(contents);
  const test::StringSource* source = owned.get();
  std::unique_ptr<Table> table;
  ASSERT_TRUE(Table::Open(ropts, std::move(owned), contents.size(), &table).ok());
  const uint64_t blocks = props.num_data_blocks();
  ASSERT_GT(blocks, 100u);

  for (int round = 1; round <= 2; round++) {
    SCOPED_TRACE("round " + std::to_string(round));
    const uint64_t reads_before = source->reads();
    Entries read;
    ASSERT_TRUE(ReadAll(table.get(), &read).ok());
    EXPECT_EQ(read, entries);
    // Two blocks alone (the first round), windows of 16 and 32 KiB, then
    // 64 KiB at a time.
    EXPECT_LE(source->reads() - reads_before, 4 + props.data_bytes() / (64 * 1024) + 2);
    EXPECT_EQ(counters.block_cache_hits.load(), 2u * (round - 1)) << "the first two blocks";
  }
  const std::vector<BlockHandle> handles = test::DataBlockHandles(contents);
  EXPECT_EQ(cache.Usage(), handles[0].size() + handles[1].size()) << "only the first two blocks are cached";
}

// Reads ahead that fail or come short are left out: each block is then read
// alone, and a scan still reads everything. A file that answers with its
// own memory is read ahead too (a copy).
TEST(TableReadahead, FailedReadsAheadFallBackToReadingEachBlock) {
  // Fails every read longer than a block's, as a file shorter than its
  // index says would answer those short.
  class SmallReadsOnly : public test::StringSource {
   public:
    using StringSource::StringSource;
    Status Read(uint64_t offset, size_t n, Slice* result, char* scratch) const override {
      if (n > 8 * 1024) return Status::IOError("read too long");
      return StringSource::Read(offset, n, result, scratch);
    }
  };
  const Entries entries = MakeEntries(3000);
  const std::string contents = BuildTable(TableBuilderOptions(), entries);
  std::unique_ptr<Table> table;
  ASSERT_TRUE(
      Table::Open(TableReadOptions(), std::make_unique<SmallReadsOnly>(contents), contents.size(), &table)
          .ok());
  Entries read;
  ASSERT_TRUE(ReadAll(table.get(), &read).ok());
  EXPECT_EQ(read, entries);

  // Answers from its own bytes, without claiming they stay in memory.
  class OwnMemory : public RandomAccessFile {
   public:
    explicit OwnMemory(std::string contents) : contents_(std::move(contents)) {}
    Status Read(uint64_t offset, size_t n, Slice* result, char*) const override {
      reads_++;
      offset = std::min<uint64_t>(offset, contents_.size());
      *result = Slice(contents_.data() + offset, std::min<size_t>(n, contents_.size() - offset));
      return Status::OK();
    }
    const std::string contents_;
    mutable int reads_ = 0;
  };
  auto owned = std::make_unique<OwnMemory>(contents);
  const OwnMemory* own = owned.get();
  ASSERT_TRUE(Table::Open(TableReadOptions(), std::move(owned), contents.size(), &table).ok());
  const int reads_at_open = own->reads_;
  ASSERT_TRUE(ReadAll(table.get(), &read).ok());
  EXPECT_EQ(read, entries);
  EXPECT_LT(own->reads_ - reads_at_open, static_cast<int>(test::DataBlockHandles(contents).size()) / 4);
}

// Uncompressed blocks of a mapped file are read where they are, and not
// cached (a cached block could outlive the mapping); inflated blocks are
// copies, cached as from any file.
TEST(TableBlockCache, MappedUncompressedBlocksAreReadInPlaceAndNotCached) {
  for (const Compression compression : {Compression::kNone, Compression::kZlib}) {
    SCOPED_TRACE(compression == Compression::kNone ? "none" : "zlib");
    LRUCache cache(1 << 20);
    ReadCounters counters;
    const TableReadOptions ropts = ReadThrough(&cache, &counters);
    TableBuilderOptions bopts;
    bopts.compression = compression;
    pb::TableProperties props;
    const Entries entries = MakeEntries(2000);
    const std::string contents = BuildTable(bopts, entries, &props);
    auto source = std::make_unique<test::MappedSource>(contents);
    const test::MappedSource* mapped = source.get();
    std::unique_ptr<Table> table;
    ASSERT_TRUE(Table::Open(ropts, std::move(source), contents.size(), &table).ok());
    const uint64_t blocks = props.num_data_blocks();
    for (int round = 0; round < 2; round++) {
      Entries read;
      ASSERT_TRUE(ReadAll(table.get(), &read).ok());
      EXPECT_EQ(read, entries);
    }
    std::string found;
    bool in_place = false;
    ASSERT_TRUE(table
                    ->InternalGet(ReadOptions(), entries[777].first,
                                  [&](const Slice& k, const Slice& v) {
                                    found = k.ToString();
                                    in_place = mapped->Holds(v.data());
                                  })
                    .ok());
    EXPECT_EQ(found, entries[777].first);
    EXPECT_EQ(compression == Compression::kNone, in_place) << "the value points into the mapped file";
    if (compression == Compression::kNone) {
      EXPECT_EQ(cache.Usage(), 0u);
      EXPECT_EQ(counters.block_cache_hits.load(), 0u);
    } else {
      EXPECT_GT(cache.Usage(), 0u);
      EXPECT_EQ(counters.block_cache_hits.load(), blocks + 1) << "the second read and the get from the cache";
    }
  }
}

TEST(TableBlockCache, FillCacheFalseReadsWithoutInserting) {
  LRUCache cache(1 << 20);
  ReadCounters counters;
  const TableReadOptions ropts = ReadThrough(&cache, &counters);
  std::unique_ptr<Table> table;
  ASSERT_TRUE(OpenTable(BuildTable(TableBuilderOptions(), MakeEntries(1000)), &table, ropts).ok());
  ReadOptions no_fill;
  no_fill.fill_cache = false;
  Entries read;
  ASSERT_TRUE(ReadAll(table.get(), &read, no_fill).ok());
  ASSERT_TRUE(ReadAll(table.get(), &read, no_fill).ok());
  EXPECT_EQ(cache.Usage(), 0u);
  EXPECT_EQ(counters.block_cache_hits.load(), 0u);
  EXPECT_EQ(read.size(), 1000u);
}

TEST(TableBlockCache, TablesSharingACacheKeepTheirBlocksApart) {
  LRUCache cache(1 << 20);
  TableReadOptions ropts;
  ropts.block_cache = &cache;
  Entries a = MakeEntries(500, true, 1);
  Entries b;
  for (const auto& [k, v] : a) b.emplace_back(k, v + "-b");  // same layout, other values
  std::unique_ptr<Table> ta, tb;
  ASSERT_TRUE(OpenTable(BuildTable(TableBuilderOptions(), a), &ta, ropts).ok());
  ASSERT_TRUE(OpenTable(BuildTable(TableBuilderOptions(), b), &tb, ropts).ok());
  Entries read;
  for (int round = 0; round < 2; round++) {
    ASSERT_TRUE(ReadAll(ta.get(), &read).ok());
    EXPECT_EQ(read, a);
    ASSERT_TRUE(ReadAll(tb.get(), &read).ok());
    EXPECT_EQ(read, b);
  }
}

TEST(TableBlockCache, IteratorKeepsItsBlockAfterEviction) {
  LRUCache cache(1, 0);  // holds nothing: every block is evicted at once
  TableReadOptions ropts;
  ropts.block_cache = &cache;
  const Entries entries = MakeEntries(1000);
  std::unique_ptr<Table> table;
  ASSERT_TRUE(OpenTable(BuildTable(TableBuilderOptions(), entries), &table, ropts).ok());
  Entries read;
  ASSERT_TRUE(ReadAll(table.get(), &read).ok());
  EXPECT_EQ(read, entries);
}

TEST(Table, ConcurrentReadersShareOneTableAndCache) {
  LRUCache cache(64 << 10);  // smaller than the table: constant eviction
  ReadCounters counters;
  const TableReadOptions ropts = ReadThrough(&cache, &counters);
  const Entries entries = MakeEntries(5000);
  std::unique_ptr<Table> table;
  ASSERT_TRUE(OpenTable(BuildTable(TableBuilderOptions(), entries), &table, ropts).ok());
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; t++) {
    threads.emplace_back([&, t] {
      Random rnd(t + 1);
      for (int i = 0; i < 3000; i++) {
        const size_t n = rnd.Uniform(entries.size());
        std::string found;
        Status s = table->InternalGet(ReadOptions(), entries[n].first,
                                      [&](const Slice& k, const Slice&) { found = k.ToString(); });
        ASSERT_TRUE(s.ok());
        ASSERT_EQ(found, entries[n].first);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(counters.block_cache_hits.load() + counters.block_cache_misses.load(), 12000u);
}

TEST(Table, ApproximateOffsetsGrowWithTheKey) {
  TableBuilderOptions options;
  const Entries entries = MakeEntries(5000);
  pb::TableProperties props;
  const std::string file = BuildTable(options, entries, &props);
  std::unique_ptr<Table> table;
  ASSERT_TRUE(OpenTable(file, &table).ok());
  EXPECT_EQ(table->ApproximateOffsetOf(IKey("", kMaxSequenceNumber)), 0u);
  uint64_t previous = 0;
  for (size_t i = 0; i < entries.size(); i += 100) {
    const uint64_t offset = table->ApproximateOffsetOf(entries[i].first);
    EXPECT_GE(offset, previous);
    EXPECT_LE(offset, props.data_bytes());
    previous = offset;
  }
  EXPECT_GT(previous, props.data_bytes() / 2);
  EXPECT_EQ(table->ApproximateOffsetOf(IKey("zzz", 1)), props.data_bytes());
}

TEST(TableBuilder, CountsTheEntriesThatAnOlderVersionOfTheirKeyFollows) {
  // Versions of one key sort newest first; every one after the first is
  // shadowed (what a snapshot or a memtable kept), a tombstone included.
  const Entries entries = {
      {IKey("a", 9), "a9"},
      {IKey("a", 5), "a5"},
      {IKey("a", 2, kTypeDeletion), ""},
      {IKey("b", 7), "b7"},
      {IKey("c", 8, kTypeDeletion), ""},
      {IKey("c", 3), "c3"},
  };
  pb::TableProperties props;
  ASSERT_FALSE(BuildTable(TableBuilderOptions(), entries, &props).empty());
  EXPECT_EQ(3u, props.num_shadowed());
  EXPECT_EQ(2u, props.num_tombstones());
  ASSERT_FALSE(BuildTable(TableBuilderOptions(), {}, &props).empty());
  EXPECT_TRUE(props.has_num_shadowed());  // recorded even for no entries: 0, not unknown
}

TEST(TableBuilder, RejectsKeysOutOfOrderOrMalformed) {
  StringSink sink;
  TableBuilder builder(TableBuilderOptions(), &sink);
  builder.Add(IKey("b", 5), "v");
  builder.Add(IKey("b", 5), "v");  // equal: not strictly ascending
  EXPECT_TRUE(builder.status().IsInvalidArgument());
  EXPECT_EQ(builder.NumEntries(), 1u);
  EXPECT_TRUE(builder.Finish().IsInvalidArgument());

  StringSink sink2;
  TableBuilder b2(TableBuilderOptions(), &sink2);
  b2.Add(IKey("b", 5), "v");
  b2.Add(IKey("a", 9), "v");
  EXPECT_TRUE(b2.status().IsInvalidArgument());

  StringSink sink3;
  TableBuilder b3(TableBuilderOptions(), &sink3);
  b3.Add("short", "v");
  EXPECT_TRUE(b3.status().IsInvalidArgument());
  std::string bad_type = IKey("k", 1);
  bad_type[bad_type.size() - 8] = 7;  // unknown value type
  StringSink sink4;
  TableBuilder b4(TableBuilderOptions(), &sink4);
  b4.Add(bad_type, "v");
  EXPECT_TRUE(b4.status().IsInvalidArgument());
}

TEST(TableBuilder, RejectsInvalidOptions) {
  auto check = [](auto mutate) {
    TableBuilderOptions o;
    mutate(&o);
    StringSink sink;
    TableBuilder builder(o, &sink);
    builder.Add(IKey("a", 1), "v");
    EXPECT_TRUE(builder.Finish().IsInvalidArgument());
    EXPECT_TRUE(sink.contents.empty());
  };
  check([](TableBuilderOptions* o) { o->block_size = 0; });
  check([](TableBuilderOptions* o) { o->block_restart_interval = 0; });
  check([](TableBuilderOptions* o) { o->bloom_bits_per_key = -1; });
  check([](TableBuilderOptions* o) { o->compression = static_cast<Compression>(9); });
  check([](TableBuilderOptions* o) { o->zlib_level = 10; });
}

TEST(TableBuilder, ReportsWriteErrors) {
  StringSink sink;
  TableBuilderOptions options;
  options.block_size = 100;
  TableBuilder builder(options, &sink);
  sink.fail_appends = true;
  for (const auto& [k, v] : MakeEntries(100)) builder.Add(k, v);
  EXPECT_TRUE(builder.status().IsIOError());
  EXPECT_TRUE(builder.Finish().IsIOError());
}

TEST(TableBuilder, FileSizeCountsEveryByteWritten) {
  StringSink sink;
  TableBuilder builder(TableBuilderOptions(), &sink);
  uint64_t previous = 0;
  for (const auto& [k, v] : MakeEntries(3000)) {
    builder.Add(k, v);
    EXPECT_GE(builder.FileSize(), previous);
    previous = builder.FileSize();
    EXPECT_EQ(builder.FileSize(), sink.contents.size());
  }
  EXPECT_GT(previous, 0u);
  ASSERT_TRUE(builder.Finish().ok());
  EXPECT_EQ(builder.FileSize(), sink.contents.size());
  EXPECT_EQ(builder.NumEntries(), 3000u);
  EXPECT_TRUE(builder.Finish().IsInvalidArgument());  // only once
}

TEST(TableBuilder, AbandonWritesNothingMore) {
  StringSink sink;
  TableBuilder builder(TableBuilderOptions(), &sink);
  builder.Add(IKey("a", 1), "v");
  builder.Abandon();
  builder.Add(IKey("b", 1), "v");
  EXPECT_TRUE(sink.contents.empty());
  EXPECT_EQ(builder.NumEntries(), 1u);
}

TEST(Table, WorksThroughAnEnv) {
  std::unique_ptr<MemEnv> env = NewMemEnv(Env::Default());
  const Entries entries = MakeEntries(2000);
  {
    std::unique_ptr<WritableFile> file;
    ASSERT_TRUE(env->NewWritableFile("/t.sst", &file).ok());
    TableBuilderOptions options;
    options.compression = Compression::kZlib;
    TableBuilder builder(options, file.get());
    for (const auto& [k, v] : entries) builder.Add(k, v);
    ASSERT_TRUE(builder.Finish().ok());
    ASSERT_TRUE(file->Sync().ok());
    ASSERT_TRUE(file->Close().ok());
  }
  uint64_t size = 0;
  ASSERT_TRUE(env->GetFileSize("/t.sst", &size).ok());
  std::unique_ptr<RandomAccessFile> file;
  ASSERT_TRUE(env->NewRandomAccessFile("/t.sst", &file).ok());
  std::unique_ptr<Table> table;
  ASSERT_TRUE(Table::Open(TableReadOptions(), std::move(file), size, &table).ok());
  Entries read;
  ASSERT_TRUE(ReadAll(table.get(), &read).ok());
  EXPECT_EQ(read, entries);
}

}  // namespace
}  // namespace strata
