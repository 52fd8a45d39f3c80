// The Env contract, checked against the POSIX Env (in a temporary
// directory) and the MemEnv; then what only the MemEnv does.
#include "strata/env.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "strata/mem_env.h"

namespace strata {
namespace {

enum class EnvKind { kPosix, kMem };

std::vector<std::string> Sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

class EnvContractTest : public testing::TestWithParam<EnvKind> {
 protected:
  void SetUp() override {
    if (GetParam() == EnvKind::kPosix) {
      env_ = Env::Default();
      std::string templ = testing::TempDir() + "strata_env_test_XXXXXX";
      ASSERT_NE(nullptr, mkdtemp(templ.data()));
      dir_ = templ;
    } else {
      mem_env_ = NewMemEnv(Env::Default());
      env_ = mem_env_.get();
      dir_ = "/envtest";
      ASSERT_TRUE(env_->CreateDir(dir_).ok());
    }
  }

  void TearDown() override {
    if (GetParam() == EnvKind::kPosix && !dir_.empty()) {
      RemoveTree(dir_);
      RemoveTree(dir_ + "x");
    }
  }

  void RemoveTree(const std::string& dir) {
    std::vector<std::string> children;
    if (env_->GetChildren(dir, &children).ok()) {
      for (const auto& c : children) {
        const std::string path = dir + "/" + c;
        if (!env_->RemoveFile(path).ok()) RemoveTree(path);
      }
    }
    env_->RemoveDir(dir).IgnoreError();
  }

  std::string Path(const std::string& name) const { return dir_ + "/" + name; }

  void Write(const std::string& name, const std::string& data) {
    ASSERT_TRUE(WriteStringToFile(env_, data, Path(name), false).ok());
  }

  std::string Read(const std::string& name) {
    std::string data;
    Status s = ReadFileToString(env_, Path(name), &data);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return data;
  }

  Env* env_ = nullptr;
  std::unique_ptr<MemEnv> mem_env_;
  std::string dir_;
};

TEST_P(EnvContractTest, WrittenFileReadsBack) {
  std::string data;
  for (int i = 0; i < 1000; i++) data += "line " + std::to_string(i) + "\n";
  ASSERT_TRUE(WriteStringToFile(env_, data, Path("f"), true).ok());
  EXPECT_EQ(data, Read("f"));
}

TEST_P(EnvContractTest, ManyAppendsSmallAndLargeReadBackInOrder) {
  std::unique_ptr<WritableFile> f;
  ASSERT_TRUE(env_->NewWritableFile(Path("f"), &f).ok());
  std::string expected;
  for (int i = 0; i < 2000; i++) {
    std::string piece(static_cast<size_t>(i % 37), static_cast<char>('a' + i % 26));
    if (i % 500 == 0) piece = std::string(100 * 1024, static_cast<char>('A' + i % 26));  // > any buffer
    ASSERT_TRUE(f->Append(piece).ok());
    expected += piece;
  }
  ASSERT_TRUE(f->Close().ok());
  EXPECT_EQ(expected, Read("f"));
  uint64_t size = 0;
  ASSERT_TRUE(env_->GetFileSize(Path("f"), &size).ok());
  EXPECT_EQ(expected.size(), size);
}

TEST_P(EnvContractTest, FlushedBytesAreVisibleToReaders) {
  std::unique_ptr<WritableFile> f;
  ASSERT_TRUE(env_->NewWritableFile(Path("f"), &f).ok());
  ASSERT_TRUE(f->Append("hello").ok());
  ASSERT_TRUE(f->Flush().ok());
  EXPECT_EQ("hello", Read("f"));
  ASSERT_TRUE(f->Append(" world").ok());
  ASSERT_TRUE(f->Sync().ok());
  EXPECT_EQ("hello world", Read("f"));
  ASSERT_TRUE(f->Close().ok());
}

TEST_P(EnvContractTest, SequentialReadsAreShortAtEndOfFile) {
  Write("f", "hello world");
  std::unique_ptr<SequentialFile> f;
  ASSERT_TRUE(env_->NewSequentialFile(Path("f"), &f).ok());
  char scratch[100];
  Slice result;
  ASSERT_TRUE(f->Read(5, &result, scratch).ok());
  EXPECT_EQ("hello", result.ToString());
  ASSERT_TRUE(f->Skip(1).ok());
  ASSERT_TRUE(f->Read(100, &result, scratch).ok());
  EXPECT_EQ("world", result.ToString());
  ASSERT_TRUE(f->Read(100, &result, scratch).ok());
  EXPECT_TRUE(result.empty());
}

// The POSIX Env maps the file: its reads point into the mapping, whose
// bytes stay in memory while the file is open, and the file says so.
TEST_P(EnvContractTest, RandomAccessReadsAtAnyOffset) {
  Write("f", "hello world");
  std::unique_ptr<RandomAccessFile> f;
  ASSERT_TRUE(env_->NewRandomAccessFile(Path("f"), &f).ok());
  char scratch[100];
  Slice result;
  ASSERT_TRUE(f->Read(6, 5, &result, scratch).ok());
  EXPECT_EQ("world", result.ToString());
  const bool mapped = result.data() < scratch || result.data() >= scratch + sizeof(scratch);
  EXPECT_EQ(GetParam() == EnvKind::kPosix, mapped);
  EXPECT_EQ(mapped, f->ContentsInProcessMemory());
  ASSERT_TRUE(f->Read(0, 5, &result, scratch).ok());
  EXPECT_EQ("hello", result.ToString());
  ASSERT_TRUE(f->Read(8, 10, &result, scratch).ok());
  EXPECT_EQ("rld", result.ToString());
  ASSERT_TRUE(f->Read(11, 10, &result, scratch).ok());
  EXPECT_TRUE(result.empty());
  ASSERT_TRUE(f->Read(1000, 10, &result, scratch).ok());
  EXPECT_TRUE(result.empty());
}

TEST_P(EnvContractTest, NewWritableFileTruncatesAnExistingFile) {
  Write("f", "a long first version");
  Write("f", "short");
  EXPECT_EQ("short", Read("f"));
}

TEST_P(EnvContractTest, GetFileSizeCountsEveryByte) {
  Write("empty", "");
  Write("f", std::string(12345, 'x'));
  uint64_t size = 99;
  ASSERT_TRUE(env_->GetFileSize(Path("empty"), &size).ok());
  EXPECT_EQ(0u, size);
  ASSERT_TRUE(env_->GetFileSize(Path("f"), &size).ok());
  EXPECT_EQ(12345u, size);
}

TEST_P(EnvContractTest, FileExistsFollowsCreateAndRemove) {
  EXPECT_FALSE(env_->FileExists(Path("f")));
  Write("f", "x");
  EXPECT_TRUE(env_->FileExists(Path("f")));
  ASSERT_TRUE(env_->RemoveFile(Path("f")).ok());
  EXPECT_FALSE(env_->FileExists(Path("f")));
}

TEST_P(EnvContractTest, MissingFileIsNotFound) {
  std::unique_ptr<SequentialFile> seq;
  std::unique_ptr<RandomAccessFile> ra;
  uint64_t size;
  EXPECT_TRUE(env_->NewSequentialFile(Path("missing"), &seq).IsNotFound());
  EXPECT_TRUE(env_->NewRandomAccessFile(Path("missing"), &ra).IsNotFound());
  EXPECT_TRUE(env_->GetFileSize(Path("missing"), &size).IsNotFound());
  EXPECT_TRUE(env_->RemoveFile(Path("missing")).IsNotFound());
  std::string data;
  EXPECT_TRUE(ReadFileToString(env_, Path("missing"), &data).IsNotFound());
}

TEST_P(EnvContractTest, NewWritableFileInMissingDirectoryFails) {
  std::unique_ptr<WritableFile> f;
  EXPECT_FALSE(env_->NewWritableFile(Path("nodir/f"), &f).ok());
  EXPECT_FALSE(WriteStringToFile(env_, "x", Path("nodir/g"), false).ok());
}

TEST_P(EnvContractTest, RenameReplacesTheTarget) {
  Write("from", "new contents");
  Write("to", "old contents");
  ASSERT_TRUE(env_->RenameFile(Path("from"), Path("to")).ok());
  EXPECT_FALSE(env_->FileExists(Path("from")));
  EXPECT_EQ("new contents", Read("to"));
}

TEST_P(EnvContractTest, RenameToANewName) {
  Write("from", "data");
  ASSERT_TRUE(env_->RenameFile(Path("from"), Path("to")).ok());
  EXPECT_FALSE(env_->FileExists(Path("from")));
  EXPECT_EQ("data", Read("to"));
}

TEST_P(EnvContractTest, RenameOfMissingFileIsNotFound) {
  EXPECT_TRUE(env_->RenameFile(Path("missing"), Path("to")).IsNotFound());
  EXPECT_FALSE(env_->FileExists(Path("to")));
}

TEST_P(EnvContractTest, RenameOntoItselfKeepsTheFile) {
  Write("f", "data");
  ASSERT_TRUE(env_->RenameFile(Path("f"), Path("f")).ok());
  ASSERT_TRUE(env_->FileExists(Path("f")));
  EXPECT_EQ("data", Read("f"));
}

TEST_P(EnvContractTest, RenameIntoMissingDirectoryFails) {
  Write("f", "data");
  EXPECT_FALSE(env_->RenameFile(Path("f"), Path("nodir/f")).ok());
  EXPECT_EQ("data", Read("f"));
}

TEST_P(EnvContractTest, RemoveDirOfNonEmptyDirectoryFails) {
  ASSERT_TRUE(env_->CreateDir(Path("d")).ok());
  Write("d/f", "data");
  EXPECT_FALSE(env_->RemoveDir(Path("d")).ok());
  EXPECT_EQ("data", Read("d/f"));
}

TEST_P(EnvContractTest, GetChildrenListsFileNames) {
  Write("a", "1");
  Write("b", "2");
  Write("000001.sst", "3");
  std::vector<std::string> children = {"stale"};
  ASSERT_TRUE(env_->GetChildren(dir_, &children).ok());
  EXPECT_EQ(Sorted({"000001.sst", "a", "b"}), Sorted(children));
}

TEST_P(EnvContractTest, GetChildrenListsOnlyDirectChildren) {
  Write("top", "1");
  ASSERT_TRUE(env_->CreateDir(Path("sub")).ok());
  Write("sub/inner", "2");
  ASSERT_TRUE(env_->CreateDir(dir_ + "x").ok());  // a sibling whose name extends dir_
  ASSERT_TRUE(WriteStringToFile(env_, "3", dir_ + "x/cousin", false).ok());

  std::vector<std::string> children;
  ASSERT_TRUE(env_->GetChildren(dir_, &children).ok());
  EXPECT_NE(children.end(), std::find(children.begin(), children.end(), "top"));
  for (const auto& c : children) {
    EXPECT_EQ(std::string::npos, c.find('/')) << c;
    EXPECT_NE("inner", c);
    EXPECT_NE("cousin", c);
    EXPECT_NE("x", c);
  }
  ASSERT_TRUE(env_->GetChildren(Path("sub"), &children).ok());
  EXPECT_EQ(std::vector<std::string>{"inner"}, children);

  ASSERT_TRUE(env_->RemoveFile(dir_ + "x/cousin").ok());
  ASSERT_TRUE(env_->RemoveDir(dir_ + "x").ok());
}

TEST_P(EnvContractTest, GetChildrenOfMissingDirectoryIsNotFound) {
  std::vector<std::string> children;
  EXPECT_TRUE(env_->GetChildren(Path("nodir"), &children).IsNotFound());
}

TEST_P(EnvContractTest, CreateDirOfExistingDirectoryIsOk) {
  ASSERT_TRUE(env_->CreateDir(Path("d")).ok());
  EXPECT_TRUE(env_->CreateDir(Path("d")).ok());
  EXPECT_TRUE(env_->FileExists(Path("d")));
  ASSERT_TRUE(env_->RemoveDir(Path("d")).ok());
  EXPECT_FALSE(env_->FileExists(Path("d")));
}

TEST_P(EnvContractTest, RemovedFileStaysReadableThroughOpenHandles) {
  Write("f", "still here");
  std::unique_ptr<RandomAccessFile> f;
  ASSERT_TRUE(env_->NewRandomAccessFile(Path("f"), &f).ok());
  ASSERT_TRUE(env_->RemoveFile(Path("f")).ok());
  char scratch[20];
  Slice result;
  ASSERT_TRUE(f->Read(0, 20, &result, scratch).ok());
  EXPECT_EQ("still here", result.ToString());
}

// A file appended to after a sync keeps every byte. Natively that is how the
// WAL works; the MemEnv answers as the browser build's Env by default.
TEST_P(EnvContractTest, AFileGoesOnAfterASync) {
  EXPECT_EQ(GetParam() == EnvKind::kPosix, env_->SyncedAppendsAreCheap());
  std::unique_ptr<WritableFile> f;
  ASSERT_TRUE(env_->NewWritableFile(Path("f"), &f).ok());
  ASSERT_TRUE(f->Append("synced ").ok());
  ASSERT_TRUE(f->Sync().ok());
  ASSERT_TRUE(f->Append("and more").ok());
  ASSERT_TRUE(f->Sync().ok());
  ASSERT_TRUE(f->Close().ok());
  std::string data;
  ASSERT_TRUE(ReadFileToString(env_, Path("f"), &data).ok());
  EXPECT_EQ("synced and more", data);
}

TEST_P(EnvContractTest, SyncDirOfExistingDirectoryIsOk) {
  EXPECT_TRUE(env_->SyncDir(dir_).ok());
}

TEST_P(EnvContractTest, SecondLockOfSameFileIsBusy) {
  void* lock = nullptr;
  ASSERT_TRUE(env_->LockFile(Path("LOCK"), &lock).ok());
  ASSERT_NE(nullptr, lock);
  void* second = nullptr;
  EXPECT_TRUE(env_->LockFile(Path("LOCK"), &second).IsBusy());
  ASSERT_TRUE(env_->UnlockFile(lock).ok());
}

TEST_P(EnvContractTest, UnlockedFileCanBeLockedAgain) {
  void* lock = nullptr;
  ASSERT_TRUE(env_->LockFile(Path("LOCK"), &lock).ok());
  ASSERT_TRUE(env_->UnlockFile(lock).ok());
  void* again = nullptr;
  ASSERT_TRUE(env_->LockFile(Path("LOCK"), &again).ok());
  ASSERT_TRUE(env_->UnlockFile(again).ok());
}

TEST_P(EnvContractTest, LocksOnDifferentFilesAreIndependent) {
  void* a = nullptr;
  void* b = nullptr;
  ASSERT_TRUE(env_->LockFile(Path("LOCK1"), &a).ok());
  ASSERT_TRUE(env_->LockFile(Path("LOCK2"), &b).ok());
  ASSERT_TRUE(env_->UnlockFile(a).ok());
  ASSERT_TRUE(env_->UnlockFile(b).ok());
}

TEST_P(EnvContractTest, ClockMovesForwardAcrossSleep) {
  uint64_t before = env_->NowMicros();
  env_->SleepMicros(2000);
  uint64_t after = env_->NowMicros();
  EXPECT_GE(after, before + 2000);
}

INSTANTIATE_TEST_SUITE_P(Envs, EnvContractTest, testing::Values(EnvKind::kPosix, EnvKind::kMem),
                         [](const testing::TestParamInfo<EnvKind>& info) {
                           return info.param == EnvKind::kPosix ? "Posix" : "Mem";
                         });

// What only the in-memory Env does.
class MemEnvTest : public testing::Test {
 protected:
  MemEnvTest() : env_(NewMemEnv(Env::Default())) { EXPECT_TRUE(env_->CreateDir("/db").ok()); }

  std::string Contents(const std::string& path) {
    std::string data;
    EXPECT_TRUE(ReadFileToString(env_.get(), path, &data).ok());
    return data;
  }

  std::unique_ptr<MemEnv> env_;
};

TEST_F(MemEnvTest, CrashForgetsUnsyncedBytesButKeepsSyncedPrefix) {
  std::unique_ptr<WritableFile> f;
  ASSERT_TRUE(env_->NewWritableFile("/db/f", &f).ok());
  ASSERT_TRUE(env_->SyncDir("/db").ok());
  ASSERT_TRUE(f->Append("synced").ok());
  ASSERT_TRUE(f->Sync().ok());
  ASSERT_TRUE(f->Append("-lost").ok());
  ASSERT_TRUE(f->Close().ok());
  f.reset();
  EXPECT_EQ("synced-lost", Contents("/db/f"));
  env_->SimulateCrash();
  EXPECT_EQ("synced", Contents("/db/f"));
}

TEST_F(MemEnvTest, CrashEmptiesFilesNeverSynced) {
  ASSERT_TRUE(WriteStringToFile(env_.get(), "data", "/db/unsynced", false).ok());
  ASSERT_TRUE(WriteStringToFile(env_.get(), "data", "/db/synced", true).ok());
  ASSERT_TRUE(env_->SyncDir("/db").ok());
  env_->SimulateCrash();
  uint64_t size = 99;
  ASSERT_TRUE(env_->GetFileSize("/db/unsynced", &size).ok());
  EXPECT_EQ(0u, size);
  EXPECT_EQ("data", Contents("/db/synced"));
}

TEST_F(MemEnvTest, CrashForgetsFilesCreatedSinceTheDirectoryWasSynced) {
  ASSERT_TRUE(WriteStringToFile(env_.get(), "old", "/db/old", true).ok());
  ASSERT_TRUE(env_->SyncDir("/db").ok());
  // Synced file, unsynced directory entry: a crash may lose the entry.
  ASSERT_TRUE(WriteStringToFile(env_.get(), "new", "/db/new", true).ok());
  env_->SimulateCrash();
  EXPECT_FALSE(env_->FileExists("/db/new"));
  EXPECT_EQ("old", Contents("/db/old"));
}

TEST_F(MemEnvTest, CrashUndoesRenamesAndRemovalsSinceTheDirectoryWasSynced) {
  ASSERT_TRUE(WriteStringToFile(env_.get(), "moved", "/db/a", true).ok());
  ASSERT_TRUE(WriteStringToFile(env_.get(), "gone", "/db/b", true).ok());
  ASSERT_TRUE(env_->SyncDir("/db").ok());
  ASSERT_TRUE(env_->RenameFile("/db/a", "/db/c").ok());
  ASSERT_TRUE(env_->RemoveFile("/db/b").ok());
  env_->SimulateCrash();
  EXPECT_EQ("moved", Contents("/db/a"));
  EXPECT_EQ("gone", Contents("/db/b"));
  EXPECT_FALSE(env_->FileExists("/db/c"));
}

TEST_F(MemEnvTest, CrashKeepsRenamesAndRemovalsOnceTheDirectoryIsSynced) {
  ASSERT_TRUE(WriteStringToFile(env_.get(), "moved", "/db/a", true).ok());
  ASSERT_TRUE(WriteStringToFile(env_.get(), "gone", "/db/b", true).ok());
  ASSERT_TRUE(env_->SyncDir("/db").ok());
  ASSERT_TRUE(env_->RenameFile("/db/a", "/db/c").ok());
  ASSERT_TRUE(env_->RemoveFile("/db/b").ok());
  ASSERT_TRUE(env_->SyncDir("/db").ok());
  env_->SimulateCrash();
  EXPECT_FALSE(env_->FileExists("/db/a"));
  EXPECT_FALSE(env_->FileExists("/db/b"));
  EXPECT_EQ("moved", Contents("/db/c"));
}

TEST_F(MemEnvTest, SyncingOneDirectoryKeepsNoEntryOfAnother) {
  ASSERT_TRUE(env_->CreateDir("/other").ok());
  ASSERT_TRUE(WriteStringToFile(env_.get(), "x", "/db/a", true).ok());
  ASSERT_TRUE(WriteStringToFile(env_.get(), "y", "/other/b", true).ok());
  ASSERT_TRUE(env_->SyncDir("/other").ok());
  env_->SimulateCrash();
  EXPECT_FALSE(env_->FileExists("/db/a"));
  EXPECT_EQ("y", Contents("/other/b"));
}

TEST_F(MemEnvTest, CrashReleasesLocks) {
  void* lock = nullptr;
  ASSERT_TRUE(env_->LockFile("/db/LOCK", &lock).ok());
  env_->SimulateCrash();
  void* again = nullptr;
  EXPECT_TRUE(env_->LockFile("/db/LOCK", &again).ok());
  env_->UnlockFile(again).IgnoreError();
  env_->UnlockFile(lock).IgnoreError();
}

TEST_F(MemEnvTest, WriteErrorsFailAppendSyncAndNewWritableFile) {
  std::unique_ptr<WritableFile> f;
  ASSERT_TRUE(env_->NewWritableFile("/db/f", &f).ok());
  ASSERT_TRUE(f->Append("before").ok());

  env_->SetWriteErrors(true);
  EXPECT_TRUE(f->Append("during").IsIOError());
  EXPECT_TRUE(f->Sync().IsIOError());
  std::unique_ptr<WritableFile> g;
  EXPECT_TRUE(env_->NewWritableFile("/db/g", &g).IsIOError());
  EXPECT_FALSE(env_->FileExists("/db/g"));
  EXPECT_TRUE(WriteStringToFile(env_.get(), "x", "/db/h", false).IsIOError());
  // Reads still work, and the failed append added nothing.
  EXPECT_EQ("before", Contents("/db/f"));

  env_->SetWriteErrors(false);
  EXPECT_TRUE(f->Append("after").ok());
  EXPECT_TRUE(f->Sync().ok());
  EXPECT_EQ("beforeafter", Contents("/db/f"));
  EXPECT_TRUE(env_->NewWritableFile("/db/g", &g).ok());
}

TEST_F(MemEnvTest, FailedSyncDoesNotMakeBytesDurable) {
  std::unique_ptr<WritableFile> f;
  ASSERT_TRUE(env_->NewWritableFile("/db/f", &f).ok());
  ASSERT_TRUE(f->Append("abc").ok());
  ASSERT_TRUE(env_->SyncDir("/db").ok());
  env_->SetWriteErrors(true);
  EXPECT_TRUE(f->Sync().IsIOError());
  env_->SetWriteErrors(false);
  f.reset();
  env_->SimulateCrash();
  EXPECT_EQ("", Contents("/db/f"));
}

// The crash model of a file appended to after a sync: it keeps what its
// last sync covered, earlier syncs included.
TEST_F(MemEnvTest, CrashKeepsEverySyncOfAFileStillOpen) {
  EXPECT_FALSE(env_->SyncedAppendsAreCheap());
  env_->SetSyncedAppendsAreCheap(true);
  EXPECT_TRUE(env_->SyncedAppendsAreCheap());
  std::unique_ptr<WritableFile> f;
  ASSERT_TRUE(env_->NewWritableFile("/db/f", &f).ok());
  ASSERT_TRUE(env_->SyncDir("/db").ok());
  ASSERT_TRUE(f->Append("one ").ok());
  ASSERT_TRUE(f->Sync().ok());
  ASSERT_TRUE(f->Append("two ").ok());
  ASSERT_TRUE(f->Sync().ok());
  ASSERT_TRUE(f->Append("lost").ok());
  f.reset();
  env_->SimulateCrash();
  EXPECT_EQ("one two ", Contents("/db/f"));
}

TEST_F(MemEnvTest, CountsSyncsAndCreatedFiles) {
  EXPECT_EQ(0u, env_->SyncCount());
  EXPECT_EQ(0u, env_->FilesCreated());
  ASSERT_TRUE(WriteStringToFile(env_.get(), "x", "/db/a", true).ok());
  ASSERT_TRUE(WriteStringToFile(env_.get(), "x", "/db/b", false).ok());
  EXPECT_EQ(1u, env_->SyncCount());
  EXPECT_EQ(2u, env_->FilesCreated());
}

TEST_F(MemEnvTest, FilesLiveOnlyInTheirOwnEnv) {
  ASSERT_TRUE(WriteStringToFile(env_.get(), "x", "/db/a", false).ok());
  auto other = NewMemEnv(Env::Default());
  EXPECT_FALSE(other->FileExists("/db/a"));
}

}  // namespace
}  // namespace strata
