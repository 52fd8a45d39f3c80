// Database file names (engine/src/db/filename.h).
#include "db/filename.h"

#include <gtest/gtest.h>

#include <string>

namespace strata {
namespace {

// The name part of a path made by the *FileName functions.
std::string NameOf(const std::string& path) {
  return path.substr(path.rfind('/') + 1);
}

TEST(FileNameTest, NamesAreZeroPaddedToSixDigits) {
  EXPECT_EQ("db/000007.wal", WalFileName("db", 7));
  EXPECT_EQ("db/000007.sst", TableFileName("db", 7));
  EXPECT_EQ("db/000007.tmp", TempFileName("db", 7));
  EXPECT_EQ("db/MANIFEST-000007", ManifestFileName("db", 7));
  EXPECT_EQ("db/CURRENT", CurrentFileName("db"));
  EXPECT_EQ("db/LOCK", LockFileName("db"));
  EXPECT_EQ("/x/y/1234567.sst", TableFileName("/x/y", 1234567));
}

TEST(FileNameTest, EveryNumberedTypeRoundTrips) {
  struct Maker {
    std::string (*make)(const std::string&, uint64_t);
    FileType type;
  };
  const Maker makers[] = {{WalFileName, FileType::kWal},
                          {TableFileName, FileType::kTable},
                          {ManifestFileName, FileType::kManifest},
                          {TempFileName, FileType::kTemp}};
  const uint64_t numbers[] = {0, 1, 42, 999999, 1000000, 123456789012ull, 1000000000000000000ull};
  for (const auto& m : makers) {
    for (uint64_t n : numbers) {
      std::string name = NameOf(m.make("/db", n));
      uint64_t number = 12345;
      FileType type = FileType::kLock;
      ASSERT_TRUE(ParseFileName(name, &number, &type)) << name;
      EXPECT_EQ(n, number) << name;
      EXPECT_EQ(m.type, type) << name;
    }
  }
}

TEST(FileNameTest, CurrentAndLockRoundTrip) {
  uint64_t number = 99;
  FileType type = FileType::kWal;
  ASSERT_TRUE(ParseFileName(NameOf(CurrentFileName("/db")), &number, &type));
  EXPECT_EQ(FileType::kCurrent, type);
  ASSERT_TRUE(ParseFileName(NameOf(LockFileName("/db")), &number, &type));
  EXPECT_EQ(FileType::kLock, type);
}

TEST(FileNameTest, JunkNamesAreRejected) {
  const char* junk[] = {"",
                        "12x.sst",
                        ".sst",
                        "sst",
                        "x.sst",
                        "-1.sst",
                        "+1.sst",
                        " 12.sst",
                        "12 .sst",
                        "12.sst.bak",
                        "12.SST",
                        "12.log",
                        "12",
                        "12.",
                        ".wal",
                        "1a.wal",
                        ".tmp",
                        "MANIFEST-",
                        "MANIFEST",
                        "MANIFEST-12a",
                        "MANIFEST--12",
                        "MANIFEST-000001.sst",
                        "manifest-000001",
                        "CURRENTX",
                        "XCURRENT",
                        "current",
                        "LOCKX",
                        "LOCK.tmp",
                        "99999999999999999999.sst",  // 20 digits: past uint64
                        "foo"};
  for (const char* name : junk) {
    uint64_t number;
    FileType type;
    EXPECT_FALSE(ParseFileName(name, &number, &type)) << "'" << name << "'";
  }
}

}  // namespace
}  // namespace strata
