#include "db/event_info.h"

namespace strata {

const char* FlushReasonName(FlushReason reason) {
  switch (reason) {
    case FlushReason::kMemtableFull: return "memtable-full";
    case FlushReason::kWalSegments: return "wal-segments";
    case FlushReason::kManual: return "manual";
    case FlushReason::kRecovery: return "recovery";
  }
  return "unknown";
}

const char* CompactionReasonName(CompactionReason reason) {
  switch (reason) {
    case CompactionReason::kLevelScore: return "score";
    case CompactionReason::kManual: return "manual";
    case CompactionReason::kSeeks: return "seeks";
  }
  return "unknown";
}

const char* WriteStallCauseName(WriteStallCause cause) {
  switch (cause) {
    case WriteStallCause::kL0Slowdown: return "l0-slowdown";
    case WriteStallCause::kL0Stop: return "l0-stop";
    case WriteStallCause::kMemtableFlushing: return "memtable-flushing";
  }
  return "unknown";
}

TableInfo TableInfoOf(const FileMetaData& file, int level) {
  TableInfo t;
  t.number = file.number;
  t.level = level;
  t.size = file.file_size;
  t.smallest_key = file.smallest.user_key().ToString();
  t.largest_key = file.largest.user_key().ToString();
  t.entries = file.entries;
  t.tombstones = file.tombstones;
  t.smallest_seq = file.smallest_seq;
  t.largest_seq = file.largest_seq;
  return t;
}

CompactionInfo CompactionInfoOf(const CompactionPlan& plan, uint64_t job_id) {
  CompactionInfo info;
  info.job_id = job_id;
  info.reason = plan.reason;
  info.score = plan.score;
  info.level = plan.level;
  info.output_level = plan.output_level();
  for (int which = 0; which < 2; which++) {
    for (const auto& f : plan.inputs[which]) info.inputs.push_back(TableInfoOf(*f, plan.level + which));
  }
  return info;
}

}  // namespace strata
