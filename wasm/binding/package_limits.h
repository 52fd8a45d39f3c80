// Every limit, range and default that a caller of the package must respect,
// in one place (DESIGN.md decision 10): the engine's own (options.h,
// status.h) and the binding's ranges for the browser build's open options.
// The package reads them once, from LimitsJson(), when it is built
// (wasm/scripts/gen-limits.mjs writes wasm/src/limits.generated.ts): nothing
// in TypeScript repeats a number.
#pragma once

#include <cstdint>
#include <string>

namespace strata {

// A range of an open option, and its default.
struct OptionRange {
  double min;
  double max;
  double fallback;
};

// Memtable size: the memtable, the WAL segment buffered beside it and the
// memtable being flushed all live in wasm memory (at most 2 GiB).
constexpr OptionRange kMemtableBytes{64 << 10, 64 << 20, 4 << 20};
constexpr OptionRange kBlockCacheBytes{0, 256 << 20, 8 << 20};
constexpr OptionRange kBloomBitsPerKey{0, 30, 10};
constexpr OptionRange kZlibLevel{1, 9, 1};

// {"maxKeyBytes":N,"maxValueBytes":N,"maxBatchBytes":N,
//  "statusCodes":["OK","NotFound",...] (index = status.h's number),
//  "memtableBytes":{"min":N,"max":N,"default":N},"blockCacheBytes":{...},
//  "bloomBitsPerKey":{...},"compressionLevel":{...}}
std::string LimitsJson();

}  // namespace strata
