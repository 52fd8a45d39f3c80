#!/usr/bin/env bash
# Builds everything StrataDB has so far and shows it working.
#
#   bash scripts/run.sh
#
# Today that is the native engine with its benchmark tool, and the wasm
# engine with the TypeScript package `stratadb` (wasm/dist): this builds all
# of it (installing dependencies first), runs a short native benchmark of
# StrataDB beside LevelDB and RocksDB, then the same workloads through the
# package's JS API in Node beside native StrataDB. The browser dashboard
# served on 127.0.0.1 arrives with the dashboard issue; web/ is empty until
# then.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release -DSTRATA_BUILD_TESTS=OFF >/dev/null
cmake --build build/release -j "$(nproc 2>/dev/null || echo 2)"
bash scripts/build-wasm.sh
echo
echo "Built: build/release/engine/libstrata.a, build/release/tests/bench/strata_bench"
echo "       and the package stratadb in wasm/dist (import it; see README.md)"
echo "A short native benchmark (scripts/bench.sh runs the full one):"
build/release/tests/bench/strata_bench --num=100000 --db_dir=build/release/demo-db "$@"
echo
echo "The same workloads through the JS API of the wasm build, in Node:"
node wasm/bench/bench.mjs --num=100000 --native=build/release/tests/bench/strata_bench \
  --json=build/release/wasm-results.json
