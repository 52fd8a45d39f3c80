// The native default CompactionExecutor: runs each job on a thread of its
// own, so that memtable flushes (on the DB's background thread) go on while
// a long compaction merges and compresses.
#pragma once

#include <memory>

#include "strata/compaction.h"

namespace strata {

std::shared_ptr<CompactionExecutor> NewThreadCompactionExecutor();

}  // namespace strata
