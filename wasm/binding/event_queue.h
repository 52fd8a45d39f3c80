// EventQueue: the engine's events (strata/listener.h), queued as JSON for
// the TypeScript package, which drains them after each call into the engine
// and each step of background work. One JSON object per line:
//
//   {"type":"flush","phase":"started"|"finished","job":N,"reason":"memtable-full",
//    "memtableBytes":N,"memtableEntries":N[,"output":TABLE|null,"micros":N,"error":ERROR|null]}
//   {"type":"compaction","phase":"started"|"finished","job":N,"reason":"score"|"manual"|"seeks",
//    "score":X,"level":N,"outputLevel":N,"trivialMove":B,"inputs":[TABLE...]
//    [,"outputs":[TABLE...],"bytesRead":N,"bytesWritten":N,"entriesRead":N,
//     "entriesWritten":N,"micros":N,"runner":S,"error":ERROR|null]}
//   {"type":"table-created","job":N,"byCompaction":B,"table":TABLE}
//   {"type":"table-deleted","number":N}
//   {"type":"wal-segment-closed","number":N,"bytes":N,"records":N}
//   {"type":"write-stall","stalled":B,"cause":"l0-slowdown"|"l0-stop"|"memtable-flushing","l0Files":N}
//   {"type":"background-error","error":ERROR}
//
//   TABLE := {"number":N,"size":N,"smallestKeyHex":S,"largestKeyHex":S,"entries":N,
//             "tombstones":N,"smallestSeq":N,"largestSeq":N,"level":N}   (table_json.h)
//   ERROR := {"code":N,"message":S}   (code: status.h's number)
//
// A compaction the binding ran in another instance (deferred) reports the
// runner name given to the binding instead of the executor's own word.
#pragma once

#include <mutex>
#include <string>

#include "strata/listener.h"

namespace strata {

class EventQueue final : public EventListener {
 public:
  // external_runner: the name reported for jobs run outside this instance.
  explicit EventQueue(std::string external_runner) : external_runner_(std::move(external_runner)) {}

  bool HasEvents();
  // The queued lines, each ending in '\n'; empties the queue.
  std::string Take();

  void OnFlushBegin(const FlushInfo& info) override;
  void OnFlushEnd(const FlushInfo& info) override;
  void OnCompactionBegin(const CompactionInfo& info) override;
  void OnCompactionEnd(const CompactionInfo& info) override;
  void OnTableCreated(const TableCreatedInfo& info) override;
  void OnTableDeleted(uint64_t number) override;
  void OnWalSegmentClosed(const WalSegmentInfo& info) override;
  void OnWriteStall(const WriteStallInfo& info) override;
  void OnBackgroundError(const Status& error) override;

 private:
  void Push(const std::string& line);

  const std::string external_runner_;
  std::mutex mu_;
  std::string lines_;
};

}  // namespace strata
