// RunCompactionJob on real tables in a MemEnv (strata/compaction.h).
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "db/dbformat.h"
#include "db/filename.h"
#include "strata/compaction.h"
#include "strata/mem_env.h"
#include "table/table.h"
#include "table/table_builder.h"
#include "util/random.h"

namespace strata {
namespace {

using Entry = std::pair<std::string, std::string>;  // internal key, value
using Entries = std::vector<Entry>;

std::string IKey(const std::string& user_key, SequenceNumber seq, ValueType type = kTypeValue) {
  std::string r;
  AppendInternalKey(&r, user_key, seq, type);
  return r;
}

ParsedInternalKey Parse(const std::string& ikey) {
  ParsedInternalKey p;
  EXPECT_TRUE(ParseInternalKey(ikey, &p));
  return p;
}

std::string UserKey(const std::string& ikey) {
  return ExtractUserKey(ikey).ToString();
}

std::string NumberedKey(int i) {
  char buf[32];
  snprintf(buf, sizeof(buf), "key%06d", i);
  return buf;
}

void SortEntries(Entries* entries) {
  std::sort(entries->begin(), entries->end(),
            [](const Entry& a, const Entry& b) { return CompareInternalKeys(a.first, b.first) < 0; });
}

// Forwards to a MemEnv; NewWritableFile fails from the fail_at-th call on.
class FailingEnv final : public EnvWrapper {
 public:
  explicit FailingEnv(Env* base) : EnvWrapper(base) {}
  int fail_at = 0;  // 0: never

  Status NewWritableFile(const std::string& p, std::unique_ptr<WritableFile>* r) override {
    if (fail_at > 0 && ++writable_calls_ >= fail_at) return Status::IOError(p + ": injected");
    return target()->NewWritableFile(p, r);
  }

 private:
  int writable_calls_ = 0;
};

class CompactionJobTest : public testing::Test {
 protected:
  CompactionJobTest() : env_(NewMemEnv(Env::Default())) {
    EXPECT_TRUE(env_->CreateDir(kDir).ok());
    job_.output_dir = kDir;
    job_.output_level = 1;
    job_.target_file_size = 1 << 30;
    job_.smallest_snapshot = kLastSequence;  // no snapshots: the engine passes its last sequence
    job_.max_grandparent_overlap = uint64_t{1} << 40;
  }

  // Writes entries (sorted here) as table `number` and adds it to the job.
  CompactionInput AddInput(uint64_t number, int level, Entries entries,
                           const TableBuilderOptions& options = TableBuilderOptions()) {
    SortEntries(&entries);
    CompactionInput in;
    in.file_number = number;
    in.path = TableFileName(kDir, number);
    in.level = level;
    std::unique_ptr<WritableFile> file;
    EXPECT_TRUE(env_->NewWritableFile(in.path, &file).ok());
    TableBuilder builder(options, file.get());
    for (const auto& [k, v] : entries) builder.Add(k, v);
    EXPECT_TRUE(builder.Finish().ok());
    EXPECT_TRUE(file->Close().ok());
    EXPECT_TRUE(env_->GetFileSize(in.path, &in.size).ok());
    job_.inputs.push_back(in);
    input_names_.insert(in.path.substr(kDir.size() + 1));
    return in;
  }

  CompactionResult Run(Env* env = nullptr) {
    return RunCompactionJob(job_, env ? env : env_.get(), [this]() { return next_number_.fetch_add(1); });
  }

  Status ReadTable(const std::string& path, uint64_t size, Entries* out,
                   pb::TableProperties* props = nullptr) {
    out->clear();
    std::unique_ptr<RandomAccessFile> file;
    Status s = env_->NewRandomAccessFile(path, &file);
    if (!s.ok()) return s;
    std::unique_ptr<Table> table;
    s = Table::Open(TableReadOptions(), std::move(file), size, &table);
    if (!s.ok()) return s;
    if (props) *props = table->properties();
    ReadOptions ro;
    ro.verify_checksums = true;
    std::unique_ptr<Iterator> it(table->NewIterator(ro));
    for (it->SeekToFirst(); it->Valid(); it->Next())
      out->emplace_back(it->key().ToString(), it->value().ToString());
    return it->status();
  }

  // Every entry of every output, in output order.
  Entries ReadOutputs(const CompactionResult& result) {
    Entries all;
    for (const auto& out : result.outputs) {
      Entries entries;
      Status s = ReadTable(out.path, out.size, &entries);
      EXPECT_TRUE(s.ok()) << out.path << ": " << s.ToString();
      all.insert(all.end(), entries.begin(), entries.end());
    }
    return all;
  }

  std::set<std::string> Children() {
    std::vector<std::string> children;
    EXPECT_TRUE(env_->GetChildren(kDir, &children).ok());
    return std::set<std::string>(children.begin(), children.end());
  }

  void Corrupt(const std::string& path, size_t offset) {
    std::string data;
    ASSERT_TRUE(ReadFileToString(env_.get(), path, &data).ok());
    ASSERT_LT(offset, data.size());
    data[offset] = static_cast<char>(data[offset] ^ 0x55);
    ASSERT_TRUE(WriteStringToFile(env_.get(), data, path, true).ok());
  }

  // Checks what the job promises of any successful result.
  void CheckOutputs(const CompactionResult& result) {
    uint64_t bytes = 0, entries = 0;
    std::set<uint64_t> numbers;
    for (size_t i = 0; i < result.outputs.size(); i++) {
      const CompactionOutput& out = result.outputs[i];
      SCOPED_TRACE("output " + std::to_string(i));
      EXPECT_TRUE(numbers.insert(out.file_number).second);
      EXPECT_EQ(TableFileName(kDir, out.file_number), out.path);
      uint64_t size = 0;
      ASSERT_TRUE(env_->GetFileSize(out.path, &size).ok());
      EXPECT_EQ(size, out.size);

      Entries content;
      pb::TableProperties props;
      ASSERT_TRUE(ReadTable(out.path, out.size, &content, &props).ok());
      ASSERT_FALSE(content.empty());
      EXPECT_EQ(content.front().first, out.smallest);
      EXPECT_EQ(content.back().first, out.largest);
      EXPECT_EQ(content.size(), out.entries);
      uint64_t tombstones = 0, key_bytes = 0, value_bytes = 0;
      SequenceNumber min_seq = kMaxSequenceNumber, max_seq = 0;
      for (const auto& [k, v] : content) {
        ParsedInternalKey p = Parse(k);
        if (p.type == kTypeDeletion) tombstones++;
        min_seq = std::min(min_seq, p.sequence);
        max_seq = std::max(max_seq, p.sequence);
        key_bytes += k.size();
        value_bytes += v.size();
      }
      EXPECT_EQ(tombstones, out.tombstones);
      EXPECT_EQ(min_seq, out.smallest_seq);
      EXPECT_EQ(max_seq, out.largest_seq);
      EXPECT_EQ(key_bytes, out.raw_key_bytes);
      EXPECT_EQ(value_bytes, out.raw_value_bytes);
      EXPECT_EQ(static_cast<uint32_t>(job_.compression), props.compression());

      // Sorted and non-overlapping, and no user key in two outputs.
      if (i > 0) {
        const CompactionOutput& prev = result.outputs[i - 1];
        EXPECT_LT(UserKey(prev.largest), UserKey(out.smallest));
      }
      bytes += out.size;
      entries += out.entries;
    }
    EXPECT_EQ(bytes, result.bytes_written);
    EXPECT_EQ(entries, result.entries_written);
    EXPECT_EQ(result.entries_read, result.entries_written + result.entries_dropped);
    uint64_t read = 0;
    for (const auto& in : job_.inputs) read += in.size;
    EXPECT_EQ(read, result.bytes_read);
  }

  static constexpr SequenceNumber kLastSequence = 1000000;  // above every sequence the tests write
  const std::string kDir = "/db";
  std::unique_ptr<MemEnv> env_;
  CompactionJob job_;
  std::atomic<uint64_t> next_number_{1000};
  std::set<std::string> input_names_;
};

TEST_F(CompactionJobTest, NewestVersionWins) {
  AddInput(3, 0, {{IKey("a", 30), "newest"}, {IKey("c", 31), "c-new"}});
  AddInput(2, 0, {{IKey("a", 20), "middle"}, {IKey("b", 21), "b"}});
  AddInput(1, 1, {{IKey("a", 10), "oldest"}, {IKey("c", 11), "c-old"}});
  CompactionResult result = Run();
  ASSERT_TRUE(result.status.ok()) << result.status.ToString();
  CheckOutputs(result);
  EXPECT_EQ((Entries{{IKey("a", 30), "newest"}, {IKey("b", 21), "b"}, {IKey("c", 31), "c-new"}}),
            ReadOutputs(result));
  EXPECT_EQ(6u, result.entries_read);
  EXPECT_EQ(3u, result.entries_dropped);
}

TEST_F(CompactionJobTest, NewestVersionSurvivesTheLargestPossibleSnapshot) {
  // Only shadowed versions may be dropped, whatever the snapshot.
  AddInput(1, 0, {{IKey("a", 30), "newest"}, {IKey("a", 20), "older"}});
  job_.smallest_snapshot = kMaxSequenceNumber;
  CompactionResult result = Run();
  ASSERT_TRUE(result.status.ok()) << result.status.ToString();
  EXPECT_EQ((Entries{{IKey("a", 30), "newest"}}), ReadOutputs(result));
}

TEST_F(CompactionJobTest, JobIdIsEchoed) {
  job_.id = 4242;
  AddInput(1, 0, {{IKey("a", 1), "v"}});
  EXPECT_EQ(4242u, Run().job_id);
}

TEST_F(CompactionJobTest, ShadowedVersionsOlderThanSmallestSnapshotAreDropped) {
  AddInput(1, 0,
           {{IKey("a", 30), "v30"}, {IKey("a", 20), "v20"}, {IKey("a", 10), "v10"}, {IKey("a", 5), "v5"}});
  job_.smallest_snapshot = 25;
  CompactionResult result = Run();
  ASSERT_TRUE(result.status.ok()) << result.status.ToString();
  CheckOutputs(result);
  // The snapshot at 25 reads v20; nothing reads v10 or v5.
  EXPECT_EQ((Entries{{IKey("a", 30), "v30"}, {IKey("a", 20), "v20"}}), ReadOutputs(result));
  EXPECT_EQ(2u, result.entries_dropped);
}

TEST_F(CompactionJobTest, VersionsASnapshotNeedsAreKept) {
  AddInput(1, 0, {{IKey("a", 30), "v30"}, {IKey("a", 20), "v20"}, {IKey("a", 10), "v10"}});
  job_.smallest_snapshot = 15;
  CompactionResult result = Run();
  ASSERT_TRUE(result.status.ok()) << result.status.ToString();
  CheckOutputs(result);
  EXPECT_EQ((Entries{{IKey("a", 30), "v30"}, {IKey("a", 20), "v20"}, {IKey("a", 10), "v10"}}),
            ReadOutputs(result));
  EXPECT_EQ(0u, result.entries_dropped);
}

TEST_F(CompactionJobTest, VersionAtExactlyTheSnapshotIsKept) {
  AddInput(1, 0, {{IKey("a", 30), "v30"}, {IKey("a", 20), "v20"}, {IKey("a", 10), "v10"}});
  job_.smallest_snapshot = 20;
  CompactionResult result = Run();
  ASSERT_TRUE(result.status.ok());
  EXPECT_EQ((Entries{{IKey("a", 30), "v30"}, {IKey("a", 20), "v20"}}), ReadOutputs(result));
}

TEST_F(CompactionJobTest, TombstoneWithNothingBelowIsDroppedWithWhatItShadows) {
  AddInput(2, 0, {{IKey("a", 10, kTypeDeletion), ""}, {IKey("b", 11), "b"}});
  AddInput(1, 1, {{IKey("a", 5), "old"}});
  job_.deeper_ranges = {{"m", "z"}};
  CompactionResult result = Run();
  ASSERT_TRUE(result.status.ok()) << result.status.ToString();
  CheckOutputs(result);
  EXPECT_EQ((Entries{{IKey("b", 11), "b"}}), ReadOutputs(result));
  EXPECT_EQ(2u, result.entries_dropped);
}

TEST_F(CompactionJobTest, TombstoneCoveredByDeeperRangeIsKept) {
  AddInput(2, 0, {{IKey("a", 10, kTypeDeletion), ""}, {IKey("b", 11), "b"}});
  AddInput(1, 1, {{IKey("a", 5), "old"}});
  job_.deeper_ranges = {{"a", "a"}};
  CompactionResult result = Run();
  ASSERT_TRUE(result.status.ok()) << result.status.ToString();
  CheckOutputs(result);
  // The tombstone still hides an older "a" deeper down; the shadowed value goes.
  EXPECT_EQ((Entries{{IKey("a", 10, kTypeDeletion), ""}, {IKey("b", 11), "b"}}), ReadOutputs(result));
  EXPECT_EQ(1u, result.outputs[0].tombstones);
}

TEST_F(CompactionJobTest, TombstoneInsideAWideDeeperRangeIsKept) {
  // The range starting last ([b, c]) does not cover "x"; an earlier one does.
  AddInput(1, 0, {{IKey("x", 10, kTypeDeletion), ""}});
  job_.deeper_ranges = {{"b", "c"}, {"a", "z"}, {"d", "e"}};
  CompactionResult result = Run();
  ASSERT_TRUE(result.status.ok()) << result.status.ToString();
  EXPECT_EQ((Entries{{IKey("x", 10, kTypeDeletion), ""}}), ReadOutputs(result));
}

TEST_F(CompactionJobTest, TombstoneAtDeeperRangeBoundsIsKept) {
  AddInput(1, 0, {{IKey("c", 10, kTypeDeletion), ""}, {IKey("f", 11, kTypeDeletion), ""}});
  job_.deeper_ranges = {{"c", "f"}};
  CompactionResult result = Run();
  ASSERT_TRUE(result.status.ok());
  EXPECT_EQ(2u, ReadOutputs(result).size());
}

TEST_F(CompactionJobTest, TombstoneBetweenDeeperRangesIsDropped) {
  AddInput(1, 0, {{IKey("d", 10, kTypeDeletion), ""}, {IKey("k", 11), "v"}});
  job_.deeper_ranges = {{"a", "c"}, {"e", "g"}};
  CompactionResult result = Run();
  ASSERT_TRUE(result.status.ok());
  EXPECT_EQ((Entries{{IKey("k", 11), "v"}}), ReadOutputs(result));
}

TEST_F(CompactionJobTest, TombstoneNewerThanSmallestSnapshotIsKept) {
  AddInput(1, 0, {{IKey("a", 10, kTypeDeletion), ""}, {IKey("a", 3), "old"}});
  job_.smallest_snapshot = 5;
  CompactionResult result = Run();
  ASSERT_TRUE(result.status.ok()) << result.status.ToString();
  CheckOutputs(result);
  // The snapshot at 5 still reads "old".
  EXPECT_EQ((Entries{{IKey("a", 10, kTypeDeletion), ""}, {IKey("a", 3), "old"}}), ReadOutputs(result));
}

TEST_F(CompactionJobTest, EverythingDroppedWritesNoOutput) {
  AddInput(2, 0, {{IKey("a", 10, kTypeDeletion), ""}});
  AddInput(1, 1, {{IKey("a", 5), "old"}});
  CompactionResult result = Run();
  ASSERT_TRUE(result.status.ok()) << result.status.ToString();
  EXPECT_TRUE(result.outputs.empty());
  EXPECT_EQ(0u, result.bytes_written);
  EXPECT_EQ(input_names_, Children());
}

TEST_F(CompactionJobTest, NoInputsIsAnEmptySuccess) {
  CompactionResult result = Run();
  EXPECT_TRUE(result.status.ok());
  EXPECT_TRUE(result.outputs.empty());
  EXPECT_EQ(0u, result.entries_read);
}

TEST_F(CompactionJobTest, OutputsAreCutNearTargetFileSize) {
  TableBuilderOptions table_options;
  table_options.block_size = 1024;
  Entries first, second;
  for (int i = 0; i < 2000; i++) {
    std::string value(100, static_cast<char>('a' + i % 26));
    (i % 2 == 0 ? first : second).emplace_back(IKey(NumberedKey(i), 1000 + i), value);
  }
  AddInput(2, 0, first, table_options);
  AddInput(1, 0, second, table_options);
  job_.block_size = 1024;
  job_.target_file_size = 16 * 1024;
  CompactionResult result = Run();
  ASSERT_TRUE(result.status.ok()) << result.status.ToString();
  CheckOutputs(result);
  ASSERT_GT(result.outputs.size(), 5u);
  for (size_t i = 0; i < result.outputs.size(); i++) {
    const uint64_t size = result.outputs[i].size;
    if (i + 1 < result.outputs.size()) {
      EXPECT_GE(size, job_.target_file_size) << i;
    }
    // Cut within a couple of blocks (plus index, filter and footer) of the target.
    EXPECT_LE(size, job_.target_file_size + 3 * job_.block_size + 2048) << i;
  }
  EXPECT_EQ(2000u, ReadOutputs(result).size());
}

TEST_F(CompactionJobTest, VersionsOfOneUserKeyAreNeverSplitAcrossOutputs) {
  Entries entries;
  SequenceNumber seq = 1;
  for (int k = 0; k < 40; k++) {
    const int versions = k == 17 ? 300 : 25;  // one key alone is bigger than the target
    for (int v = 0; v < versions; v++)
      entries.emplace_back(IKey(NumberedKey(k), seq++), std::string(100, 'v'));
  }
  TableBuilderOptions table_options;
  table_options.block_size = 512;
  AddInput(1, 0, entries, table_options);
  job_.smallest_snapshot = 0;  // an old snapshot: every version stays
  job_.block_size = 512;
  job_.target_file_size = 4096;
  CompactionResult result = Run();
  ASSERT_TRUE(result.status.ok()) << result.status.ToString();
  CheckOutputs(result);
  ASSERT_GT(result.outputs.size(), 10u);
  EXPECT_EQ(entries.size(), ReadOutputs(result).size());
  // The 300 versions of key 17 are all in one output.
  int outputs_with_key17 = 0;
  for (const auto& out : result.outputs) {
    if (UserKey(out.smallest) <= NumberedKey(17) && NumberedKey(17) <= UserKey(out.largest))
      outputs_with_key17++;
  }
  EXPECT_EQ(1, outputs_with_key17);
}

TEST_F(CompactionJobTest, OutputsAreCutToBoundGrandparentOverlap) {
  Entries entries;
  for (int i = 0; i < 100; i++) entries.emplace_back(IKey(NumberedKey(i), 1000 + i), "value");
  AddInput(1, 0, entries);
  // Ten grandparent tables of 1000 bytes, ten keys each.
  for (int g = 0; g < 10; g++) {
    job_.grandparent_ranges.push_back({NumberedKey(g * 10), NumberedKey(g * 10 + 9)});
    job_.grandparent_sizes.push_back(1000);
  }
  job_.max_grandparent_overlap = 1500;
  CompactionResult result = Run();
  ASSERT_TRUE(result.status.ok()) << result.status.ToString();
  CheckOutputs(result);
  ASSERT_GT(result.outputs.size(), 1u);
  for (const auto& out : result.outputs) {
    uint64_t overlap = 0;
    for (size_t g = 0; g < job_.grandparent_ranges.size(); g++) {
      const auto& r = job_.grandparent_ranges[g];
      if (r.largest >= UserKey(out.smallest) && r.smallest <= UserKey(out.largest)) overlap += 1000;
    }
    // At most the limit plus the two tables at the output's ends.
    EXPECT_LE(overlap, job_.max_grandparent_overlap + 2000) << out.path;
  }
  EXPECT_EQ(100u, ReadOutputs(result).size());
}

TEST_F(CompactionJobTest, OutputsUseTheJobsCompression) {
  Entries entries;
  for (int i = 0; i < 500; i++) entries.emplace_back(IKey(NumberedKey(i), 1000 + i), std::string(200, 'z'));
  AddInput(1, 0, entries);
  job_.compression = Compression::kZlib;
  CompactionResult result = Run();
  ASSERT_TRUE(result.status.ok()) << result.status.ToString();
  CheckOutputs(result);
  ASSERT_EQ(1u, result.outputs.size());
  Entries content;
  pb::TableProperties props;
  ASSERT_TRUE(ReadTable(result.outputs[0].path, result.outputs[0].size, &content, &props).ok());
  EXPECT_EQ(static_cast<uint32_t>(Compression::kZlib), props.compression());
  EXPECT_GT(props.num_compressed_data_blocks(), 0u);
  EXPECT_LT(result.outputs[0].size, result.outputs[0].raw_value_bytes / 2);
}

TEST_F(CompactionJobTest, OutputPropertiesDescribeTheirTables) {
  Entries l0, l1a, l1b;
  for (int i = 0; i < 300; i++) {
    l0.emplace_back(IKey(NumberedKey(i), 5000 + i, i % 3 == 0 ? kTypeDeletion : kTypeValue),
                    i % 3 == 0 ? "" : "new" + std::to_string(i));
    (i < 150 ? l1a : l1b).emplace_back(IKey(NumberedKey(i), 100 + i), "old" + std::to_string(i));
  }
  AddInput(3, 0, l0);
  AddInput(1, 1, l1a);
  AddInput(2, 1, l1b);
  job_.smallest_snapshot = 1000;  // between the two generations: both kept
  job_.target_file_size = 4096;
  CompactionResult result = Run();
  ASSERT_TRUE(result.status.ok()) << result.status.ToString();
  CheckOutputs(result);
  EXPECT_GT(result.outputs.size(), 1u);
  EXPECT_EQ(600u, result.entries_written);
  EXPECT_EQ(0u, result.entries_dropped);
  uint64_t tombstones = 0;
  for (const auto& out : result.outputs) tombstones += out.tombstones;
  EXPECT_EQ(100u, tombstones);
}

// A compaction of random inputs gives exactly what the visibility rules keep.
TEST_F(CompactionJobTest, RandomInputsMatchTheModel) {
  for (uint64_t seed = 1; seed <= 12; seed++) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    Random rnd(seed);
    job_.inputs.clear();
    input_names_.clear();
    for (const auto& name : Children()) ASSERT_TRUE(env_->RemoveFile(kDir + "/" + name).ok());

    // Sequences: L1 tables oldest, then L0 tables, newest listed first.
    SequenceNumber seq = 1;
    const int kKeys = 60;
    auto random_entries = [&](int lo, int hi, int count) {
      std::map<std::string, Entry> by_key;  // one version per user key per table
      for (int i = 0; i < count; i++) {
        const std::string uk = NumberedKey(lo + static_cast<int>(rnd.Uniform(hi - lo)));
        const bool del = rnd.OneIn(4);
        by_key[uk] = {IKey(uk, seq++, del ? kTypeDeletion : kTypeValue),
                      del ? "" : std::string(rnd.Uniform(300), static_cast<char>('a' + rnd.Uniform(26)))};
      }
      Entries out;
      for (auto& [k, e] : by_key) out.push_back(e);
      return out;
    };
    TableBuilderOptions table_options;
    table_options.block_size = 512;
    Entries l1a = random_entries(0, kKeys / 2, 40);
    Entries l1b = random_entries(kKeys / 2, kKeys, 40);
    std::vector<Entries> l0;
    for (int t = 0; t < 3; t++) l0.push_back(random_entries(0, kKeys, 30));
    Entries all;
    for (int t = 2; t >= 0; t--) {
      AddInput(100 + t, 0, l0[t], table_options);
      all.insert(all.end(), l0[t].begin(), l0[t].end());
    }
    AddInput(10, 1, l1a, table_options);
    AddInput(11, 1, l1b, table_options);
    all.insert(all.end(), l1a.begin(), l1a.end());
    all.insert(all.end(), l1b.begin(), l1b.end());

    job_.smallest_snapshot = rnd.Uniform(seq + 1);
    job_.deeper_ranges.clear();
    for (int r = static_cast<int>(rnd.Uniform(3)); r > 0; r--) {
      int a = static_cast<int>(rnd.Uniform(kKeys)), b = static_cast<int>(rnd.Uniform(kKeys));
      job_.deeper_ranges.push_back({NumberedKey(std::min(a, b)), NumberedKey(std::max(a, b))});
    }
    job_.block_size = 512;
    job_.target_file_size = 2048;

    // The model: newest first per user key; keep what some reader can see.
    SortEntries(&all);
    Entries expected;
    std::string last_user_key;
    SequenceNumber last_seq = kMaxSequenceNumber;
    for (const auto& e : all) {
      ParsedInternalKey p = Parse(e.first);
      if (p.user_key.ToString() != last_user_key) {
        last_user_key = p.user_key.ToString();
        last_seq = kMaxSequenceNumber;
      }
      bool covered = false;
      for (const auto& r : job_.deeper_ranges)
        covered |= r.smallest <= last_user_key && last_user_key <= r.largest;
      bool visible = last_seq > job_.smallest_snapshot;
      bool needed_tombstone = p.type != kTypeDeletion || p.sequence > job_.smallest_snapshot || covered;
      if (visible && needed_tombstone) expected.push_back(e);
      last_seq = p.sequence;
    }

    CompactionResult result = Run();
    ASSERT_TRUE(result.status.ok()) << result.status.ToString();
    CheckOutputs(result);
    EXPECT_EQ(expected, ReadOutputs(result));
    EXPECT_EQ(all.size(), result.entries_read);
  }
}

TEST_F(CompactionJobTest, MissingL0InputFailsAndLeavesNoOutputs) {
  AddInput(2, 0, {{IKey("a", 10), "v"}});
  CompactionInput missing;
  missing.file_number = 3;
  missing.path = TableFileName(kDir, 3);
  missing.size = 1000;
  missing.level = 0;
  job_.inputs.push_back(missing);
  CompactionResult result = Run();
  EXPECT_FALSE(result.status.ok());
  EXPECT_TRUE(result.outputs.empty());
  EXPECT_EQ(input_names_, Children());
}

TEST_F(CompactionJobTest, MissingL1InputFailsAndRemovesOutputsWrittenBeforeIt) {
  Entries first;
  for (int i = 0; i < 500; i++) first.emplace_back(IKey(NumberedKey(i), 100 + i), std::string(100, 'x'));
  AddInput(5, 0, {{IKey(NumberedKey(0), 9000), "l0"}});
  AddInput(1, 1, first);
  CompactionInput missing;
  missing.file_number = 2;
  missing.path = TableFileName(kDir, 2);  // keys after `first`, but gone
  missing.size = 5000;
  missing.level = 1;
  job_.inputs.push_back(missing);
  job_.target_file_size = 4096;  // outputs are cut before the missing table is reached
  CompactionResult result = Run();
  EXPECT_FALSE(result.status.ok());
  EXPECT_TRUE(result.outputs.empty());
  EXPECT_EQ(input_names_, Children());
  EXPECT_GT(next_number_.load(), 1001u) << "no output was started: the test proves nothing";
}

TEST_F(CompactionJobTest, CorruptL1InputFailsAndRemovesOutputsWrittenBeforeIt) {
  Entries first, second;
  for (int i = 0; i < 1000; i++) {
    (i < 500 ? first : second).emplace_back(IKey(NumberedKey(i), 100 + i), std::string(100, 'x'));
  }
  AddInput(1, 1, first);
  CompactionInput bad = AddInput(2, 1, second);
  Corrupt(bad.path, 20);  // inside the first data block
  job_.target_file_size = 4096;
  CompactionResult result = Run();
  EXPECT_TRUE(result.status.IsCorruption()) << result.status.ToString();
  EXPECT_TRUE(result.outputs.empty());
  EXPECT_EQ(input_names_, Children());
  EXPECT_GT(next_number_.load(), 1001u) << "no output was started: the test proves nothing";
}

TEST_F(CompactionJobTest, CorruptL0DataBlockFailsAndLeavesNoOutputs) {
  Entries entries;
  for (int i = 0; i < 1000; i++) entries.emplace_back(IKey(NumberedKey(i), 100 + i), std::string(100, 'x'));
  CompactionInput bad = AddInput(1, 0, entries);
  AddInput(2, 0, {{IKey(NumberedKey(0), 5000), "newer"}});
  std::string data;
  ASSERT_TRUE(ReadFileToString(env_.get(), bad.path, &data).ok());
  Corrupt(bad.path, data.size() / 2);  // a data block in the middle of the table
  job_.target_file_size = 4096;
  CompactionResult result = Run();
  EXPECT_TRUE(result.status.IsCorruption()) << result.status.ToString();
  EXPECT_TRUE(result.outputs.empty());
  EXPECT_EQ(input_names_, Children());
}

TEST_F(CompactionJobTest, CorruptFooterFailsAndLeavesNoOutputs) {
  AddInput(2, 0, {{IKey("a", 10), "v"}});
  CompactionInput bad = AddInput(1, 1, {{IKey("b", 5), "w"}});
  Corrupt(bad.path, bad.size - 1);
  CompactionResult result = Run();
  EXPECT_TRUE(result.status.IsCorruption()) << result.status.ToString();
  EXPECT_TRUE(result.outputs.empty());
  EXPECT_EQ(input_names_, Children());
}

TEST_F(CompactionJobTest, InputShorterThanItsRecordedSizeFails) {
  CompactionInput in = AddInput(1, 0, {{IKey("a", 10), "v"}, {IKey("b", 11), "w"}});
  job_.inputs[0].size = in.size + 100;
  CompactionResult result = Run();
  EXPECT_FALSE(result.status.ok());
  EXPECT_TRUE(result.outputs.empty());
  EXPECT_EQ(input_names_, Children());
}

TEST_F(CompactionJobTest, WriteFailureRemovesOutputsWrittenBeforeIt) {
  Entries entries;
  for (int i = 0; i < 500; i++) entries.emplace_back(IKey(NumberedKey(i), 100 + i), std::string(100, 'x'));
  AddInput(1, 0, entries);
  job_.target_file_size = 4096;
  FailingEnv failing(env_.get());
  failing.fail_at = 3;  // the third output cannot be created
  CompactionResult result = Run(&failing);
  EXPECT_TRUE(result.status.IsIOError()) << result.status.ToString();
  EXPECT_TRUE(result.outputs.empty());
  EXPECT_EQ(input_names_, Children());
}

TEST_F(CompactionJobTest, WriteErrorsFromTheStartFailTheJob) {
  AddInput(1, 0, {{IKey("a", 10), "v"}});
  env_->SetWriteErrors(true);
  CompactionResult result = Run();
  env_->SetWriteErrors(false);
  EXPECT_TRUE(result.status.IsIOError()) << result.status.ToString();
  EXPECT_TRUE(result.outputs.empty());
  EXPECT_EQ(input_names_, Children());
}

}  // namespace
}  // namespace strata
