// An iterator over a sorted, non-overlapping run of tables (one level, or
// the L1+ inputs of a compaction), opening one table at a time so a scan of
// a level holds one table's blocks in memory, not the level's.
#pragma once

#include <functional>
#include <vector>

#include "strata/iterator.h"
#include "version/version_edit.h"

namespace strata {

// Opens an iterator over one table's internal keys; the caller owns it.
using TableIteratorFactory = std::function<Iterator*(const FileMetaData&)>;

// REQUIRES: files sorted by key, non-overlapping.
Iterator* NewLevelIterator(std::vector<FileMetaPtr> files, TableIteratorFactory open_table);

}  // namespace strata
