#!/usr/bin/env bash
# Builds strata_bench in Release (build/bench, tests off) and runs it,
# comparing StrataDB with LevelDB and RocksDB. Extra arguments go to
# strata_bench (see `scripts/bench.sh --help`); results are also written as
# JSON to build/bench/results.json.
#
#   scripts/bench.sh                          # everything, 1M ops, both compressions
#   scripts/bench.sh --num=100000 --compression=none --workloads=fillrandom,readrandom
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="$root/build/bench"

bash "$root/scripts/setup.sh"

cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DSTRATA_BUILD_TESTS=OFF \
  -DSTRATA_BUILD_BENCH=ON >/dev/null
# Two jobs: the benchmark machines have two cores, and a build that starves
# them would only slow itself down.
cmake --build "$build" --target strata_bench -j2

# Ours first, so that a --json given by the caller wins.
exec "$build/tests/bench/strata_bench" --json="$build/results.json" "$@"
