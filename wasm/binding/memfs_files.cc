#include "memfs_files.h"

#ifdef __EMSCRIPTEN__
#include <emscripten.h>

// 1: made; 0: not made (the directory missing or not MEMFS, or the name
// taken); -1: no memory for the copy, and nothing made; -2: `adopt` is not
// a Uint8Array. The file gets the mode open(2) gives it for PosixEnv (0644;
// 3.1.6 applies no umask) and a copy of data[0, size): in a Uint8Array of
// their exact size (an exact-size write into an empty MEMFS file made an
// Int8Array; readers take either), or in a view of that size at the start
// of a buffer that Module.strataFileBuffer(size, name) gives, if the package
// set it and has one (memory already touched: a new table's copy into fresh
// memory held the page's thread 16 ms for 3.9 MB). With `adopt` (an Embind
// handle, 0 for none) the file holds that JavaScript Uint8Array itself: the
// caller gives it up; a view of part of a buffer, or of shared memory, is
// copied out instead.
// This relies on MEMFS internals of Emscripten 3.1.6, the version
// scripts/setup.sh installs (re-check on an upgrade): a directory node keeps
// its entries by name in `contents`, a mount point's node names the mount
// in `mounted`, and MEMFS.createNode links a new node there and in the file
// system's name table. Unlike FS.mknod it does not check the directory's
// permissions, nor does the walk below check search permission on the way
// (the engine's directory is its own).
//
// The directory is found by walking those entries from the root, and short
// ASCII names are read a byte at a time: FS.lookupPath first normalizes the
// path with regular expressions, and UTF8ToString calls TextDecoder, which
// costs Chromium microseconds a call; together they were most of the time a
// small durable commit spent outside IndexedDB. What the walk does not cover
// (a relative path, ., .., a symbolic link, a directory of another file
// system, a name it does not find, such as __proto__, which MEMFS's entries
// cannot hold as their own) goes through FS.lookupPath.
// clang-format off
EM_JS(int, strata_make_memfs_file, (const char* dir, size_t dir_size, const char* name, size_t name_size,
                                    const char* data, size_t size, int adopt), {
  const text = (at, length) => {
    let s = '';
    let i = 0;
    for (; length <= 256 && i < length && HEAPU8[at + i] < 0x80; i++) s += String.fromCharCode(HEAPU8[at + i]);
    return i === length ? s : UTF8ToString(at, length);
  };
  const isMemfsDir = (node) => node.node_ops.lookup === MEMFS.node_ops.lookup;
  const lookup = (path) => {
    if (path[0] !== '/') return FS.lookupPath(path).node;
    let node = FS.root;
    for (const part of path.split('/')) {
      if (part === '') continue;
      if (part === '.' || part === '..' || !isMemfsDir(node) || !Object.prototype.hasOwnProperty.call(node.contents, part)) {
        return FS.lookupPath(path).node;
      }
      node = node.contents[part];
      if (FS.isLink(node.mode)) return FS.lookupPath(path).node;
      if (node.mounted) node = node.mounted.root;
    }
    return node;
  };
  let parent;
  try {
    parent = lookup(text(dir, dir_size));
  } catch (e) {
    return 0;
  }
  if (!FS.isDir(parent.mode) || parent.node_ops.mknod !== MEMFS.node_ops.mknod) return 0;
  const base = text(name, name_size);
  if (Object.prototype.hasOwnProperty.call(parent.contents, base)) return 0;
  let bytes = null;
  try {
    if (adopt) {
      bytes = Emval.toValue(adopt);
      if (!(bytes instanceof Uint8Array)) return -2;
      const whole = bytes.byteOffset === 0 && bytes.buffer instanceof ArrayBuffer && bytes.byteLength === bytes.buffer.byteLength;
      if (!whole) bytes = bytes.slice();
    } else if (size > 0) {
      const kept = Module['strataFileBuffer'] ? Module['strataFileBuffer'](size, base) : undefined;
      if (kept) kept.set(HEAPU8.subarray(data, data + size));
      bytes = kept || HEAPU8.slice(data, data + size);
    }
  } catch (e) {
    return -1;
  }
  const node = MEMFS.createNode(parent, base, 33188, 0);  // S_IFREG | 0644
  if (bytes && bytes.length > 0) {
    node.contents = bytes;
    node.usedBytes = bytes.length;
  }
  return 1;
});
// clang-format on
#endif

namespace strata {

namespace {

std::optional<Status> MakeMemfsFile(const std::string& path, const Slice& contents, uintptr_t adopt) {
#ifdef __EMSCRIPTEN__
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == path.size()) return std::nullopt;
  const Slice name(path.data() + slash + 1, path.size() - slash - 1);
  if (name == Slice(".") || name == Slice("..")) return std::nullopt;
  const int made = strata_make_memfs_file(path.data(), slash, name.data(), name.size(), contents.data(),
                                          contents.size(), static_cast<int>(adopt));
  if (made == 1) return Status::OK();
  if (made == -1) return Status::IOError(path + ": no memory for its bytes");
  if (made == -2) return Status::InvalidArgument(path + ": its bytes must be a Uint8Array");
#else
  (void)path;
  (void)contents;
  (void)adopt;
#endif
  return std::nullopt;
}

}  // namespace

std::optional<Status> MakeNewMemfsFile(const std::string& path, const Slice& contents) {
  return MakeMemfsFile(path, contents, 0);
}

std::optional<Status> AdoptAsNewMemfsFile(const std::string& path, uintptr_t js_bytes) {
  return MakeMemfsFile(path, Slice(), js_bytes);
}

}  // namespace strata
