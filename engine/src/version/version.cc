#include "version/version.h"

#include <algorithm>

#include "db/level_iterator.h"
#include "db/table_cache.h"

namespace strata {

size_t FindFile(const std::vector<FileMetaPtr>& files, const Slice& ikey) {
  size_t lo = 0, hi = files.size();
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (CompareInternalKeys(files[mid]->largest.Encode(), ikey) < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

uint64_t TotalFileSize(const std::vector<FileMetaPtr>& files) {
  uint64_t sum = 0;
  for (const auto& f : files) sum += f->file_size;
  return sum;
}

FileMetaPtr Version::FileInLevel(int level, uint64_t number) const {
  for (const auto& f : files[level]) {
    if (f->number == number) return f;
  }
  return nullptr;
}

bool Version::NamesTable(uint64_t number) const {
  for (int level = 0; level < kNumLevels; level++) {
    if (FileInLevel(level, number)) return true;
  }
  return false;
}

uint64_t Version::LevelBytes(int level) const {
  return TotalFileSize(files[level]);
}

namespace {

enum class Lookup { kNotSeen, kFound, kDeleted, kCorrupt };

// Searches one table for the newest version of key.user_key() visible at
// the lookup sequence.
Status SearchTable(const ReadOptions& options, TableCache* cache, const FileMetaData& f, const LookupKey& key,
                   std::string* value, Lookup* result) {
  *result = Lookup::kNotSeen;
  Slice user_key = key.user_key();
  Status s =
      cache->Get(options, f.number, f.file_size, key.internal_key(), [&](const Slice& ikey, const Slice& v) {
        ParsedInternalKey parsed;
        if (!ParseInternalKey(ikey, &parsed)) {
          *result = Lookup::kCorrupt;
          return;
        }
        if (parsed.user_key != user_key) return;
        if (parsed.type == kTypeValue) {
          value->assign(v.data(), v.size());
          *result = Lookup::kFound;
        } else {
          *result = Lookup::kDeleted;
        }
      });
  if (s.ok() && *result == Lookup::kCorrupt) {
    s = Status::Corruption("table " + std::to_string(f.number) + ": bad internal key");
  }
  return s;
}

bool UserKeyInRange(const Slice& user_key, const FileMetaData& f) {
  return user_key.compare(f.smallest.user_key()) >= 0 && user_key.compare(f.largest.user_key()) <= 0;
}

}  // namespace

Status Version::Get(const ReadOptions& options, const LookupKey& key, TableCache* cache, std::string* value,
                    SeekCharge* charge) const {
  Slice user_key = key.user_key();
  *charge = SeekCharge();
  const FileMetaData* first_read = nullptr;
  int first_level = -1;
  auto search = [&](const FileMetaData& f, int level, bool* done) -> Status {
    if (first_read == nullptr) {
      first_read = &f;
      first_level = level;
    } else if (charge->file == nullptr) {
      charge->file = first_read;
      charge->level = first_level;
    }
    Lookup result;
    Status s = SearchTable(options, cache, f, key, value, &result);
    if (!s.ok()) {
      *done = true;
      return s;
    }
    if (result == Lookup::kFound) {
      *done = true;
      return Status::OK();
    }
    if (result == Lookup::kDeleted) {
      *done = true;
      return Status::NotFound("key deleted");
    }
    return Status::OK();
  };

  bool done = false;
  for (const auto& f : files[0]) {
    if (!UserKeyInRange(user_key, *f)) continue;
    Status s = search(*f, 0, &done);
    if (done) return s;
  }
  for (int level = 1; level < kNumLevels; level++) {
    const auto& level_files = files[level];
    if (level_files.empty()) continue;
    size_t index = FindFile(level_files, key.internal_key());
    if (index >= level_files.size()) continue;
    const FileMetaData& f = *level_files[index];
    if (user_key.compare(f.smallest.user_key()) < 0) continue;
    Status s = search(f, level, &done);
    if (done) return s;
  }
  return Status::NotFound("key not found");
}

Version::SeekCharge Version::ReadSampleCharge(const Slice& internal_key) const {
  const Slice user_key = ExtractUserKey(internal_key);
  SeekCharge first;
  int overlapping = 0;
  auto overlaps = [&](const FileMetaData& f, int level) {
    if (overlapping++ == 0) first = {&f, level};
  };
  for (const auto& f : files[0]) {
    if (UserKeyInRange(user_key, *f)) overlaps(*f, 0);
  }
  for (int level = 1; level < kNumLevels && overlapping < 2; level++) {
    const auto& level_files = files[level];
    const size_t index = FindFile(level_files, internal_key);
    if (index < level_files.size() && user_key.compare(level_files[index]->smallest.user_key()) >= 0) {
      overlaps(*level_files[index], level);
    }
  }
  return overlapping >= 2 ? first : SeekCharge();
}

void Version::AddIterators(const ReadOptions& options, TableCache* cache,
                           std::vector<Iterator*>* iters) const {
  for (const auto& f : files[0]) iters->push_back(cache->NewIterator(options, f->number, f->file_size));
  for (int level = 1; level < kNumLevels; level++) {
    if (files[level].empty()) continue;
    iters->push_back(NewLevelIterator(files[level], [cache, options](const FileMetaData& f) {
      return cache->NewIterator(options, f.number, f.file_size);
    }));
  }
}

std::vector<FileMetaPtr> Version::GetOverlappingInputs(int level, const Slice* begin,
                                                       const Slice* end) const {
  std::string user_begin = begin ? begin->ToString() : std::string();
  std::string user_end = end ? end->ToString() : std::string();
  bool has_begin = begin != nullptr, has_end = end != nullptr;
  std::vector<FileMetaPtr> inputs;
  for (size_t i = 0; i < files[level].size();) {
    const FileMetaPtr& f = files[level][i++];
    Slice file_start = f->smallest.user_key();
    Slice file_limit = f->largest.user_key();
    if (has_end && file_start.compare(user_end) > 0) continue;
    if (has_begin && file_limit.compare(user_begin) < 0) continue;
    inputs.push_back(f);
    if (level == 0) {
      // Widen the range to this file and start over if it grew.
      if (has_begin && file_start.compare(user_begin) < 0) {
        user_begin = file_start.ToString();
        inputs.clear();
        i = 0;
      } else if (has_end && file_limit.compare(user_end) > 0) {
        user_end = file_limit.ToString();
        inputs.clear();
        i = 0;
      }
    }
  }
  return inputs;
}

}  // namespace strata
