#!/usr/bin/env bash
# Builds zlib and protobuf-lite for WebAssembly from Debian's source packages
# (nothing vendored, nothing downloaded from elsewhere) into build/wasm-deps:
#
#   build/wasm-deps/include    zlib.h, zconf.h, google/protobuf/...
#   build/wasm-deps/lib        libz.a, libprotobuf-lite.a
#   build/wasm-deps/versions   the Debian versions built ("zlib 1:1.2.13.dfsg-1")
#
# (STRATA_WASM_DEPS names another prefix, as in cmake/wasm_deps.cmake.)
# A second run finds them there and only prints the versions, unless the
# host's protoc (which generates the engine's protobuf code) changed version:
# the wasm protobuf runtime must be the same release, so it is rebuilt.
# Needs the emscripten package (scripts/setup.sh installs it). A failure
# ends with one line "wasm-deps: error: ..." naming the cause.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/debian-source.sh
. scripts/lib/report.sh
REPORT_AS=wasm-deps

prefix=${STRATA_WASM_DEPS:-$PWD/build/wasm-deps}
stamp=$prefix/versions

# protoc 3.21.12 -> 3.21.12: the upstream version the runtime must have.
command -v protoc >/dev/null || die "protoc not found (apt-get install protobuf-compiler; scripts/setup.sh does)"
protoc_version=$(protoc --version | awk '{print $2}')
[ -n "$protoc_version" ] || die "cannot read the version of protoc ($(protoc --version 2>&1))"

if [ -f "$stamp" ] && [ -f "$prefix/lib/libprotobuf-lite.a" ] && [ -f "$prefix/lib/libz.a" ]; then
  built_protobuf=$(awk '$1 == "protobuf" {print $2}' "$stamp")
  if [ "$(debian_upstream_version "$built_protobuf")" = "$protoc_version" ]; then
    echo "wasm-deps: $(paste -sd, "$stamp" | sed 's/,/, /g') (cached in $prefix)"
    exit 0
  fi
  echo "wasm-deps: protobuf $built_protobuf was built, but protoc is $protoc_version: rebuilding"
fi

command -v emcc >/dev/null || die "emcc not found (apt-get install emscripten; scripts/setup.sh does)"
export NODE_PATH=/usr/share/nodejs # emcc's JS optimizer needs Debian's acorn
jobs=$(nproc 2>/dev/null || echo 2)
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"

# apt-get source needs deb-src entries: a twin of each of Debian's own deb
# entries (third-party ones may have no sources to offer). APT_ETC exists for
# the tests, which must not touch the machine's apt configuration.
apt_etc=${APT_ETC:-/etc/apt}
add_deb_src() {
  shopt -s nullglob
  for f in "$apt_etc"/sources.list.d/*.sources; do
    grep -q 'debian.org' "$f" || continue
    sed 's/^Types: deb$/Types: deb-src/' "$f" | $SUDO tee "${f%.sources}-src.sources" >/dev/null
  done
  shopt -u nullglob
  if [ -f "$apt_etc/sources.list" ]; then
    grep -E '^deb .*debian\.org' "$apt_etc/sources.list" | sed 's/^deb /deb-src /' |
      $SUDO tee "$apt_etc/sources.list.d/strata-src.list" >/dev/null || true
  fi
}
if ! grep -rqs '^Types:.*deb-src' "$apt_etc/sources.list.d/" && ! grep -rqs '^deb-src' "$apt_etc/sources.list" "$apt_etc/sources.list.d/"; then
  add_deb_src
  run_quietly "apt-get update (after adding deb-src entries)" $SUDO apt-get update -qq
fi
# Package lists that were cleaned or predate the deb-src entries know no sources.
if [ -z "$(debian_source_candidates zlib)" ]; then
  run_quietly "apt-get update" $SUDO apt-get update -qq
fi

src=$prefix/src
rm -rf "$prefix/include" "$prefix/lib" "$src" "$stamp"
mkdir -p "$src" "$prefix/include" "$prefix/lib"
cd "$src"
fetch_debian_source zlib 2>"$src/fetch.err" || die "$(sed 's/^error: //' "$src/fetch.err")"
zlib_version=$DEBIAN_SOURCE_VERSION
fetch_debian_source protobuf "$protoc_version" 2>"$src/fetch.err" ||
  die "$(sed 's/^error: //' "$src/fetch.err") (it must match protoc $protoc_version)"
protobuf_version=$DEBIAN_SOURCE_VERSION

echo "wasm-deps: building zlib $zlib_version"
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
) || die "building zlib $zlib_version with emcc failed (see above)"

echo "wasm-deps: building protobuf-lite $protobuf_version"
rm -rf protobuf && mkdir protobuf && tar -xzf protobuf_*.orig.tar.gz -C protobuf --strip-components=1
(
  mkdir -p protobuf/build && cd protobuf/build
  emcmake cmake .. -DCMAKE_BUILD_TYPE=Release -Dprotobuf_BUILD_TESTS=OFF \
    -Dprotobuf_BUILD_PROTOC_BINARIES=OFF -Dprotobuf_WITH_ZLIB=OFF >/dev/null
  emmake make -j "$jobs" libprotobuf-lite >/dev/null
  cp libprotobuf-lite.a "$prefix/lib/"
) || die "building protobuf-lite $protobuf_version with emcmake failed (see above)"
(cd protobuf/src && find google \( -name '*.h' -o -name '*.inc' \) -exec cp --parents {} "$prefix/include" \;)

# The headers say which release they are: 3021012 is 3.21.12.
header_version=$(sed -n 's/^#define PROTOBUF_VERSION \([0-9]*\)$/\1/p' "$prefix/include/google/protobuf/port_def.inc")
IFS=. read -r major minor patch <<<"$protoc_version"
[ "$header_version" = "$((major * 1000000 + minor * 1000 + patch))" ] ||
  die "protobuf headers are release $header_version but protoc is $protoc_version"

cd "$prefix"
rm -rf "$src"
printf 'zlib %s\nprotobuf %s\n' "$zlib_version" "$protobuf_version" >"$stamp"
echo "wasm-deps: zlib $zlib_version, protobuf $protobuf_version (built into $prefix)"
