// CommitEnv (wasm/binding/commit_env.h) over a MemEnv: written files reach
// the base Env only whole, at Close, and every path changed (closed after
// writing, removed, renamed from or to) is reported once by TakeChanges.
#include "commit_env.h"

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "strata/mem_env.h"

namespace strata {
namespace {

using Paths = std::vector<std::string>;

class CommitEnvTest : public testing::Test {
 protected:
  void SetUp() override {
    base_ = NewMemEnv(Env::Default());
    ASSERT_TRUE(base_->CreateDir(kDir).ok());
    env_ = std::make_unique<CommitEnv>(base_.get());
  }

  static std::string Path(const std::string& name) { return std::string(kDir) + "/" + name; }

  // Contents of path in the base Env; fails the test if it cannot be read.
  std::string ReadBase(const std::string& path) {
    std::string data;
    Status s = ReadFileToString(base_.get(), path, &data);
    EXPECT_TRUE(s.ok()) << path << ": " << s.ToString();
    return data;
  }

  // Writes data to path through the CommitEnv and closes the file.
  void WriteThrough(const std::string& path, const std::string& data) {
    std::unique_ptr<WritableFile> file;
    ASSERT_TRUE(env_->NewWritableFile(path, &file).ok());
    ASSERT_TRUE(file->Append(data).ok());
    ASSERT_TRUE(file->Close().ok());
  }

  // Whether path, opened for reading through the CommitEnv, says its bytes
  // were made in this process; and that it reads back whole.
  bool MadeInProcess(const std::string& path) {
    std::unique_ptr<RandomAccessFile> file;
    Status s = env_->NewRandomAccessFile(path, &file);
    EXPECT_TRUE(s.ok()) << path << ": " << s.ToString();
    if (!s.ok()) return false;
    const std::string expected = ReadBase(path);
    std::string scratch(expected.size() + 1, '\0');
    Slice read;
    EXPECT_TRUE(file->Read(0, scratch.size(), &read, scratch.data()).ok());
    EXPECT_EQ(expected, read.ToString()) << path;
    EXPECT_TRUE(!file->ContentsMadeInProcess() || file->ContentsInProcessMemory()) << path;
    return file->ContentsMadeInProcess();
  }

  static constexpr const char* kDir = "/commit";
  std::unique_ptr<MemEnv> base_;
  std::unique_ptr<CommitEnv> env_;
};

TEST_F(CommitEnvTest, WrittenFileReachesBaseOnlyAtCloseWithExactContents) {
  const std::string path = Path("000007.wal");
  const std::string part1 = "hello ";
  const std::string part2("bin\0ary\xff", 8);
  const uint64_t created_before = base_->FilesCreated();

  std::unique_ptr<WritableFile> file;
  ASSERT_TRUE(env_->NewWritableFile(path, &file).ok());
  ASSERT_TRUE(file->Append(part1).ok());
  ASSERT_TRUE(file->Flush().ok());
  ASSERT_TRUE(file->Append(part2).ok());
  ASSERT_TRUE(file->Sync().ok());
  ASSERT_TRUE(file->Append("").ok());

  // Nothing of the file exists anywhere before Close.
  EXPECT_FALSE(base_->FileExists(path));
  EXPECT_FALSE(env_->FileExists(path));
  std::vector<std::string> children;
  ASSERT_TRUE(base_->GetChildren(kDir, &children).ok());
  EXPECT_TRUE(children.empty());
  EXPECT_EQ(created_before, base_->FilesCreated());
  EXPECT_TRUE(env_->TakeChanges().empty()) << "an open file is not a change yet";

  ASSERT_TRUE(file->Close().ok());
  ASSERT_TRUE(base_->FileExists(path));
  EXPECT_EQ(part1 + part2, ReadBase(path));
  uint64_t size = 0;
  ASSERT_TRUE(env_->GetFileSize(path, &size).ok());
  EXPECT_EQ(part1.size() + part2.size(), size);
  EXPECT_EQ(created_before + 1, base_->FilesCreated());

  // The pass-through reads see the same bytes.
  std::string via_commit_env;
  ASSERT_TRUE(ReadFileToString(env_.get(), path, &via_commit_env).ok());
  EXPECT_EQ(part1 + part2, via_commit_env);
}

TEST_F(CommitEnvTest, FlushAndSyncDoNotReachTheBaseEnv) {
  // The commit makes files durable; the buffered file must not sync early.
  const uint64_t syncs_before = base_->SyncCount();
  std::unique_ptr<WritableFile> file;
  ASSERT_TRUE(env_->NewWritableFile(Path("a"), &file).ok());
  ASSERT_TRUE(file->Append("x").ok());
  ASSERT_TRUE(file->Sync().ok());
  ASSERT_TRUE(file->Flush().ok());
  EXPECT_FALSE(base_->FileExists(Path("a")));
  ASSERT_TRUE(file->Close().ok());
  EXPECT_EQ(syncs_before, base_->SyncCount());
  EXPECT_TRUE(env_->SyncDir(kDir).ok());
}

TEST_F(CommitEnvTest, RewritingAPathReplacesItsContentsAtClose) {
  ASSERT_TRUE(WriteStringToFile(base_.get(), "old and longer contents", Path("CURRENT"), false).ok());
  std::unique_ptr<WritableFile> file;
  ASSERT_TRUE(env_->NewWritableFile(Path("CURRENT"), &file).ok());
  ASSERT_TRUE(file->Append("new").ok());
  EXPECT_EQ("old and longer contents", ReadBase(Path("CURRENT"))) << "replaced before Close";
  ASSERT_TRUE(file->Close().ok());
  EXPECT_EQ("new", ReadBase(Path("CURRENT")));
}

TEST_F(CommitEnvTest, TakeChangesListsEveryChangedPathSortedOnce) {
  EXPECT_TRUE(env_->TakeChanges().empty());

  // A file removed through the CommitEnv (it was created behind its back,
  // so only the removal is a change).
  ASSERT_TRUE(WriteStringToFile(base_.get(), "gone", Path("a_removed"), false).ok());
  ASSERT_TRUE(env_->RemoveFile(Path("a_removed")).ok());
  EXPECT_FALSE(base_->FileExists(Path("a_removed")));

  // A file closed after writing, closed twice.
  std::unique_ptr<WritableFile> twice;
  ASSERT_TRUE(env_->NewWritableFile(Path("b_closed"), &twice).ok());
  ASSERT_TRUE(twice->Append("b").ok());
  ASSERT_TRUE(twice->Close().ok());
  ASSERT_TRUE(twice->Close().ok());

  // A file written, then renamed: its closing, both rename sides.
  WriteThrough(Path("d_from"), "d");
  ASSERT_TRUE(env_->RenameFile(Path("d_from"), Path("c_to")).ok());
  EXPECT_EQ("d", ReadBase(Path("c_to")));

  // A file still open is not listed.
  std::unique_ptr<WritableFile> open_file;
  ASSERT_TRUE(env_->NewWritableFile(Path("e_open"), &open_file).ok());
  ASSERT_TRUE(open_file->Append("e").ok());

  EXPECT_EQ((Paths{Path("a_removed"), Path("b_closed"), Path("c_to"), Path("d_from")}), env_->TakeChanges());
  EXPECT_TRUE(env_->TakeChanges().empty()) << "TakeChanges clears the record";

  // Later changes start a new record.
  ASSERT_TRUE(open_file->Close().ok());
  EXPECT_EQ((Paths{Path("e_open")}), env_->TakeChanges());
  EXPECT_TRUE(env_->TakeChanges().empty());
}

TEST_F(CommitEnvTest, RenameOverAnExistingFileRecordsBothSides) {
  WriteThrough(Path("CURRENT"), "MANIFEST-000001\n");
  WriteThrough(Path("CURRENT.tmp"), "MANIFEST-000002\n");
  ASSERT_EQ((Paths{Path("CURRENT"), Path("CURRENT.tmp")}), env_->TakeChanges());

  ASSERT_TRUE(env_->RenameFile(Path("CURRENT.tmp"), Path("CURRENT")).ok());
  EXPECT_EQ((Paths{Path("CURRENT"), Path("CURRENT.tmp")}), env_->TakeChanges());
  EXPECT_EQ("MANIFEST-000002\n", ReadBase(Path("CURRENT")));
  EXPECT_FALSE(base_->FileExists(Path("CURRENT.tmp")));
}

TEST_F(CommitEnvTest, AppendFlushSyncAfterCloseAreIOErrors) {
  std::unique_ptr<WritableFile> file;
  ASSERT_TRUE(env_->NewWritableFile(Path("f"), &file).ok());
  ASSERT_TRUE(file->Append("data").ok());
  ASSERT_TRUE(file->Close().ok());

  Status append = file->Append("more");
  Status flush = file->Flush();
  Status sync = file->Sync();
  EXPECT_TRUE(append.IsIOError()) << append.ToString();
  EXPECT_TRUE(flush.IsIOError()) << flush.ToString();
  EXPECT_TRUE(sync.IsIOError()) << sync.ToString();
  EXPECT_NE(std::string::npos, append.message().find(Path("f"))) << "the message names the file";

  // Close again is a no-op: the file and the record are unchanged.
  EXPECT_TRUE(file->Close().ok());
  EXPECT_EQ("data", ReadBase(Path("f")));
  EXPECT_EQ((Paths{Path("f")}), env_->TakeChanges());
  file.reset();
  EXPECT_TRUE(env_->TakeChanges().empty()) << "destroying a closed file records nothing";
  EXPECT_EQ("data", ReadBase(Path("f")));
}

TEST_F(CommitEnvTest, DestroyingAnUnclosedFileClosesIt) {
  {
    std::unique_ptr<WritableFile> file;
    ASSERT_TRUE(env_->NewWritableFile(Path("unclosed"), &file).ok());
    ASSERT_TRUE(file->Append("kept").ok());
    EXPECT_FALSE(base_->FileExists(Path("unclosed")));
  }
  ASSERT_TRUE(base_->FileExists(Path("unclosed")));
  EXPECT_EQ("kept", ReadBase(Path("unclosed")));
  EXPECT_EQ((Paths{Path("unclosed")}), env_->TakeChanges());
}

TEST_F(CommitEnvTest, EmptyFileIsCreatedEmptyAtClose) {
  std::unique_ptr<WritableFile> file;
  ASSERT_TRUE(env_->NewWritableFile(Path("empty"), &file).ok());
  EXPECT_FALSE(base_->FileExists(Path("empty")));
  ASSERT_TRUE(file->Close().ok());
  ASSERT_TRUE(base_->FileExists(Path("empty")));
  uint64_t size = 1;
  ASSERT_TRUE(base_->GetFileSize(Path("empty"), &size).ok());
  EXPECT_EQ(0u, size);
  EXPECT_EQ((Paths{Path("empty")}), env_->TakeChanges());
}

TEST_F(CommitEnvTest, RemovingOrRenamingAMissingFileFailsAndRecordsNothing) {
  Status remove = env_->RemoveFile(Path("missing"));
  EXPECT_FALSE(remove.ok());
  Status rename = env_->RenameFile(Path("missing"), Path("other"));
  EXPECT_FALSE(rename.ok());
  EXPECT_FALSE(base_->FileExists(Path("other")));
  EXPECT_TRUE(env_->TakeChanges().empty());
}

TEST_F(CommitEnvTest, FailedCloseLeavesNoFileInTheBase) {
  std::unique_ptr<WritableFile> file;
  ASSERT_TRUE(env_->NewWritableFile(Path("doomed"), &file).ok());
  ASSERT_TRUE(file->Append("bytes").ok());
  base_->SetWriteErrors(true);
  Status s = file->Close();
  base_->SetWriteErrors(false);
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  // Whatever TakeChanges reports, the path is complete or absent: absent.
  EXPECT_FALSE(base_->FileExists(Path("doomed")));
}

// A base Env whose files are created but refuse every Append (a file
// system that runs out of space after creating the file). Everything else
// goes to a MemEnv.
class AppendFailsEnv : public EnvWrapper {
 public:
  explicit AppendFailsEnv(Env* base) : EnvWrapper(base) {}

  Status NewWritableFile(const std::string& path, std::unique_ptr<WritableFile>* result) override {
    std::unique_ptr<WritableFile> file;
    Status s = target()->NewWritableFile(path, &file);
    if (s.ok()) *result = std::make_unique<RefusingFile>(std::move(file));
    return s;
  }

 private:
  class RefusingFile : public WritableFile {
   public:
    explicit RefusingFile(std::unique_ptr<WritableFile> file) : file_(std::move(file)) {}
    Status Append(const Slice& data) override { return Status::IOError("no space left"); }
    Status Flush() override { return file_->Flush(); }
    Status Sync() override { return file_->Sync(); }
    Status Close() override { return file_->Close(); }

   private:
    std::unique_ptr<WritableFile> file_;
  };
};

// A Close whose write fails leaves no partial file behind: every reported
// path is a complete file or absent (commit_env.h), and a second Close
// repeats the error.
TEST_F(CommitEnvTest, FailedAppendAtCloseLeavesNoPartialFileBehind) {
  AppendFailsEnv failing(base_.get());
  CommitEnv env(&failing);
  std::unique_ptr<WritableFile> file;
  ASSERT_TRUE(env.NewWritableFile(Path("partial"), &file).ok());
  ASSERT_TRUE(file->Append("contents").ok());
  Status s = file->Close();
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  EXPECT_TRUE(file->Close().IsIOError()) << "a second Close hid the error";
  EXPECT_FALSE(base_->FileExists(Path("partial")));
  const Paths changes = env.TakeChanges();
  for (const auto& path : changes) {
    if (!base_->FileExists(path)) continue;
    EXPECT_EQ("contents", ReadBase(path)) << path << " is reported but holds a partial file";
  }
}

TEST_F(CommitEnvTest, DirectoriesAndReadsPassThrough) {
  ASSERT_TRUE(env_->CreateDir(Path("sub")).ok());
  WriteThrough(Path("sub") + "/x", "xyz");
  std::vector<std::string> children;
  ASSERT_TRUE(env_->GetChildren(Path("sub"), &children).ok());
  EXPECT_EQ((Paths{"x"}), children);

  std::unique_ptr<RandomAccessFile> file;
  ASSERT_TRUE(env_->NewRandomAccessFile(Path("sub") + "/x", &file).ok());
  char scratch[8];
  Slice result;
  ASSERT_TRUE(file->Read(1, 2, &result, scratch).ok());
  EXPECT_EQ("yz", result.ToString());
}

// What the file maker was handed, and what it answers: made (with a status)
// or left to the base Env (nullopt). A plain function pointer, so the state
// is a global of this test.
struct MakerRecord {
  std::vector<std::pair<std::string, std::string>> calls;
  std::optional<Status> answer;
};
MakerRecord maker;

std::optional<Status> RecordingMaker(const std::string& path, const Slice& contents) {
  maker.calls.emplace_back(path, contents.ToString());
  return maker.answer;
}

TEST_F(CommitEnvTest, AFileMakerThatMakesTheFileReplacesTheBaseWriteAndTheChangeIsRecorded) {
  maker = {{}, Status::OK()};
  CommitEnv env(base_.get(), RecordingMaker);
  const uint64_t created_before = base_->FilesCreated();
  std::unique_ptr<WritableFile> file;
  ASSERT_TRUE(env.NewWritableFile(Path("000009.wal"), &file).ok());
  ASSERT_TRUE(file->Append("ab").ok());
  ASSERT_TRUE(file->Append("cd").ok());
  EXPECT_TRUE(maker.calls.empty()) << "the maker ran before Close";
  ASSERT_TRUE(file->Close().ok());
  ASSERT_EQ(1u, maker.calls.size());
  EXPECT_EQ(Path("000009.wal"), maker.calls[0].first);
  EXPECT_EQ("abcd", maker.calls[0].second);
  EXPECT_EQ(created_before, base_->FilesCreated()) << "the base Env wrote it too";
  EXPECT_EQ((Paths{Path("000009.wal")}), env.TakeChanges());

  // Its failure is the Close's answer, and still a change to commit.
  maker = {{}, Status::IOError("no room")};
  ASSERT_TRUE(env.NewWritableFile(Path("000010.wal"), &file).ok());
  ASSERT_TRUE(file->Append("x").ok());
  EXPECT_TRUE(file->Close().IsIOError());
  EXPECT_FALSE(base_->FileExists(Path("000010.wal")));
  EXPECT_EQ((Paths{Path("000010.wal")}), env.TakeChanges());
}

TEST_F(CommitEnvTest, AFileMakerThatDeclinesLeavesTheFileToTheBaseEnv) {
  maker = {{}, std::nullopt};
  CommitEnv env(base_.get(), RecordingMaker);
  std::unique_ptr<WritableFile> file;
  ASSERT_TRUE(env.NewWritableFile(Path("CURRENT"), &file).ok());
  ASSERT_TRUE(file->Append("MANIFEST-000004\n").ok());
  ASSERT_TRUE(file->Close().ok());
  EXPECT_EQ(1u, maker.calls.size());
  EXPECT_EQ("MANIFEST-000004\n", ReadBase(Path("CURRENT")));
  EXPECT_EQ((Paths{Path("CURRENT")}), env.TakeChanges());
}

TEST_F(CommitEnvTest, AddFileHasTheMakerCreateTheFileAndRecordsTheChange) {
  CommitEnv env(base_.get());
  std::string made_path;
  ASSERT_TRUE(env.AddFile(Path("000012.sst"),
                          [&](const std::string& path) {
                            made_path = path;
                            return WriteStringToFile(base_.get(), "table", path, false);
                          })
                  .ok());
  EXPECT_EQ(Path("000012.sst"), made_path);
  EXPECT_EQ("table", ReadBase(Path("000012.sst")));
  EXPECT_EQ((Paths{Path("000012.sst")}), env.TakeChanges());

  // Its failure is the call's answer, and still a change to commit.
  EXPECT_TRUE(env.AddFile(Path("000013.sst"), [](const std::string&) { return Status::IOError("no room"); })
                  .IsIOError());
  EXPECT_FALSE(base_->FileExists(Path("000013.sst")));
  EXPECT_EQ((Paths{Path("000013.sst")}), env.TakeChanges());
}

// Tables of the session (flushed, compacted) are read without verifying
// their blocks; files that were there before (loaded from IndexedDB) are
// verified as any.
TEST_F(CommitEnvTest, FilesItMadeAndStillHoldsAreMadeInProcessWhereTheBaseKeepsThemInMemory) {
  base_->SetContentsInProcessMemory(true);
  WriteThrough(Path("000001.sst"), "written");
  ASSERT_TRUE(WriteStringToFile(base_.get(), "loaded", Path("000002.sst"), true).ok());
  ASSERT_TRUE(env_->AddFile(Path("000003.sst"),
                            [&](const std::string& path) {
                              return WriteStringToFile(base_.get(), "added", path, false);
                            })
                  .ok());
  EXPECT_TRUE(MadeInProcess(Path("000001.sst")));
  EXPECT_FALSE(MadeInProcess(Path("000002.sst")));
  EXPECT_TRUE(MadeInProcess(Path("000003.sst")));

  // A rename takes it along; a file renamed over one it made is not its own.
  ASSERT_TRUE(env_->RenameFile(Path("000001.sst"), Path("000004.sst")).ok());
  EXPECT_TRUE(MadeInProcess(Path("000004.sst")));
  ASSERT_TRUE(env_->RenameFile(Path("000002.sst"), Path("000003.sst")).ok());
  EXPECT_FALSE(MadeInProcess(Path("000003.sst")));

  // Removed, then put there by someone else: not its own.
  ASSERT_TRUE(env_->RemoveFile(Path("000004.sst")).ok());
  ASSERT_TRUE(WriteStringToFile(base_.get(), "loaded again", Path("000004.sst"), true).ok());
  EXPECT_FALSE(MadeInProcess(Path("000004.sst")));

  // A failed add leaves nothing of its own at the path: neither a file it
  // removed and someone put back, nor one the failure left where it was.
  WriteThrough(Path("000005.sst"), "written");
  ASSERT_TRUE(env_->AddFile(Path("000005.sst"),
                            [&](const std::string& path) {
                              base_->RemoveFile(path).IgnoreError();
                              return Status::IOError("no room");
                            })
                  .IsIOError());
  ASSERT_TRUE(WriteStringToFile(base_.get(), "loaded", Path("000005.sst"), true).ok());
  EXPECT_FALSE(MadeInProcess(Path("000005.sst")));
  WriteThrough(Path("000006.sst"), "written");
  ASSERT_TRUE(env_->AddFile(Path("000006.sst"),
                            [](const std::string&) { return Status::IOError("the name is taken"); })
                  .IsIOError());
  EXPECT_FALSE(MadeInProcess(Path("000006.sst")));

  // A made file renamed over another made one: made.
  WriteThrough(Path("000007.sst"), "written");
  WriteThrough(Path("000008.sst"), "written");
  ASSERT_TRUE(env_->RenameFile(Path("000007.sst"), Path("000008.sst")).ok());
  EXPECT_TRUE(MadeInProcess(Path("000008.sst")));

  // After a load into the base (an open), none counts as made.
  env_->ForgetMadeFiles();
  EXPECT_FALSE(MadeInProcess(Path("000008.sst")));
  WriteThrough(Path("000009.sst"), "written");
  EXPECT_TRUE(MadeInProcess(Path("000009.sst")));
}

TEST_F(CommitEnvTest, NoFileIsMadeInProcessWhereTheBaseReadsItFromStorage) {
  WriteThrough(Path("000001.sst"), "written");
  EXPECT_FALSE(MadeInProcess(Path("000001.sst")));
}

}  // namespace
}  // namespace strata
