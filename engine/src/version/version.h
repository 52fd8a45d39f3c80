// Version: an immutable snapshot of which table files make up each level.
//
// Readers hold a std::shared_ptr<const Version> for as long as they read, so
// the files it names stay on disk (see VersionSet::AddLiveFiles).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "db/dbformat.h"
#include "strata/iterator.h"
#include "strata/options.h"
#include "version/version_edit.h"

namespace strata {

class TableCache;

class Version {
 public:
  // L0: newest first (largest_seq descending), ranges may overlap.
  // L1+: sorted by smallest key, ranges never overlap, and no user key
  // spans two files.
  std::vector<FileMetaPtr> files[kNumLevels];

  // The file a lookup read past (SeekCounter), if it read more than one;
  // valid while the Version is.
  struct SeekCharge {
    const FileMetaData* file = nullptr;
    int level = -1;
  };

  // Looks the key up in the tables: OK with *value, NotFound (also for a
  // deletion), or an error. When it read more than one file, *charge names
  // the first (as LevelDB's Version::Get does).
  Status Get(const ReadOptions& options, const LookupKey& key, TableCache* cache, std::string* value,
             SeekCharge* charge) const;

  // A scan read the entry with this internal key: if two or more tables
  // hold its user key's range, the charge names the first a lookup would
  // read (as LevelDB's RecordReadSample).
  SeekCharge ReadSampleCharge(const Slice& internal_key) const;

  // Appends iterators over every table (L0 one per file, L1+ one per level).
  void AddIterators(const ReadOptions& options, TableCache* cache, std::vector<Iterator*>* iters) const;

  // Files in level whose user-key range overlaps [begin, end] (nullptr:
  // unbounded). In L0 the range grows to cover every overlapping file, so
  // that no newer L0 version of a key is left behind.
  std::vector<FileMetaPtr> GetOverlappingInputs(int level, const Slice* begin, const Slice* end) const;

  // The table numbered `number` in level, or nullptr if the level has none.
  FileMetaPtr FileInLevel(int level, uint64_t number) const;
  // Whether any level holds the table numbered `number`.
  bool NamesTable(uint64_t number) const;

  uint64_t LevelBytes(int level) const;
  size_t NumFiles(int level) const { return files[level].size(); }
};

// Index of the first file in a sorted level whose largest key >= ikey
// (files.size() if none).
size_t FindFile(const std::vector<FileMetaPtr>& files, const Slice& ikey);

uint64_t TotalFileSize(const std::vector<FileMetaPtr>& files);

}  // namespace strata
