#!/usr/bin/env bash
# Builds everything StrataDB has so far and shows it working.
#
#   bash scripts/run.sh
#
# Today that is the native engine and its benchmark tool: this builds both
# (installing dependencies first) and runs a short benchmark of StrataDB
# beside LevelDB and RocksDB. The browser dashboard served on 127.0.0.1
# arrives with the wasm, browser-runtime and dashboard issues; web/ is empty
# until then.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release -DSTRATA_BUILD_TESTS=OFF >/dev/null
cmake --build build/release -j "$(nproc 2>/dev/null || echo 2)"
echo
echo "Built: build/release/engine/libstrata.a and build/release/tests/bench/strata_bench"
echo "A short benchmark (scripts/bench.sh runs the full one):"
build/release/tests/bench/strata_bench --num=100000 --db_dir=build/release/demo-db "$@"
