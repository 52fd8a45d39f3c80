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

}  // namespace strata
