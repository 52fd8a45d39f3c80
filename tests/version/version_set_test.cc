// VersionSet: installing edits durably and recovering them (on a MemEnv).
#include "version/version_set.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "db/filename.h"
#include "proto/manifest.pb.h"
#include "strata/mem_env.h"
#include "version/version_test_util.h"
#include "wal/log_writer.h"

namespace strata {
namespace {

using test::MakeFile;
using test::SameFile;

class VersionSetTest : public testing::Test {
 protected:
  VersionSetTest() : env_(NewMemEnv(Env::Default())) {
    EXPECT_TRUE(env_->CreateDir(kDir).ok());
    vs_ = std::make_unique<VersionSet>(kDir, env_.get());
  }

  // A fresh VersionSet recovered from what vs_ wrote.
  std::unique_ptr<VersionSet> Reopen(Status* status) {
    auto vs = std::make_unique<VersionSet>(kDir, env_.get());
    *status = vs->Recover();
    return vs;
  }

  Status Apply(VersionEdit edit) { return vs_->LogAndApply(&edit); }

  static ::testing::AssertionResult SameLevels(const Version& a, const Version& b) {
    for (int level = 0; level < kNumLevels; level++) {
      if (a.files[level].size() != b.files[level].size()) {
        return ::testing::AssertionFailure() << "level " << level << " has " << a.files[level].size()
                                             << " vs " << b.files[level].size() << " files";
      }
      for (size_t i = 0; i < a.files[level].size(); i++) {
        auto r = SameFile(*a.files[level][i], *b.files[level][i]);
        if (!r) return r << " at level " << level << " index " << i;
      }
    }
    return ::testing::AssertionSuccess();
  }

  static std::vector<uint64_t> Numbers(const std::vector<FileMetaPtr>& files) {
    std::vector<uint64_t> numbers;
    for (const auto& f : files) numbers.push_back(f->number);
    return numbers;
  }

  // What CURRENT holds when it names manifest segment `number`.
  std::string CurrentNaming(uint64_t number) const {
    return ManifestFileName(kDir, number).substr(kDir.size() + 1) + "\n";
  }

  std::string ReadCurrent() {
    std::string current;
    EXPECT_TRUE(ReadFileToString(env_.get(), CurrentFileName(kDir), &current).ok());
    return current;
  }

  // Writes a manifest segment holding `records` and points CURRENT at it.
  void WriteManifest(uint64_t number, const std::vector<std::string>& records) {
    std::unique_ptr<WritableFile> file;
    ASSERT_TRUE(env_->NewWritableFile(ManifestFileName(kDir, number), &file).ok());
    log::Writer writer(file.get());
    for (const auto& r : records) ASSERT_TRUE(writer.AddRecord(r).ok());
    ASSERT_TRUE(file->Close().ok());
    SetCurrent(CurrentNaming(number));
  }

  void SetCurrent(const std::string& contents) {
    ASSERT_TRUE(WriteStringToFile(env_.get(), contents, CurrentFileName(kDir), true).ok());
  }

  // A full snapshot edit with all counters set, as the engine writes one.
  static pb::VersionEdit SnapshotMessage() {
    pb::VersionEdit m;
    m.set_format_version(kManifestFormatVersion);
    m.set_log_number(3);
    m.set_next_file_number(20);
    m.set_last_sequence(100);
    return m;
  }

  static void AddFileTo(pb::VersionEdit* m, int level, uint64_t number, const std::string& smallest,
                        const std::string& largest) {
    pb::FileMeta* f = m->add_new_files();
    f->set_level(level);
    f->set_number(number);
    f->set_size(100);
    f->set_smallest(InternalKey(smallest, 5, kTypeValue).Encode().ToString());
    f->set_largest(InternalKey(largest, 5, kTypeValue).Encode().ToString());
  }

  const std::string kDir = "/db";
  std::unique_ptr<MemEnv> env_;
  std::unique_ptr<VersionSet> vs_;
};

TEST_F(VersionSetTest, CreateNewPointsCurrentAtItsManifest) {
  ASSERT_TRUE(vs_->CreateNew().ok());
  const std::string manifest = ManifestFileName(kDir, vs_->ManifestNumber());
  EXPECT_TRUE(env_->FileExists(manifest));
  EXPECT_EQ(manifest.substr(kDir.size() + 1) + "\n", ReadCurrent());
  for (int level = 0; level < kNumLevels; level++) EXPECT_EQ(0u, vs_->current()->NumFiles(level));
}

TEST_F(VersionSetTest, NewDatabaseRecoversWithEmptyLevels) {
  ASSERT_TRUE(vs_->CreateNew().ok());
  Status s;
  auto recovered = Reopen(&s);
  ASSERT_TRUE(s.ok()) << s.ToString();
  for (int level = 0; level < kNumLevels; level++) EXPECT_EQ(0u, recovered->current()->NumFiles(level));
}

TEST_F(VersionSetTest, RecoverReproducesEveryLevel) {
  ASSERT_TRUE(vs_->CreateNew().ok());
  vs_->SetLastSequence(100);  // MakeFile's tables hold sequences up to 100
  VersionEdit e1;
  e1.AddFile(0, MakeFile(10, "a", "m", 111, 1, 10));
  e1.AddFile(0, MakeFile(11, "c", "z", 222, 11, 20));
  e1.AddFile(1, MakeFile(12, "a", "c", 333));
  e1.AddFile(1, MakeFile(13, "d", "f", 444));
  e1.AddFile(2, MakeFile(14, "b", "q", 555));
  e1.AddFile(6, MakeFile(15, "a", "z", 666));
  ASSERT_TRUE(Apply(e1).ok());
  VersionEdit e2;
  e2.RemoveFile(0, 10);
  e2.RemoveFile(1, 13);
  e2.AddFile(1, MakeFile(16, "g", "k", 777));
  e2.AddFile(3, MakeFile(17, "x", "y", 888));
  ASSERT_TRUE(Apply(e2).ok());

  const auto& v = *vs_->current();
  EXPECT_EQ(std::vector<uint64_t>{11}, Numbers(v.files[0]));
  EXPECT_EQ((std::vector<uint64_t>{12, 16}), Numbers(v.files[1]));
  EXPECT_EQ(std::vector<uint64_t>{14}, Numbers(v.files[2]));
  EXPECT_EQ(std::vector<uint64_t>{17}, Numbers(v.files[3]));
  EXPECT_EQ(std::vector<uint64_t>{15}, Numbers(v.files[6]));

  Status s;
  auto recovered = Reopen(&s);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_TRUE(SameLevels(v, *recovered->current()));
}

TEST_F(VersionSetTest, CountersSurviveRecover) {
  ASSERT_TRUE(vs_->CreateNew().ok());
  for (int i = 0; i < 5; i++) vs_->NewFileNumber();
  vs_->SetLastSequence(12345);
  VersionEdit edit;
  edit.log_number = 7;
  edit.AddFile(1, MakeFile(vs_->NewFileNumber(), "a", "b"));
  ASSERT_TRUE(Apply(edit).ok());
  const uint64_t next = vs_->PeekNextFileNumber();

  Status s;
  auto recovered = Reopen(&s);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(next, recovered->PeekNextFileNumber());
  EXPECT_EQ(12345u, recovered->LastSequence());
  EXPECT_EQ(7u, recovered->LogNumber());
  EXPECT_EQ(vs_->ManifestNumber(), recovered->ManifestNumber());
}

TEST_F(VersionSetTest, EditCountersMoveForwardOnly) {
  ASSERT_TRUE(vs_->CreateNew().ok());
  VersionEdit up;
  up.log_number = 10;
  up.last_sequence = 500;
  ASSERT_TRUE(Apply(up).ok());
  EXPECT_EQ(10u, vs_->LogNumber());
  EXPECT_EQ(500u, vs_->LastSequence());

  VersionEdit down;
  down.log_number = 4;
  down.last_sequence = 20;
  ASSERT_TRUE(Apply(down).ok());
  EXPECT_EQ(10u, vs_->LogNumber());
  EXPECT_EQ(500u, vs_->LastSequence());
}

TEST_F(VersionSetTest, RecoveredNextFileNumberIsAboveEveryLiveFile) {
  ASSERT_TRUE(vs_->CreateNew().ok());
  vs_->SetLastSequence(100);  // MakeFile's tables hold sequences up to 100
  VersionEdit edit;
  edit.AddFile(2, MakeFile(1000, "a", "b"));  // a number never handed out
  ASSERT_TRUE(Apply(edit).ok());
  Status s;
  auto recovered = Reopen(&s);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_GT(recovered->PeekNextFileNumber(), 1000u);
  EXPECT_GT(recovered->PeekNextFileNumber(), recovered->ManifestNumber());
}

TEST_F(VersionSetTest, NewFileNumbersAreUnique) {
  std::set<uint64_t> seen;
  for (int i = 0; i < 100; i++) EXPECT_TRUE(seen.insert(vs_->NewFileNumber()).second);
  vs_->MarkFileNumberUsed(500);
  EXPECT_EQ(501u, vs_->NewFileNumber());
  vs_->MarkFileNumberUsed(10);  // below the counter: no effect
  EXPECT_EQ(502u, vs_->NewFileNumber());
}

TEST_F(VersionSetTest, CompactPointersSurviveRecover) {
  ASSERT_TRUE(vs_->CreateNew().ok());
  VersionEdit edit;
  edit.compact_pointers.emplace_back(1, InternalKey("k1", 9, kTypeValue));
  edit.compact_pointers.emplace_back(3, InternalKey("k3", 8, kTypeDeletion));
  ASSERT_TRUE(Apply(edit).ok());
  ASSERT_EQ(static_cast<size_t>(kNumLevels), vs_->compact_pointers().size());
  EXPECT_EQ(InternalKey("k1", 9, kTypeValue).Encode().ToString(), vs_->compact_pointers()[1]);

  Status s;
  auto recovered = Reopen(&s);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(vs_->compact_pointers(), recovered->compact_pointers());
  EXPECT_TRUE(recovered->compact_pointers()[0].empty());
}

TEST_F(VersionSetTest, L0KeepsOverlappingFilesNewestFirst) {
  ASSERT_TRUE(vs_->CreateNew().ok());
  VersionEdit edit;
  edit.AddFile(0, MakeFile(10, "a", "z", 100, 1, 10));
  edit.AddFile(0, MakeFile(12, "a", "z", 100, 21, 30));
  edit.AddFile(0, MakeFile(11, "b", "y", 100, 11, 20));
  ASSERT_TRUE(Apply(edit).ok());
  EXPECT_EQ((std::vector<uint64_t>{12, 11, 10}), Numbers(vs_->current()->files[0]));
}

TEST_F(VersionSetTest, DeeperLevelsAreSortedByKey) {
  ASSERT_TRUE(vs_->CreateNew().ok());
  VersionEdit edit;
  edit.AddFile(2, MakeFile(10, "m", "n"));
  edit.AddFile(2, MakeFile(11, "a", "b"));
  edit.AddFile(2, MakeFile(12, "x", "z"));
  ASSERT_TRUE(Apply(edit).ok());
  EXPECT_EQ((std::vector<uint64_t>{11, 10, 12}), Numbers(vs_->current()->files[2]));
}

TEST_F(VersionSetTest, MovingAFileBetweenLevelsInOneEdit) {
  ASSERT_TRUE(vs_->CreateNew().ok());
  auto f = MakeFile(10, "a", "b");
  VersionEdit add;
  add.AddFile(0, f);
  ASSERT_TRUE(Apply(add).ok());
  VersionEdit move;
  move.RemoveFile(0, 10);
  move.AddFile(1, f);
  ASSERT_TRUE(Apply(move).ok());
  EXPECT_EQ(0u, vs_->current()->NumFiles(0));
  EXPECT_EQ(std::vector<uint64_t>{10}, Numbers(vs_->current()->files[1]));
}

TEST_F(VersionSetTest, OverlappingL1FilesAreRejectedAndNothingChanges) {
  ASSERT_TRUE(vs_->CreateNew().ok());
  vs_->SetLastSequence(100);  // MakeFile's tables hold sequences up to 100
  VersionEdit first;
  first.AddFile(1, MakeFile(10, "a", "c"));
  ASSERT_TRUE(Apply(first).ok());
  const auto before = vs_->current();
  const uint64_t manifest_before = vs_->ManifestNumber();
  const std::string current_before = ReadCurrent();

  VersionEdit overlapping;
  overlapping.AddFile(1, MakeFile(11, "b", "d"));
  overlapping.log_number = 99;
  overlapping.compact_pointers.emplace_back(1, InternalKey("b", 1, kTypeValue));
  EXPECT_TRUE(Apply(overlapping).IsCorruption());

  EXPECT_EQ(before, vs_->current());
  EXPECT_EQ(manifest_before, vs_->ManifestNumber());
  EXPECT_EQ(current_before, ReadCurrent());
  EXPECT_NE(99u, vs_->LogNumber());
  EXPECT_TRUE(vs_->compact_pointers()[1].empty());
  Status s;
  auto recovered = Reopen(&s);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_TRUE(SameLevels(*before, *recovered->current()));
}

TEST_F(VersionSetTest, FilesOfOneLevelSharingAUserKeyAreRejected) {
  ASSERT_TRUE(vs_->CreateNew().ok());
  VersionEdit edit;
  edit.AddFile(3, MakeFile(10, "a", "c"));
  edit.AddFile(3, MakeFile(11, "c", "e"));  // user key "c" would span two files
  EXPECT_TRUE(Apply(edit).IsCorruption());
  EXPECT_EQ(0u, vs_->current()->NumFiles(3));
}

TEST_F(VersionSetTest, FailedManifestWriteLeavesVersionUnchanged) {
  ASSERT_TRUE(vs_->CreateNew().ok());
  vs_->SetLastSequence(100);   // MakeFile's tables hold sequences up to 100
  vs_->MarkFileNumberUsed(9);  // log numbers below 10 were handed out
  VersionEdit first;
  first.AddFile(1, MakeFile(10, "a", "c"));
  first.log_number = 5;
  ASSERT_TRUE(Apply(first).ok());
  const auto before = vs_->current();
  const uint64_t manifest_before = vs_->ManifestNumber();

  env_->SetWriteErrors(true);
  VersionEdit edit;
  edit.AddFile(1, MakeFile(11, "x", "z"));
  edit.log_number = 9;
  edit.compact_pointers.emplace_back(1, InternalKey("b", 1, kTypeValue));
  EXPECT_FALSE(Apply(edit).ok());
  env_->SetWriteErrors(false);

  EXPECT_EQ(before, vs_->current());
  EXPECT_EQ(manifest_before, vs_->ManifestNumber());
  EXPECT_EQ(5u, vs_->LogNumber());
  EXPECT_TRUE(vs_->compact_pointers()[1].empty());
  Status s;
  auto recovered = Reopen(&s);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_TRUE(SameLevels(*before, *recovered->current()));
  EXPECT_EQ(5u, recovered->LogNumber());
}

TEST_F(VersionSetTest, FailedManifestWriteLeavesLastSequenceUnchanged) {
  ASSERT_TRUE(vs_->CreateNew().ok());
  vs_->SetLastSequence(50);
  env_->SetWriteErrors(true);
  VersionEdit edit;
  edit.last_sequence = 90;
  EXPECT_FALSE(Apply(edit).ok());
  env_->SetWriteErrors(false);
  // "On error nothing changes" (version_set.h).
  EXPECT_EQ(50u, vs_->LastSequence());
}

TEST_F(VersionSetTest, FailedManifestWriteLeavesNoFilesBehind) {
  ASSERT_TRUE(vs_->CreateNew().ok());
  std::vector<std::string> before;
  ASSERT_TRUE(env_->GetChildren(kDir, &before).ok());
  env_->SetWriteErrors(true);
  VersionEdit edit;
  edit.AddFile(1, MakeFile(11, "x", "z"));
  EXPECT_FALSE(Apply(edit).ok());
  env_->SetWriteErrors(false);
  std::vector<std::string> after;
  ASSERT_TRUE(env_->GetChildren(kDir, &after).ok());
  std::sort(before.begin(), before.end());
  std::sort(after.begin(), after.end());
  EXPECT_EQ(before, after);
}

TEST_F(VersionSetTest, AppliedEditSurvivesACrash) {
  ASSERT_TRUE(vs_->CreateNew().ok());
  vs_->SetLastSequence(100);  // MakeFile's tables hold sequences up to 100
  VersionEdit edit;
  edit.AddFile(1, MakeFile(10, "a", "c"));
  edit.AddFile(0, MakeFile(11, "b", "d"));
  edit.log_number = 4;
  ASSERT_TRUE(Apply(edit).ok());
  env_->SimulateCrash();
  Status s;
  auto recovered = Reopen(&s);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_TRUE(SameLevels(*vs_->current(), *recovered->current()));
  EXPECT_EQ(4u, recovered->LogNumber());
}

TEST_F(VersionSetTest, WithWriteOnceFilesEachEditWritesANewManifestAndNoTempFileRemains) {
  ASSERT_TRUE(vs_->CreateNew().ok());
  uint64_t last = vs_->ManifestNumber();
  for (int i = 0; i < 3; i++) {
    VersionEdit edit;
    edit.AddFile(0, MakeFile(100 + i, "a", "b", 10, i + 1, i + 1));
    ASSERT_TRUE(Apply(edit).ok());
    EXPECT_GT(vs_->ManifestNumber(), last);
    last = vs_->ManifestNumber();
    EXPECT_EQ(CurrentNaming(last), ReadCurrent());
  }
  std::vector<std::string> children;
  ASSERT_TRUE(env_->GetChildren(kDir, &children).ok());
  for (const auto& name : children) {
    uint64_t number;
    FileType type;
    ASSERT_TRUE(ParseFileName(name, &number, &type)) << name;
    EXPECT_NE(FileType::kTemp, type) << name;
  }
}

TEST_F(VersionSetTest, MissingCurrentFailsRecover) {
  Status s = vs_->Recover();
  EXPECT_FALSE(s.ok());
}

TEST_F(VersionSetTest, CurrentNamingMissingManifestIsCorruption) {
  ASSERT_TRUE(vs_->CreateNew().ok());
  SetCurrent("MANIFEST-000099\n");
  Status s;
  Reopen(&s);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
}

TEST_F(VersionSetTest, MalformedCurrentIsCorruption) {
  ASSERT_TRUE(vs_->CreateNew().ok());
  const std::string manifest_name = ManifestFileName(kDir, vs_->ManifestNumber()).substr(kDir.size() + 1);
  const std::string bad[] = {
      "", "\n", manifest_name, "000002.sst\n", "garbage\n", "CURRENT\n", manifest_name + "\nextra"};
  for (const auto& contents : bad) {
    SetCurrent(contents);
    Status s;
    Reopen(&s);
    EXPECT_TRUE(s.IsCorruption()) << "'" << contents << "': " << s.ToString();
  }
}

TEST_F(VersionSetTest, DamagedManifestIsCorruption) {
  ASSERT_TRUE(vs_->CreateNew().ok());
  VersionEdit edit;
  edit.AddFile(1, MakeFile(10, "a", "c"));
  ASSERT_TRUE(Apply(edit).ok());
  const std::string path = ManifestFileName(kDir, vs_->ManifestNumber());
  std::string good;
  ASSERT_TRUE(ReadFileToString(env_.get(), path, &good).ok());
  for (size_t i = 0; i < good.size(); i++) {
    std::string damaged = good;
    damaged[i] = static_cast<char>(damaged[i] ^ 0x20);
    ASSERT_TRUE(WriteStringToFile(env_.get(), damaged, path, true).ok());
    Status s;
    Reopen(&s);
    EXPECT_TRUE(s.IsCorruption()) << "byte " << i << ": " << s.ToString();
  }
}

TEST_F(VersionSetTest, TruncatedManifestIsCorruption) {
  ASSERT_TRUE(vs_->CreateNew().ok());
  VersionEdit edit;
  edit.AddFile(1, MakeFile(10, "a", "c"));
  ASSERT_TRUE(Apply(edit).ok());
  const std::string path = ManifestFileName(kDir, vs_->ManifestNumber());
  std::string good;
  ASSERT_TRUE(ReadFileToString(env_.get(), path, &good).ok());
  for (size_t len = 0; len < good.size(); len++) {
    ASSERT_TRUE(WriteStringToFile(env_.get(), good.substr(0, len), path, true).ok());
    Status s;
    Reopen(&s);
    EXPECT_TRUE(s.IsCorruption()) << "cut to " << len << ": " << s.ToString();
  }
}

TEST_F(VersionSetTest, ManifestWithoutCountersIsCorruption) {
  pb::VersionEdit m = SnapshotMessage();
  m.clear_next_file_number();
  WriteManifest(5, {m.SerializeAsString()});
  Status s = vs_->Recover();
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
}

TEST_F(VersionSetTest, ManifestWithOverlappingL1IsCorruption) {
  pb::VersionEdit m = SnapshotMessage();
  AddFileTo(&m, 1, 10, "a", "f");
  AddFileTo(&m, 1, 11, "e", "k");
  WriteManifest(5, {m.SerializeAsString()});
  Status s = vs_->Recover();
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
}

TEST_F(VersionSetTest, ManifestFromNewerFormatIsCorruption) {
  pb::VersionEdit m = SnapshotMessage();
  m.set_format_version(kManifestFormatVersion + 1);
  WriteManifest(5, {m.SerializeAsString()});
  Status s = vs_->Recover();
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
}

TEST_F(VersionSetTest, ManifestHoldingGarbageRecordIsCorruption) {
  WriteManifest(5, {std::string("\xff\xff\xff", 3)});
  Status s = vs_->Recover();
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
}

TEST_F(VersionSetTest, HandWrittenSnapshotIsRecovered) {
  pb::VersionEdit m = SnapshotMessage();
  AddFileTo(&m, 0, 7, "a", "z");
  AddFileTo(&m, 2, 8, "c", "d");
  WriteManifest(5, {m.SerializeAsString()});
  Status s = vs_->Recover();
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(std::vector<uint64_t>{7}, Numbers(vs_->current()->files[0]));
  EXPECT_EQ(std::vector<uint64_t>{8}, Numbers(vs_->current()->files[2]));
  EXPECT_EQ(3u, vs_->LogNumber());
  EXPECT_EQ(100u, vs_->LastSequence());
  EXPECT_EQ(20u, vs_->PeekNextFileNumber());
  EXPECT_EQ(5u, vs_->ManifestNumber());
}

TEST_F(VersionSetTest, LiveFilesKeepFilesOfVersionsStillHeld) {
  ASSERT_TRUE(vs_->CreateNew().ok());
  VersionEdit add;
  add.AddFile(0, MakeFile(10, "a", "b"));
  add.AddFile(1, MakeFile(11, "c", "d"));
  ASSERT_TRUE(Apply(add).ok());
  EXPECT_EQ((std::set<uint64_t>{10, 11}), vs_->LiveFiles());

  std::shared_ptr<const Version> reader = vs_->current();
  VersionEdit remove;
  remove.RemoveFile(0, 10);
  remove.AddFile(1, MakeFile(12, "e", "f"));
  ASSERT_TRUE(Apply(remove).ok());
  EXPECT_EQ((std::set<uint64_t>{10, 11, 12}), vs_->LiveFiles());

  reader.reset();
  EXPECT_EQ((std::set<uint64_t>{11, 12}), vs_->LiveFiles());
}

TEST_F(VersionSetTest, LiveFilesDropVersionsReplacedWithoutReaders) {
  ASSERT_TRUE(vs_->CreateNew().ok());
  VersionEdit add;
  add.AddFile(0, MakeFile(10, "a", "b"));
  ASSERT_TRUE(Apply(add).ok());
  VersionEdit remove;
  remove.RemoveFile(0, 10);
  ASSERT_TRUE(Apply(remove).ok());
  EXPECT_TRUE(vs_->LiveFiles().empty());
}

TEST_F(VersionSetTest, ManifestWithATablePastTheLastSequenceIsCorruption) {
  pb::VersionEdit m = SnapshotMessage();
  AddFileTo(&m, 1, 10, "a", "f");
  m.mutable_new_files(0)->set_largest_seq(101);  // last_sequence is 100
  WriteManifest(5, {m.SerializeAsString()});
  Status s = vs_->Recover();
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
}

TEST_F(VersionSetTest, ManifestWithLogNumberPastTheNextFileIsCorruption) {
  pb::VersionEdit m = SnapshotMessage();
  m.set_log_number(21);  // next_file_number is 20
  WriteManifest(5, {m.SerializeAsString()});
  Status s = vs_->Recover();
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
}

TEST_F(VersionSetTest, ManifestWithALargeTableNumberKeepsEveryNewFileNameable) {
  // The largest table number a name holds less one recovers, and the next
  // number handed out still fits a name; one more is Corruption, not a
  // database whose next manifest can never be opened.
  pb::VersionEdit m = SnapshotMessage();
  AddFileTo(&m, 1, kMaxFileNumber - 1, "a", "f");
  WriteManifest(5, {m.SerializeAsString()});
  Status s = vs_->Recover();
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(kMaxFileNumber, vs_->PeekNextFileNumber());
  uint64_t number;
  FileType type;
  EXPECT_TRUE(ParseFileName(ManifestFileName("", vs_->PeekNextFileNumber()).substr(1), &number, &type));

  m = SnapshotMessage();
  AddFileTo(&m, 1, kMaxFileNumber, "a", "f");
  WriteManifest(6, {m.SerializeAsString()});
  Reopen(&s);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
}

TEST_F(VersionSetTest, LogStartSequenceMovesForwardAndSurvivesRecover) {
  ASSERT_TRUE(vs_->CreateNew().ok());
  EXPECT_EQ(1u, vs_->LogStartSequence());  // a new database starts its WAL at 1
  VersionEdit edit;
  edit.last_sequence = 50;
  edit.log_start_sequence = 31;
  ASSERT_TRUE(Apply(edit).ok());
  VersionEdit older;
  older.log_start_sequence = 20;
  ASSERT_TRUE(Apply(older).ok());
  EXPECT_EQ(31u, vs_->LogStartSequence());
  ASSERT_TRUE(Apply(VersionEdit()).ok());  // kept in every later snapshot
  Status s;
  auto reopened = Reopen(&s);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(31u, reopened->LogStartSequence());
}

// Where synced appends are cheap (POSIX), edits are appended to the open
// segment (manifest_format.md).
class VersionSetAppendTest : public VersionSetTest {
 protected:
  VersionSetAppendTest() {
    env_->SetSyncedAppendsAreCheap(true);
    EXPECT_TRUE(vs_->CreateNew().ok());
    vs_->SetLastSequence(100);  // MakeFile's tables hold sequences up to 100
  }

  // Adds table number (keys from..to) to level 1, and writes its file.
  void AddTable(uint64_t number, const std::string& from, const std::string& to) {
    VersionEdit edit;
    edit.AddFile(1, MakeFile(number, from, to));
    ASSERT_TRUE(Apply(edit).ok());
    ASSERT_TRUE(WriteStringToFile(env_.get(), "table", TableFileName(kDir, number), true).ok());
  }

  // Replaces vs_ with one over env (its manifest rolled past roll_bytes),
  // recovered from what vs_ wrote.
  void RecoverWith(Env* env, uint64_t roll_bytes = VersionSet::kDefaultManifestRollBytes) {
    vs_ = std::make_unique<VersionSet>(kDir, env, roll_bytes);
    Status s = vs_->Recover();
    ASSERT_TRUE(s.ok()) << s.ToString();
    vs_->SetLastSequence(100);
  }

  std::string SegmentPath() const { return ManifestFileName(kDir, vs_->ManifestNumber()); }
  uint64_t SegmentSize() const {
    uint64_t size = 0;
    EXPECT_TRUE(env_->GetFileSize(SegmentPath(), &size).ok());
    return size;
  }

  size_t ManifestCount() {
    std::vector<std::string> children;
    EXPECT_TRUE(env_->GetChildren(kDir, &children).ok());
    return std::count_if(children.begin(), children.end(),
                         [](const std::string& name) { return name.rfind("MANIFEST-", 0) == 0; });
  }
};

TEST_F(VersionSetAppendTest, EditsAppendToOneSegmentAndCurrentStays) {
  const uint64_t segment = vs_->ManifestNumber();
  const std::string current = ReadCurrent();
  for (int i = 0; i < 5; i++) {
    AddTable(10 + i, std::string(1, static_cast<char>('a' + 2 * i)),
             std::string(1, static_cast<char>('b' + 2 * i)));
    EXPECT_EQ(segment, vs_->ManifestNumber());
    EXPECT_EQ(current, ReadCurrent());
  }
  EXPECT_EQ(1u, ManifestCount());
  env_->SimulateCrash();  // every appended edit was synced
  Status s;
  auto recovered = Reopen(&s);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_TRUE(SameLevels(*vs_->current(), *recovered->current()));
  EXPECT_EQ(5u, recovered->current()->NumFiles(1));
}

TEST_F(VersionSetAppendTest, ASegmentPastTheRollSizeGivesWayToANewOne) {
  ASSERT_NO_FATAL_FAILURE(RecoverWith(env_.get(), /*roll_bytes=*/1));
  for (int i = 0; i < 3; i++) {
    const uint64_t before = vs_->ManifestNumber();
    AddTable(10 + i, std::string(1, static_cast<char>('a' + 2 * i)),
             std::string(1, static_cast<char>('b' + 2 * i)));
    EXPECT_GT(vs_->ManifestNumber(), before);  // every segment is past 1 byte
    EXPECT_EQ(CurrentNaming(vs_->ManifestNumber()), ReadCurrent());
  }
  Status s;
  auto recovered = Reopen(&s);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_TRUE(SameLevels(*vs_->current(), *recovered->current()));
}

TEST_F(VersionSetAppendTest, TheFirstEditAfterRecoverStartsANewSegment) {
  AddTable(10, "a", "b");
  const uint64_t recovered_segment = vs_->ManifestNumber();
  Status s;
  vs_ = Reopen(&s);
  ASSERT_TRUE(s.ok()) << s.ToString();
  AddTable(11, "c", "d");
  EXPECT_GT(vs_->ManifestNumber(), recovered_segment);
  AddTable(12, "e", "f");  // and appends to that one
  EXPECT_EQ(2u, ManifestCount());
}

TEST_F(VersionSetAppendTest, ATornLastEditRecoversTheStateBeforeIt) {
  AddTable(10, "a", "c");
  const auto before = vs_->current();
  const uint64_t intact = SegmentSize();
  AddTable(11, "x", "z");
  std::string good;
  ASSERT_TRUE(ReadFileToString(env_.get(), SegmentPath(), &good).ok());
  ASSERT_GT(good.size(), intact);
  for (size_t len = intact; len < good.size(); len++) {  // cut anywhere in the last record
    ASSERT_TRUE(WriteStringToFile(env_.get(), good.substr(0, len), SegmentPath(), true).ok());
    Status s;
    auto recovered = Reopen(&s);
    ASSERT_TRUE(s.ok()) << "cut to " << len << ": " << s.ToString();
    EXPECT_TRUE(SameLevels(*before, *recovered->current())) << "cut to " << len;
  }
  std::string garbled = good;  // or garbage where its end should be
  garbled.back() = static_cast<char>(garbled.back() ^ 0x20);
  ASSERT_TRUE(WriteStringToFile(env_.get(), garbled, SegmentPath(), true).ok());
  Status s;
  auto recovered = Reopen(&s);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_TRUE(SameLevels(*before, *recovered->current()));
}

TEST_F(VersionSetAppendTest, ADamagedLastEditWhoseStateBeforeLacksATableIsCorruption) {
  // A damaged last record is not a torn append when the state before it
  // names a table that is gone: only a completed edit deletes tables.
  AddTable(10, "a", "c");
  const uint64_t intact = SegmentSize();
  VersionEdit replace;
  replace.RemoveFile(1, 10);
  replace.AddFile(1, MakeFile(11, "a", "c"));
  ASSERT_TRUE(Apply(replace).ok());
  ASSERT_TRUE(env_->RemoveFile(TableFileName(kDir, 10)).ok());
  std::string good;
  ASSERT_TRUE(ReadFileToString(env_.get(), SegmentPath(), &good).ok());
  ASSERT_TRUE(
      WriteStringToFile(env_.get(), good.substr(0, intact + (good.size() - intact) / 2), SegmentPath(), true)
          .ok());
  Status s;
  Reopen(&s);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
}

TEST_F(VersionSetAppendTest, DamageWithAWholeEditAfterItIsCorruption) {
  // Records: [0, ends[0]) from CreateNew, then one per AddTable.
  std::vector<uint64_t> ends = {SegmentSize()};
  std::vector<std::shared_ptr<const Version>> states = {vs_->current()};
  for (int i = 0; i < 2; i++) {
    AddTable(10 + i, std::string(1, static_cast<char>('a' + 2 * i)),
             std::string(1, static_cast<char>('b' + 2 * i)));
    ends.push_back(SegmentSize());
    states.push_back(vs_->current());
  }
  std::string good;
  ASSERT_TRUE(ReadFileToString(env_.get(), SegmentPath(), &good).ok());
  for (size_t i = 0; i < ends[1]; i++) {  // in the records before the last
    std::string damaged = good;
    damaged[i] = static_cast<char>(damaged[i] ^ 0x20);
    ASSERT_TRUE(WriteStringToFile(env_.get(), damaged, SegmentPath(), true).ok());
    Status s;
    auto recovered = Reopen(&s);
    const bool in_payload = i >= log::kHeaderSize && (i < ends[0] || i >= ends[0] + log::kHeaderSize);
    if (in_payload) {
      // Its checksum fails, its length still holds: the reader finds the
      // last record after it.
      EXPECT_TRUE(s.IsCorruption()) << "byte " << i << ": " << s.ToString();
    } else if (s.ok()) {
      // A bad header makes the rest of the block unreadable, as a torn
      // append would: an earlier state, whose tables all exist, is what a
      // crash could have left.
      EXPECT_TRUE(SameLevels(*states[0], *recovered->current()) ||
                  SameLevels(*states[1], *recovered->current()))
          << "byte " << i;
    } else {
      EXPECT_TRUE(s.IsCorruption()) << "byte " << i << ": " << s.ToString();
    }
  }
}

// Forwards to another Env; the next syncs_to_fail syncs of written files
// fail, and directory syncs are counted.
class SyncFailingEnv final : public EnvWrapper {
 public:
  explicit SyncFailingEnv(Env* base) : EnvWrapper(base) {}
  int syncs_to_fail = 0;
  int dir_syncs = 0;

  Status SyncDir(const std::string& dir) override {
    dir_syncs++;
    return target()->SyncDir(dir);
  }

  Status NewWritableFile(const std::string& path, std::unique_ptr<WritableFile>* result) override {
    std::unique_ptr<WritableFile> file;
    Status s = target()->NewWritableFile(path, &file);
    if (s.ok()) *result = std::make_unique<File>(this, std::move(file));
    return s;
  }

 private:
  class File final : public WritableFile {
   public:
    File(SyncFailingEnv* env, std::unique_ptr<WritableFile> file) : env_(env), file_(std::move(file)) {}
    Status Append(const Slice& data) override { return file_->Append(data); }
    Status Flush() override { return file_->Flush(); }
    Status Sync() override {
      if (env_->syncs_to_fail > 0) {
        env_->syncs_to_fail--;
        return Status::IOError("injected sync failure");
      }
      return file_->Sync();
    }
    Status Close() override { return file_->Close(); }

   private:
    SyncFailingEnv* const env_;
    std::unique_ptr<WritableFile> file_;
  };
};

TEST_F(VersionSetAppendTest, AnEditWhoseAppendFailsGoesToANewSegment) {
  SyncFailingEnv failing(env_.get());
  ASSERT_NO_FATAL_FAILURE(RecoverWith(&failing));
  AddTable(10, "a", "b");  // starts a segment
  const uint64_t segment = vs_->ManifestNumber();
  failing.syncs_to_fail = 1;  // the next append's
  AddTable(11, "c", "d");
  EXPECT_EQ(0, failing.syncs_to_fail);
  EXPECT_GT(vs_->ManifestNumber(), segment);
  EXPECT_EQ(CurrentNaming(vs_->ManifestNumber()), ReadCurrent());
  env_->SimulateCrash();
  Status s;
  auto recovered = Reopen(&s);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_TRUE(SameLevels(*vs_->current(), *recovered->current()));
  EXPECT_EQ(2u, recovered->current()->NumFiles(1));
}

TEST_F(VersionSetAppendTest, AnAppendSyncsTheDirectoryFirstIfAFileWasMadeSinceItsLastSync) {
  SyncFailingEnv counting(env_.get());
  ASSERT_NO_FATAL_FAILURE(RecoverWith(&counting));
  AddTable(10, "a", "b");  // starts a segment (and syncs the directory)
  int syncs = counting.dir_syncs;
  const uint64_t segment = vs_->ManifestNumber();
  ASSERT_TRUE(Apply(VersionEdit()).ok());  // nothing new: a bare append
  EXPECT_EQ(syncs, counting.dir_syncs);
  vs_->NewFileNumber();  // as a new WAL segment takes one
  ASSERT_TRUE(Apply(VersionEdit()).ok());
  EXPECT_EQ(++syncs, counting.dir_syncs);
  ASSERT_TRUE(Apply(VersionEdit()).ok());
  EXPECT_EQ(syncs, counting.dir_syncs);
  AddTable(11, "c", "d");  // a new table (numbered long ago)
  EXPECT_EQ(++syncs, counting.dir_syncs);
  EXPECT_EQ(segment, vs_->ManifestNumber());  // all of them appended
}

TEST_F(VersionSetAppendTest, ATornTailBehindARecordWithoutLogStartSequenceIsCorruption) {
  pb::VersionEdit m = SnapshotMessage();  // as written before log_start_sequence existed
  WriteManifest(5, {m.SerializeAsString(), m.SerializeAsString()});
  Status s = vs_->Recover();
  ASSERT_TRUE(s.ok()) << s.ToString();
  std::string bytes;
  ASSERT_TRUE(ReadFileToString(env_.get(), ManifestFileName(kDir, 5), &bytes).ok());
  ASSERT_TRUE(
      WriteStringToFile(env_.get(), bytes.substr(0, bytes.size() - 3), ManifestFileName(kDir, 5), true).ok());
  Reopen(&s);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
}

TEST_F(VersionSetTest, WithWriteOnceFilesBytesAfterTheRecordAreCorruption) {
  // A write-once segment was synced whole before CURRENT named it.
  ASSERT_TRUE(vs_->CreateNew().ok());
  const std::string path = ManifestFileName(kDir, vs_->ManifestNumber());
  std::string bytes;
  ASSERT_TRUE(ReadFileToString(env_.get(), path, &bytes).ok());
  for (const std::string& tail : {std::string(3, '\0'), std::string("\x12\x34\x56\x78\x20\x00\x01xyz", 10)}) {
    ASSERT_TRUE(WriteStringToFile(env_.get(), bytes + tail, path, true).ok());
    Status s;
    Reopen(&s);
    EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  }
}

}  // namespace
}  // namespace strata
