#!/usr/bin/env bash
# Builds zlib and protobuf-lite for WebAssembly from Debian's source packages
# (nothing vendored, nothing downloaded from elsewhere) into build/wasm-deps:
#
#   build/wasm-deps/include   zlib.h, zconf.h, google/protobuf/...
#   build/wasm-deps/lib       libz.a, libprotobuf-lite.a
#
# A second run finds the libraries there and returns at once. Needs the
# emscripten package (scripts/setup.sh installs it).
set -euo pipefail
cd "$(dirname "$0")/.."

prefix=$PWD/build/wasm-deps
stamp=$prefix/built-from-debian-sources
if [ -f "$stamp" ]; then
  exit 0
fi
export NODE_PATH=/usr/share/nodejs  # emcc's JS optimizer needs Debian's acorn
jobs=$(nproc 2>/dev/null || echo 2)
src=$prefix/src
rm -rf "$prefix/include" "$prefix/lib"
mkdir -p "$src" "$prefix/include" "$prefix/lib"

# apt-get source needs deb-src entries: a twin of each of Debian's own deb
# entries (third-party ones may have no sources to offer).
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
add_deb_src() {
  shopt -s nullglob
  for f in /etc/apt/sources.list.d/*.sources; do
    grep -q 'debian.org' "$f" || continue
    sed 's/^Types: deb$/Types: deb-src/' "$f" | $SUDO tee "${f%.sources}-src.sources" >/dev/null
  done
  shopt -u nullglob
  if [ -f /etc/apt/sources.list ]; then
    grep -E '^deb .*debian\.org' /etc/apt/sources.list | sed 's/^deb /deb-src /' |
      $SUDO tee /etc/apt/sources.list.d/strata-src.list >/dev/null || true
  fi
}
if ! grep -rqs '^Types:.*deb-src' /etc/apt/sources.list.d/ && ! grep -rqs '^deb-src' /etc/apt/sources.list /etc/apt/sources.list.d/; then
  add_deb_src
  $SUDO apt-get update -qq
fi

# Downloads a source package's files, refreshing the package lists once if
# they are stale or were cleaned.
fetch_source() {
  ls "$1"_*.orig.tar.* >/dev/null 2>&1 && return
  apt-get source --download-only "$1" >/dev/null 2>&1 ||
    { $SUDO apt-get update -qq && apt-get source --download-only "$1" >/dev/null; }
}

cd "$src"
fetch_source zlib
fetch_source protobuf

echo "wasm-deps: zlib"
rm -rf zlib && mkdir zlib && tar -xf zlib_*.orig.tar.* -C zlib --strip-components=1
# The dfsg tarball's CMakeLists does not configure; the 11 core files are all
# the library is.
(
  cd zlib
  objs=()
  for f in adler32 compress crc32 deflate infback inffast inflate inftrees trees uncompr zutil; do
    emcc -O2 -c "$f.c" -o "$f.o"
    objs+=("$f.o")
  done
  emar rcs "$prefix/lib/libz.a" "${objs[@]}"
  cp zlib.h zconf.h "$prefix/include/"
)

echo "wasm-deps: protobuf-lite"
rm -rf protobuf && mkdir protobuf && tar -xzf protobuf_*.orig.tar.gz -C protobuf --strip-components=1
(
  mkdir -p protobuf/build && cd protobuf/build
  emcmake cmake .. -DCMAKE_BUILD_TYPE=Release -Dprotobuf_BUILD_TESTS=OFF \
    -Dprotobuf_BUILD_PROTOC_BINARIES=OFF -Dprotobuf_WITH_ZLIB=OFF >/dev/null
  emmake make -j "$jobs" libprotobuf-lite >/dev/null
  cp libprotobuf-lite.a "$prefix/lib/"
)
# Headers come from the same tree (3.21.12, matching Debian's protoc).
(cd protobuf/src && find google \( -name '*.h' -o -name '*.inc' \) -exec cp --parents {} "$prefix/include" \;)
rm -rf zlib protobuf
touch "$stamp"
echo "wasm-deps: done ($prefix)"
