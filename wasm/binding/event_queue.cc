#include "event_queue.h"

#include "json_writer.h"
#include "table_json.h"

namespace strata {
namespace {

void WriteTable(JsonWriter* w, const TableInfo& t) {
  w->BeginObject();
  WriteTableSummary(w, t);
  w->Key("level");
  w->Int(t.level);
  w->EndObject();
}

void WriteTables(JsonWriter* w, const char* name, const std::vector<TableInfo>& tables) {
  w->Key(name);
  w->BeginArray();
  for (const auto& t : tables) WriteTable(w, t);
  w->EndArray();
}

// "error": null, or the status's code number and message.
void WriteError(JsonWriter* w, const Status& s) {
  w->Key("error");
  if (s.ok()) {
    w->Null();
    return;
  }
  w->BeginObject();
  w->Key("code");
  w->Int(static_cast<int>(s.code()));
  w->Key("message");
  w->String(s.message());
  w->EndObject();
}

void BeginEvent(JsonWriter* w, const char* type) {
  w->BeginObject();
  w->Key("type");
  w->String(type);
}

void WriteFlush(JsonWriter* w, const FlushInfo& info, bool finished) {
  BeginEvent(w, "flush");
  w->Key("phase");
  w->String(finished ? "finished" : "started");
  w->Key("job");
  w->Unsigned(info.job_id);
  w->Key("reason");
  w->String(FlushReasonName(info.reason));
  w->Key("memtableBytes");
  w->Unsigned(info.memtable_bytes);
  w->Key("memtableEntries");
  w->Unsigned(info.memtable_entries);
  if (finished) {
    w->Key("output");
    if (info.has_output) {
      WriteTable(w, info.output);
    } else {
      w->Null();
    }
    w->Key("micros");
    w->Unsigned(info.micros);
    WriteError(w, info.status);
  }
  w->EndObject();
}

// The fields a compaction's start and end share; the object stays open.
void WriteCompaction(JsonWriter* w, const CompactionInfo& info, bool finished) {
  BeginEvent(w, "compaction");
  w->Key("phase");
  w->String(finished ? "finished" : "started");
  w->Key("job");
  w->Unsigned(info.job_id);
  w->Key("reason");
  w->String(CompactionReasonName(info.reason));
  w->Key("score");
  w->Number(info.score);
  w->Key("level");
  w->Int(info.level);
  w->Key("outputLevel");
  w->Int(info.output_level);
  w->Key("trivialMove");
  w->Bool(info.trivial_move);
  WriteTables(w, "inputs", info.inputs);
}

}  // namespace

bool EventQueue::HasEvents() {
  std::lock_guard<std::mutex> lock(mu_);
  return !lines_.empty();
}

std::string EventQueue::Take() {
  std::lock_guard<std::mutex> lock(mu_);
  std::string out;
  out.swap(lines_);
  return out;
}

void EventQueue::Push(const std::string& line) {
  std::lock_guard<std::mutex> lock(mu_);
  lines_ += line;
  lines_ += '\n';
}

void EventQueue::OnFlushBegin(const FlushInfo& info) {
  JsonWriter w;
  WriteFlush(&w, info, false);
  Push(w.out());
}

void EventQueue::OnFlushEnd(const FlushInfo& info) {
  JsonWriter w;
  WriteFlush(&w, info, true);
  Push(w.out());
}

void EventQueue::OnCompactionBegin(const CompactionInfo& info) {
  JsonWriter w;
  WriteCompaction(&w, info, false);
  w.EndObject();
  Push(w.out());
}

void EventQueue::OnCompactionEnd(const CompactionInfo& info) {
  JsonWriter w;
  WriteCompaction(&w, info, true);
  WriteTables(&w, "outputs", info.outputs);
  w.Key("bytesRead");
  w.Unsigned(info.bytes_read);
  w.Key("bytesWritten");
  w.Unsigned(info.bytes_written);
  w.Key("entriesRead");
  w.Unsigned(info.entries_read);
  w.Key("entriesWritten");
  w.Unsigned(info.entries_written);
  w.Key("micros");
  w.Unsigned(info.micros);
  // In the browser build a job runs in this instance ("inline", "here"), at
  // the runner JavaScript sent it to ("external"), or nowhere ("manifest").
  w.Key("runner");
  w.String(info.runner == "external" ? external_runner_ : info.runner == "inline" ? "here" : info.runner);
  WriteError(&w, info.status);
  w.EndObject();
  Push(w.out());
}

void EventQueue::OnTableCreated(const TableCreatedInfo& info) {
  JsonWriter w;
  BeginEvent(&w, "table-created");
  w.Key("job");
  w.Unsigned(info.job_id);
  w.Key("byCompaction");
  w.Bool(info.by_compaction);
  w.Key("table");
  WriteTable(&w, info.table);
  w.EndObject();
  Push(w.out());
}

void EventQueue::OnTableDeleted(uint64_t number) {
  JsonWriter w;
  BeginEvent(&w, "table-deleted");
  w.Key("number");
  w.Unsigned(number);
  w.EndObject();
  Push(w.out());
}

void EventQueue::OnWalSegmentClosed(const WalSegmentInfo& info) {
  JsonWriter w;
  BeginEvent(&w, "wal-segment-closed");
  w.Key("number");
  w.Unsigned(info.number);
  w.Key("bytes");
  w.Unsigned(info.bytes);
  w.Key("records");
  w.Unsigned(info.records);
  w.EndObject();
  Push(w.out());
}

void EventQueue::OnWriteStall(const WriteStallInfo& info) {
  JsonWriter w;
  BeginEvent(&w, "write-stall");
  w.Key("stalled");
  w.Bool(info.stalled);
  w.Key("cause");
  w.String(WriteStallCauseName(info.cause));
  w.Key("l0Files");
  w.Unsigned(info.l0_files);
  w.EndObject();
  Push(w.out());
}

void EventQueue::OnBackgroundError(const Status& error) {
  JsonWriter w;
  BeginEvent(&w, "background-error");
  WriteError(&w, error);
  w.EndObject();
  Push(w.out());
}

}  // namespace strata
