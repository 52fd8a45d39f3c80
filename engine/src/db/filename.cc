#include "db/filename.h"

#include <cstdio>

namespace strata {
namespace {

std::string Numbered(const std::string& dir, uint64_t number, const char* suffix) {
  char buf[64];
  snprintf(buf, sizeof(buf), "/%06llu%s", static_cast<unsigned long long>(number), suffix);
  return dir + buf;
}

// Parses a run of decimal digits that is the whole of s.
bool ParseNumber(const std::string& s, uint64_t* number) {
  if (s.empty() || s.size() > 19) return false;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  *number = v;
  return true;
}

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() > suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

std::string WalFileName(const std::string& dir, uint64_t number) {
  return Numbered(dir, number, ".wal");
}
std::string TableFileName(const std::string& dir, uint64_t number) {
  return Numbered(dir, number, ".sst");
}
std::string TempFileName(const std::string& dir, uint64_t number) {
  return Numbered(dir, number, ".tmp");
}
std::string ManifestFileName(const std::string& dir, uint64_t number) {
  char buf[64];
  snprintf(buf, sizeof(buf), "/MANIFEST-%06llu", static_cast<unsigned long long>(number));
  return dir + buf;
}
std::string CurrentFileName(const std::string& dir) {
  return dir + "/CURRENT";
}
std::string LockFileName(const std::string& dir) {
  return dir + "/LOCK";
}

bool ParseFileName(const std::string& name, uint64_t* number, FileType* type) {
  *number = 0;
  if (name == "CURRENT") {
    *type = FileType::kCurrent;
    return true;
  }
  if (name == "LOCK") {
    *type = FileType::kLock;
    return true;
  }
  if (name.rfind("MANIFEST-", 0) == 0) {
    *type = FileType::kManifest;
    return ParseNumber(name.substr(9), number);
  }
  static const struct {
    const char* suffix;
    FileType type;
  } kSuffixes[] = {{".wal", FileType::kWal}, {".sst", FileType::kTable}, {".tmp", FileType::kTemp}};
  for (const auto& s : kSuffixes) {
    std::string suffix = s.suffix;
    if (EndsWith(name, suffix)) {
      *type = s.type;
      return ParseNumber(name.substr(0, name.size() - suffix.size()), number);
    }
  }
  return false;
}

}  // namespace strata
