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
# A failing step ends the run with one line "<step>: error: <cause>".
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/report.sh
REPORT_AS=run
bash scripts/setup.sh
mkdir -p build
run_quietly "cmake (configuring build/release)" \
  cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release -DSTRATA_BUILD_TESTS=OFF
cmake --build build/release -j "$(nproc 2>/dev/null || echo 2)" || die "the native build failed (see above)"
bash scripts/build-wasm.sh
bash scripts/build-web.sh
echo
echo "Built: build/release (native engine, strata_bench), wasm/dist (package stratadb), web/dist (dashboard)"
exec node web/scripts/serve.mjs --dir web/dist --port "${PORT:-5173}"
