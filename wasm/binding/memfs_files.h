// New files made straight in MEMFS, the browser build's file system, for
// CommitEnv (commit_env.h), which writes every file whole at its Close.
//
// Through open(2), Emscripten creates a file by looking its name up twice
// (open, then mknod) and MEMFS answers each miss by throwing. With an
// inspector attached (DevTools, or any page driven over CDP), V8 makes each
// of those throws cost tens of microseconds, several times what the rest of
// a small durable commit costs in the page. This makes the file in the
// directory's MEMFS node directly: one lookup of a directory that exists,
// no throw.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "strata/slice.h"
#include "strata/status.h"

namespace strata {

// Creates the file `path` holding `contents`, or answers nullopt when that
// is not done here, so that the caller writes it through its Env: outside
// the wasm build; for a path that is not /dir/name (a relative path, a file
// directly under /, a name of . or ..); when the directory is missing or not
// in MEMFS; when the name exists already. An error (no memory for the copy)
// leaves no file.
std::optional<Status> MakeNewMemfsFile(const std::string& path, const Slice& contents);

// As MakeNewMemfsFile, the file holding a JavaScript Uint8Array itself
// (js_bytes: its Embind handle, emscripten::val::as_handle()), with no copy
// through wasm memory: a compaction output that arrived from a worker
// becomes the file. The caller must not use the array afterwards.
// InvalidArgument when it is not a Uint8Array.
std::optional<Status> AdoptAsNewMemfsFile(const std::string& path, uintptr_t js_bytes);

}  // namespace strata
