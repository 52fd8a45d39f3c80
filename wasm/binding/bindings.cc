// The module's whole JS-visible surface: the Embind class `Database`, and
// the calls made per key or per scan as plain C exports (Module._strata_*), since a
// direct export call costs ~20 ns and an Embind method call ~200 ns without
// eval (-sDYNAMIC_EXECUTION=0 keeps the module usable under a strict CSP).
// The TypeScript package (wasm/src/) wraps both; database.h has the calling
// convention. The exports take Database.handle(), which only the package
// passes.
#include <emscripten/bind.h>
#include <emscripten/emscripten.h>

#include "database.h"
#include "memfs_files.h"

using strata::OpenConfig;
using strata::WasmDatabase;

extern "C" {

EMSCRIPTEN_KEEPALIVE int strata_put(WasmDatabase* db, uint32_t key_size, uint32_t value_size) {
  return db->Put(key_size, value_size);
}
EMSCRIPTEN_KEEPALIVE int strata_delete(WasmDatabase* db, uint32_t key_size) {
  return db->Delete(key_size);
}
EMSCRIPTEN_KEEPALIVE int strata_write(WasmDatabase* db, uint32_t size) {
  return db->Write(size);
}
EMSCRIPTEN_KEEPALIVE int strata_get(WasmDatabase* db, uint32_t key_size, uint32_t snapshot_id) {
  return db->Get(key_size, snapshot_id);
}
EMSCRIPTEN_KEEPALIVE int strata_get_many(WasmDatabase* db, uint32_t size, uint32_t snapshot_id,
                                         int with_values, uint32_t utf8_wanted) {
  return db->GetMany(size, snapshot_id, with_values != 0, utf8_wanted);
}
EMSCRIPTEN_KEEPALIVE uint32_t strata_new_cursor(WasmDatabase* db, int has_lower, uint32_t lower_size,
                                                int lower_inclusive, int has_upper, uint32_t upper_size,
                                                int upper_inclusive, int reverse, uint32_t snapshot_id) {
  return db->NewCursor(has_lower != 0, lower_size, lower_inclusive != 0, has_upper != 0, upper_size,
                       upper_inclusive != 0, reverse != 0, snapshot_id);
}
EMSCRIPTEN_KEEPALIVE int strata_cursor_next(WasmDatabase* db, uint32_t id, uint32_t max_entries,
                                            uint32_t max_bytes, uint32_t utf8_wanted) {
  return db->CursorNext(id, max_entries, max_bytes, utf8_wanted);
}
EMSCRIPTEN_KEEPALIVE int strata_cursor_seek(WasmDatabase* db, uint32_t id, uint32_t target_size) {
  return db->CursorSeek(id, target_size);
}
EMSCRIPTEN_KEEPALIVE int strata_close_cursor(WasmDatabase* db, uint32_t id) {
  return db->CloseCursor(id);
}
EMSCRIPTEN_KEEPALIVE int strata_has_changes(WasmDatabase* db) {
  return db->HasChanges() ? 1 : 0;
}
EMSCRIPTEN_KEEPALIVE int strata_has_pending_work(WasmDatabase* db) {
  return db->HasPendingWork() ? 1 : 0;
}
EMSCRIPTEN_KEEPALIVE int strata_has_compaction_job(WasmDatabase* db) {
  return db->HasCompactionJob() ? 1 : 0;
}
EMSCRIPTEN_KEEPALIVE int strata_has_events(WasmDatabase* db) {
  return db->HasEvents() ? 1 : 0;
}

}  // extern "C"

namespace {

// Removes a closed database's files and directory (DB::Destroy): "" when
// done, else the error, as "<code> <message>".
std::string DestroyDatabase(const std::string& dir) {
  if (dir.empty() || dir[0] != '/') return "3 directory must be an absolute path";
  const strata::Status s = strata::DB::Destroy(strata::Options(), dir);
  return s.ok() ? std::string() : std::to_string(static_cast<int>(s.code())) + " " + s.message();
}

// A compaction worker's instance: runs the envelope (bytes) against the
// input files it wrote into its file system; returns the encoded result.
emscripten::val RunCompaction(const std::string& envelope) {
  const std::string result = strata::RunEncodedCompaction(envelope, strata::Env::Default());
  return emscripten::val::global("Uint8Array")
      .new_(emscripten::typed_memory_view(result.size(), reinterpret_cast<const uint8_t*>(result.data())));
}

// Adds a compaction output, the Uint8Array a runner sent (it becomes the
// file: no copy through wasm memory, memfs_files.h), to the database.
int WriteCompactionOutput(WasmDatabase& db, const std::string& path, const emscripten::val& bytes) {
  return db.AddCompactionOutput(path, [&bytes](const std::string& file) {
    const std::optional<strata::Status> made =
        strata::AdoptAsNewMemfsFile(file, reinterpret_cast<uintptr_t>(bytes.as_handle()));
    return made.value_or(strata::Status::IOError(file + ": not a new file in a MEMFS directory"));
  });
}

}  // namespace

EMSCRIPTEN_BINDINGS(strata) {
  emscripten::function("runCompaction", &RunCompaction);
  emscripten::function("destroyDatabase", &DestroyDatabase);
  emscripten::function("limits", &strata::LimitsJson);

  emscripten::value_object<OpenConfig>("OpenConfig")
      .field("writeBufferBytes", &OpenConfig::write_buffer_bytes)
      .field("blockCacheBytes", &OpenConfig::block_cache_bytes)
      .field("bloomBitsPerKey", &OpenConfig::bloom_bits_per_key)
      .field("compression", &OpenConfig::compression)
      .field("zlibLevel", &OpenConfig::zlib_level)
      .field("paranoidChecks", &OpenConfig::paranoid_checks)
      .field("createIfMissing", &OpenConfig::create_if_missing)
      .field("errorIfExists", &OpenConfig::error_if_exists)
      .field("deferredCompaction", &OpenConfig::deferred_compaction)
      .field("compactionRunner", &OpenConfig::compaction_runner);

  emscripten::class_<WasmDatabase>("Database")
      .constructor<>()
      .function("open", &WasmDatabase::Open)
      .function("close", &WasmDatabase::Close)
      .function("handle", &WasmDatabase::Handle)
      .function("scratch", &WasmDatabase::Scratch)
      .function("descriptor", &WasmDatabase::Descriptor)
      .function("lastError", &WasmDatabase::LastError)
      .function("lastCode", &WasmDatabase::LastCode)
      .function("newSnapshot", &WasmDatabase::NewSnapshot)
      .function("releaseSnapshot", &WasmDatabase::ReleaseSnapshot)
      .function("sync", &WasmDatabase::Sync)
      .function("flush", &WasmDatabase::Flush)
      .function("freezeMemtable", &WasmDatabase::FreezeMemtable)
      .function("flushUnderWay", &WasmDatabase::FlushUnderWay)
      .function("flushesDone", &WasmDatabase::FlushesDone)
      .function("compact", &WasmDatabase::Compact)
      .function("compactFinished", &WasmDatabase::CompactFinished)
      .function("runPendingWork", &WasmDatabase::RunPendingWork)
      .function("takeChanges", &WasmDatabase::TakeChanges)
      .function("takeCompactionJob", &WasmDatabase::TakeCompactionJob)
      .function("compactionInputs", &WasmDatabase::CompactionInputs)
      .function("compactionReservedOutputs", &WasmDatabase::CompactionReservedOutputs)
      .function("compactionJobId", &WasmDatabase::CompactionJobId)
      .function("writeCompactionOutput", &WriteCompactionOutput)
      .function("completeCompaction", &WasmDatabase::CompleteCompaction)
      .function("runCompactionInline", &WasmDatabase::RunCompactionInline)
      .function("takeEvents", &WasmDatabase::TakeEvents)
      .function("statsJson", &WasmDatabase::StatsJson)
      .function("metrics", &WasmDatabase::Metrics);
}
