// Embind declarations: the module's whole JS-visible surface. The TypeScript
// package (wasm/src/) wraps it; see database.h for the calling convention.
#include <emscripten/bind.h>

#include "database.h"

using strata::OpenConfig;
using strata::WasmDatabase;

EMSCRIPTEN_BINDINGS(strata) {
  emscripten::value_object<OpenConfig>("OpenConfig")
      .field("writeBufferBytes", &OpenConfig::write_buffer_bytes)
      .field("blockCacheBytes", &OpenConfig::block_cache_bytes)
      .field("bloomBitsPerKey", &OpenConfig::bloom_bits_per_key)
      .field("compression", &OpenConfig::compression)
      .field("zlibLevel", &OpenConfig::zlib_level)
      .field("paranoidChecks", &OpenConfig::paranoid_checks);

  emscripten::class_<WasmDatabase>("Database")
      .constructor<>()
      .function("open", &WasmDatabase::Open)
      .function("close", &WasmDatabase::Close)
      .function("scratch", &WasmDatabase::Scratch)
      .function("descriptor", &WasmDatabase::Descriptor)
      .function("lastError", &WasmDatabase::LastError)
      .function("put", &WasmDatabase::Put)
      .function("del", &WasmDatabase::Delete)
      .function("write", &WasmDatabase::Write)
      .function("get", &WasmDatabase::Get)
      .function("newSnapshot", &WasmDatabase::NewSnapshot)
      .function("releaseSnapshot", &WasmDatabase::ReleaseSnapshot)
      .function("newCursor", &WasmDatabase::NewCursor)
      .function("cursorNext", &WasmDatabase::CursorNext)
      .function("closeCursor", &WasmDatabase::CloseCursor)
      .function("sync", &WasmDatabase::Sync)
      .function("flush", &WasmDatabase::Flush)
      .function("compact", &WasmDatabase::Compact)
      .function("hasPendingWork", &WasmDatabase::HasPendingWork)
      .function("runPendingWork", &WasmDatabase::RunPendingWork)
      .function("takeChanges", &WasmDatabase::TakeChanges)
      .function("statsJson", &WasmDatabase::StatsJson)
      .function("metrics", &WasmDatabase::Metrics);
}
