#!/usr/bin/env bash
# Builds strata_bench in Release (build/bench, tests off) and runs it,
# comparing StrataDB with LevelDB and RocksDB. Extra arguments go to
# strata_bench (see `scripts/bench.sh --help`); results are also written as
# JSON to build/bench/results.json.
#
# Then it builds the wasm package (scripts/build-wasm.sh) and runs
# wasm/bench/bench.mjs: the same workloads through the JS API in Node, beside
# native StrataDB's numbers from a run of its own, with the wasm/native ratio
# (JSON: build/bench/wasm-results.json). Of the arguments, --num,
# --compression, --workloads, --value_size, --seed and --rounds go to it as
# well (it runs compression none unless given one). STRATA_BENCH_WASM=0
# skips it.
#
#   scripts/bench.sh                          # everything, 1M ops, both compressions
#   scripts/bench.sh --rounds=3               # each engine three times in turns, medians
#   scripts/bench.sh --num=100000 --compression=none --workloads=fillrandom,readrandom
#   STRATA_BENCH_WASM=0 scripts/bench.sh      # the native comparison only
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="$root/build/bench"

bash "$root/scripts/setup.sh"

cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DSTRATA_BUILD_TESTS=OFF \
  -DSTRATA_BUILD_BENCH=ON >/dev/null
# Two jobs: the benchmark machines have two cores, and a build that starves
# them would only slow itself down.
cmake --build "$build" --target strata_bench -j2

wasm_args=()
for arg in "$@"; do
  case "$arg" in
    --help | -h) exec "$build/tests/bench/strata_bench" "$@" ;;
    --num=* | --compression=* | --workloads=* | --value_size=* | --seed=* | --rounds=*) wasm_args+=("$arg") ;;
  esac
done

# Ours first, so that a --json given by the caller wins.
status=0
"$build/tests/bench/strata_bench" --json="$build/results.json" "$@" || status=$?
if [ "$status" -eq 2 ]; then exit 2; fi # bad flags: strata_bench said which

if [ "${STRATA_BENCH_WASM:-1}" != 0 ]; then
  bash "$root/scripts/build-wasm.sh"
  node "$root/wasm/bench/bench.mjs" "${wasm_args[@]}" || status=$?
fi
exit "$status"
