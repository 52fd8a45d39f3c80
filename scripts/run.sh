#!/usr/bin/env bash
# Builds everything and serves the dashboard on 127.0.0.1.
#
#   bash scripts/run.sh            # then open http://127.0.0.1:5173/
#   PORT=8080 bash scripts/run.sh
#
# Installs what is missing (scripts/setup.sh), builds the native engine and
# its tools (build/release), the wasm engine with the TypeScript package
# stratadb (wasm/dist), and the dashboard (web/dist), then serves web/dist
# as a plain static site until Ctrl+C. scripts/bench.sh runs the benchmarks.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release -DSTRATA_BUILD_TESTS=OFF >/dev/null
cmake --build build/release -j "$(nproc 2>/dev/null || echo 2)"
bash scripts/build-wasm.sh
bash scripts/build-web.sh
echo
echo "Built: build/release (native engine, strata_bench), wasm/dist (package stratadb), web/dist (dashboard)"
exec node web/scripts/serve.mjs --dir web/dist --port "${PORT:-5173}"
