// Names of the files in a database directory.
//
//   NNNNNN.wal        a WAL segment (write-once; rolled at each durability point
//                     where Env::SyncedAppendsAreCheap() is false)
//   NNNNNN.sst        a table
//   MANIFEST-NNNNNN   a manifest segment (a full snapshot of the levels)
//   CURRENT           names the live manifest segment; replaced by rename
//   LOCK              held while the database is open
//   NNNNNN.tmp        a file being written, renamed into place when done
//
// Every NNNNNN comes from one counter (the manifest's next_file_number), so
// numbers never repeat within a database. A name holds at most 19 digits,
// so numbers stay below kMaxFileNumber (the manifest decoder checks).
#pragma once

#include <cstdint>
#include <string>

namespace strata {

enum class FileType { kWal, kTable, kManifest, kCurrent, kLock, kTemp };

// 10^19 - 1: the largest number a file name can hold.
constexpr uint64_t kMaxFileNumber = 9'999'999'999'999'999'999ULL;

std::string WalFileName(const std::string& dir, uint64_t number);
std::string TableFileName(const std::string& dir, uint64_t number);
std::string ManifestFileName(const std::string& dir, uint64_t number);
std::string CurrentFileName(const std::string& dir);
std::string LockFileName(const std::string& dir);
std::string TempFileName(const std::string& dir, uint64_t number);

// Parses a file name (not a path). False for names that are not ours.
bool ParseFileName(const std::string& name, uint64_t* number, FileType* type);

}  // namespace strata
