#include "memfs_files.h"

#ifdef __EMSCRIPTEN__
#include <emscripten.h>

// 1: made; 0: not made (the directory missing or not MEMFS, or the name
// taken); -1: no memory for the copy, and nothing made. The file gets the
// mode open(2) gives it for PosixEnv (0644; 3.1.6 applies no umask) and a
// copy of the bytes in a Uint8Array of their exact size (an exact-size
// write into an empty MEMFS file made an Int8Array; readers take either).
// This relies on MEMFS internals of Emscripten 3.1.6, the version
// scripts/setup.sh installs (re-check on an upgrade): a directory node keeps
// its entries by name in `contents`, and MEMFS.createNode links a new one
// there and in the file system's name table. Unlike FS.mknod it does not
// check the directory's permissions (the engine's directory is its own).
// clang-format off
EM_JS(int, strata_make_memfs_file, (const char* dir, const char* name, const char* data, size_t size), {
  let parent;
  try {
    parent = FS.lookupPath(UTF8ToString(dir)).node;
  } catch (e) {
    return 0;
  }
  if (!FS.isDir(parent.mode) || parent.node_ops.mknod !== MEMFS.node_ops.mknod) return 0;
  const base = UTF8ToString(name);
  if (Object.prototype.hasOwnProperty.call(parent.contents, base)) return 0;
  let bytes = null;
  try {
    if (size > 0) bytes = HEAPU8.slice(data, data + size);
  } catch (e) {
    return -1;
  }
  const node = MEMFS.createNode(parent, base, 33188, 0);  // S_IFREG | 0644
  if (bytes) {
    node.contents = bytes;
    node.usedBytes = size;
  }
  return 1;
});
// clang-format on
#endif

namespace strata {

std::optional<Status> MakeNewMemfsFile(const std::string& path, const Slice& contents) {
#ifdef __EMSCRIPTEN__
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == path.size()) return std::nullopt;
  const std::string dir = path.substr(0, slash);
  const std::string name = path.substr(slash + 1);
  if (name == "." || name == "..") return std::nullopt;
  const int made = strata_make_memfs_file(dir.c_str(), name.c_str(), contents.data(), contents.size());
  if (made == 1) return Status::OK();
  if (made == -1)
    return Status::IOError(path + ": no memory for its " + std::to_string(contents.size()) + " bytes");
#else
  (void)path;
  (void)contents;
#endif
  return std::nullopt;
}

}  // namespace strata
