#!/usr/bin/env bash
# Installs every native build, test and benchmark dependency of StrataDB on a
# Debian 12 machine. Idempotent: quiet and quick when everything is present.
set -euo pipefail

packages=(
  build-essential cmake ninja-build   # g++ (with ASan/UBSan), CMake, Ninja
  protobuf-compiler libprotobuf-dev zlib1g-dev
  libgtest-dev libgmock-dev
  clang-format
  libleveldb-dev librocksdb-dev       # strata_bench's reference engines
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
