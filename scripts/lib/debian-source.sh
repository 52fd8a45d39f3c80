# Fetching Debian source packages, deterministically. Sourced by
# scripts/wasm-deps.sh and tests/scripts/debian_source_test.sh; defines
# functions only.
#
# Why not plain `apt-get source NAME`: it picks the newest version apt knows,
# and the mirrors this project's machines reach serve the binaries of
# bookworm-security but not its sources (404 for the .dsc). The main suite's
# source is always served, so it is tried first, then every other version
# `apt-cache showsrc` lists, newest first. apt checks every file it
# downloads against the .dsc's checksums; nothing here weakens that.

# Prints the versions of source package $1 that apt knows, one a line, in
# the order to try them: the main suite's version first, then the others
# newest first. With $2, only versions whose upstream part (no epoch, no
# Debian revision) is $2.
debian_source_candidates() {
  local name=$1 upstream=${2:-} suite empty main_dsc="" versions v sorted=() placed i
  suite=${DEBIAN_SOURCE_SUITE:-$(. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}")}
  # The .dsc that the main suite's version would fetch, e.g. zlib_1.2.13.dfsg-1.dsc
  # (asked from an empty directory: apt prints no URI for a file already there).
  if [ -n "$suite" ]; then
    empty=$(mktemp -d)
    main_dsc=$(cd "$empty" && apt-get source --print-uris -qq "$name/$suite" 2>/dev/null |
      grep -o "[^/' ]*\.dsc" | head -1)
    rmdir "$empty"
  fi
  versions=$(apt-cache showsrc "$name" 2>/dev/null |
    awk -v n="$name" '/^Package: /{p = $2} /^Version: /{if (p == n) print $2}' | sort -u)
  for v in $versions; do
    if [ -n "$upstream" ] && [ "$(debian_upstream_version "$v")" != "$upstream" ]; then continue; fi
    # Insertion sort, newest first, by dpkg's own version order.
    placed=0
    for i in "${!sorted[@]}"; do
      if dpkg --compare-versions "$v" gt "${sorted[$i]}"; then
        sorted=("${sorted[@]:0:$i}" "$v" "${sorted[@]:$i}")
        placed=1
        break
      fi
    done
    [ "$placed" = 1 ] || sorted+=("$v")
  done
  for v in "${sorted[@]}"; do
    [ "${name}_${v#*:}.dsc" = "${main_dsc:-}" ] && echo "$v"
  done
  for v in "${sorted[@]}"; do
    [ "${name}_${v#*:}.dsc" = "${main_dsc:-}" ] || echo "$v"
  done
}

# 1:1.2.13.dfsg-1+deb12u1 -> 1.2.13.dfsg
debian_upstream_version() {
  local v=${1#*:}
  echo "${v%-*}"
}

# Downloads source package $1 into the current directory (apt-get source
# --download-only), trying the versions debian_source_candidates gives (with
# $2: only those of that upstream version). On success sets
# DEBIAN_SOURCE_VERSION to the version fetched and returns 0. Otherwise
# prints one line naming the package, the versions tried and the cause to
# stderr and returns 1.
fetch_debian_source() {
  local name=$1 upstream=${2:-} candidates v tried=() cause="" out
  DEBIAN_SOURCE_VERSION=""
  candidates=$(debian_source_candidates "$name" "$upstream")
  if [ -z "$candidates" ]; then
    cause="apt knows no source package $name${upstream:+ of upstream version $upstream}"
    [ -n "$upstream" ] && cause+=" (it lists: $(debian_source_candidates "$name" | tr '\n' ' ' | sed 's/ $//'))"
    echo "error: cannot fetch the source of $name: $cause; check that /etc/apt/sources.list.d has deb-src entries and run apt-get update" >&2
    return 1
  fi
  for v in $candidates; do
    tried+=("$v")
    rm -f "${name}"_*
    if out=$(apt-get source --download-only "$name=$v" 2>&1); then
      DEBIAN_SOURCE_VERSION=$v
      return 0
    fi
    # Keep apt's first error line ("E: Failed to fetch ... 404 Not Found").
    [ -n "$cause" ] || cause=$(echo "$out" | grep -m1 '^E:' | sed 's/^E: //')
  done
  rm -f "${name}"_*
  echo "error: cannot fetch the source of $name: tried ${tried[*]}; first failure: ${cause:-apt-get source failed}; check the mirror in /etc/apt/sources.list.d serves deb-src for one of these versions" >&2
  return 1
}
