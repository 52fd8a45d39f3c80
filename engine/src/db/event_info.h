// Building the listener's event records (strata/listener.h) from the
// engine's own structures.
#pragma once

#include "compaction/compaction_picker.h"
#include "strata/listener.h"
#include "version/version_edit.h"

namespace strata {

TableInfo TableInfoOf(const FileMetaData& file, int level);
// The begin-event part of a compaction: job, reason, levels and inputs.
CompactionInfo CompactionInfoOf(const CompactionPlan& plan, uint64_t job_id);

}  // namespace strata
