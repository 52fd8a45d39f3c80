#!/usr/bin/env bash
# Tests of scripts/lib/debian-source.sh and scripts/wasm-deps.sh against fake
# apt-get and apt-cache on PATH, so they never depend on the network.
#
#   bash tests/scripts/debian_source_test.sh CASE     (ctest runs each case)
#
# The fakes read:
#   FAKE_SHOWSRC   versions `apt-cache showsrc` lists (space-separated)
#   FAKE_MAIN      the version the main suite resolves to (print-uris)
#   FAKE_SERVED    versions whose download succeeds; others answer 404
# and append every `apt-get source` download they are asked for to $FAKE_LOG.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
case_name=${1:?usage: debian_source_test.sh CASE}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/bin" "$work/dl"
export FAKE_LOG=$work/downloads.log
: >"$FAKE_LOG"
export DEBIAN_SOURCE_SUITE=bookworm

cat >"$work/bin/apt-cache" <<'FAKE'
#!/usr/bin/env bash
[ "$1" = showsrc ] || exit 100
for v in $FAKE_SHOWSRC; do printf 'Package: %s\nVersion: %s\n\n' "$2" "$v"; done
FAKE
cat >"$work/bin/apt-get" <<'FAKE'
#!/usr/bin/env bash
# apt-get source --print-uris -qq NAME/SUITE | apt-get source --download-only NAME=VERSION | apt-get update
[ "$1" = update ] && exit 0
[ "$1" = source ] || exit 100
if [ "$2" = --print-uris ]; then
  name=${4%/*}
  [ -n "${FAKE_MAIN:-}" ] && echo "'http://mirror/pool/main/${name}_${FAKE_MAIN#*:}.dsc' ${name}_${FAKE_MAIN#*:}.dsc 100 SHA256:00"
  exit 0
fi
name=${3%%=*} version=${3#*=}
echo "$version" >>"$FAKE_LOG"
for ok in $FAKE_SERVED; do
  if [ "$ok" = "$version" ]; then
    printf 'Version: %s\n' "$version" >"${name}_${version#*:}.dsc"
    echo data >"${name}_${version#*:}.orig.tar.gz"
    exit 0
  fi
done
echo "Get:1 http://mirror ${name} ${version} (dsc)"
echo "E: Failed to fetch http://mirror/pool/updates/main/${name}_${version#*:}.dsc  404  Not Found" >&2
echo "E: Failed to fetch some archives." >&2
exit 100
FAKE
chmod +x "$work/bin/apt-cache" "$work/bin/apt-get"
export PATH=$work/bin:$PATH
. "$root/scripts/lib/debian-source.sh"

failures=0
expect_eq() { # WHAT EXPECTED ACTUAL
  if [ "$2" != "$3" ]; then
    echo "FAIL: $1: expected [$2], got [$3]"
    failures=$((failures + 1))
  fi
}
expect_match() { # WHAT REGEX ACTUAL
  if ! [[ $3 =~ $2 ]]; then
    echo "FAIL: $1: [$3] does not match [$2]"
    failures=$((failures + 1))
  fi
}

case $case_name in
candidates_main_suite_first)
  export FAKE_SHOWSRC="1:1.2.13.dfsg-1+deb12u1 1:1.2.11.dfsg-4 1:1.2.13.dfsg-1" FAKE_MAIN=1:1.2.13.dfsg-1
  expect_eq "order" "1:1.2.13.dfsg-1 1:1.2.13.dfsg-1+deb12u1 1:1.2.11.dfsg-4" \
    "$(debian_source_candidates zlib | paste -sd' ')"
  # Without a main suite answer: newest first, in dpkg's order (1.10 > 1.9).
  FAKE_MAIN="" FAKE_SHOWSRC="1.9-1 1.10-1 1.10-1+deb12u2 1.10-1+deb12u10"
  expect_eq "dpkg order" "1.10-1+deb12u10 1.10-1+deb12u2 1.10-1 1.9-1" \
    "$(debian_source_candidates pkg | paste -sd' ')"
  FAKE_SHOWSRC="3.21.12-3+deb12u1 3.21.12-3 3.12.4-1"
  expect_eq "upstream filter" "3.21.12-3+deb12u1 3.21.12-3" \
    "$(debian_source_candidates protobuf 3.21.12 | paste -sd' ')"
  ;;
fetch_falls_back_after_404)
  # The newest (security) version's source is not served; the next one is.
  export FAKE_SHOWSRC="1:1.2.13.dfsg-1 1:1.2.13.dfsg-1+deb12u1" FAKE_MAIN="" FAKE_SERVED="1:1.2.13.dfsg-1"
  (cd "$work/dl" && fetch_debian_source zlib && echo "$DEBIAN_SOURCE_VERSION" >../version) 2>"$work/err"
  expect_eq "exit status" 0 "$?"
  expect_eq "version fetched" "1:1.2.13.dfsg-1" "$(cat "$work/version" 2>/dev/null)"
  expect_eq "tried" "1:1.2.13.dfsg-1+deb12u1 1:1.2.13.dfsg-1" "$(paste -sd' ' "$FAKE_LOG")"
  expect_eq "files" "zlib_1.2.13.dfsg-1.dsc zlib_1.2.13.dfsg-1.orig.tar.gz" "$(ls "$work/dl" | paste -sd' ')"
  expect_eq "stderr" "" "$(cat "$work/err")"
  ;;
fetch_prefers_main_suite)
  export FAKE_SHOWSRC="3.21.12-3 3.21.12-3+deb12u1" FAKE_MAIN=3.21.12-3 FAKE_SERVED="3.21.12-3 3.21.12-3+deb12u1"
  (cd "$work/dl" && fetch_debian_source protobuf 3.21.12 && echo "$DEBIAN_SOURCE_VERSION" >../version)
  expect_eq "version fetched" "3.21.12-3" "$(cat "$work/version" 2>/dev/null)"
  expect_eq "one download" "3.21.12-3" "$(paste -sd' ' "$FAKE_LOG")"
  ;;
fetch_fails_clearly_when_nothing_is_served)
  export FAKE_SHOWSRC="1:1.2.13.dfsg-1 1:1.2.13.dfsg-1+deb12u1" FAKE_MAIN=1:1.2.13.dfsg-1 FAKE_SERVED=""
  (cd "$work/dl" && fetch_debian_source zlib) 2>"$work/err"
  status=$?
  expect_eq "exit status" 1 "$status"
  expect_eq "one line" 1 "$(wc -l <"$work/err")"
  expect_match "names package, versions and cause" \
    "^error: cannot fetch the source of zlib: tried 1:1.2.13.dfsg-1 1:1.2.13.dfsg-1\+deb12u1; first failure: Failed to fetch .*404  Not Found" \
    "$(cat "$work/err")"
  expect_eq "no partial files" "" "$(ls "$work/dl")"
  ;;
fetch_fails_clearly_without_matching_version)
  export FAKE_SHOWSRC="3.21.12-3" FAKE_MAIN="" FAKE_SERVED="3.21.12-3"
  (cd "$work/dl" && fetch_debian_source protobuf 3.25.1) 2>"$work/err"
  expect_eq "exit status" 1 "$?"
  expect_eq "nothing downloaded" "" "$(cat "$FAKE_LOG")"
  expect_match "names the mismatch" "no source package protobuf of upstream version 3.25.1 \(it lists: 3.21.12-3\)" \
    "$(cat "$work/err")"
  ;;
wasm_deps_stops_with_one_line)
  # The whole script, in a scratch prefix and a scratch apt configuration:
  # its last line names the package, the versions tried and the 404.
  mkdir -p "$work/apt/sources.list.d" "$work/prefix"
  printf 'Types: deb-src\nURIs: http://deb.debian.org/debian\n' >"$work/apt/sources.list.d/debian-src.sources"
  export FAKE_SHOWSRC="1:1.2.13.dfsg-1+deb12u1" FAKE_MAIN="" FAKE_SERVED=""
  printf '#!/bin/sh\necho "libprotoc 3.21.12"\n' >"$work/bin/protoc"
  printf '#!/bin/sh\nexit 0\n' >"$work/bin/emcc"
  chmod +x "$work/bin/protoc" "$work/bin/emcc"
  APT_ETC=$work/apt STRATA_WASM_DEPS=$work/prefix bash "$root/scripts/wasm-deps.sh" >"$work/out" 2>&1
  expect_eq "exit status" 1 "$?"
  expect_match "last line" \
    "^wasm-deps: error: cannot fetch the source of zlib: tried 1:1.2.13.dfsg-1\+deb12u1; first failure: .*404  Not Found" \
    "$(tail -1 "$work/out")"
  expect_eq "no stamp" "" "$(ls "$work/prefix" | grep versions)"
  ;;
*)
  echo "unknown case $case_name"
  exit 2
  ;;
esac

[ "$failures" -eq 0 ] && echo "PASS: $case_name"
[ "$failures" -eq 0 ]
