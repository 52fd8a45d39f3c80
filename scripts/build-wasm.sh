#!/usr/bin/env bash
# Builds the WebAssembly engine and the TypeScript package `stratadb`:
#
#   build/wasm-deps   zlib + protobuf-lite for wasm (scripts/wasm-deps.sh, cached)
#   build/wasm        emcmake build: strata.wasm + strata.js (Release, -O3)
#   wasm/dist         the package: compiled TypeScript, .d.ts, strata.{js,wasm}
#
# Run scripts/setup.sh first (scripts/run.sh and scripts/test.sh do). A
# failure ends with one line "build-wasm: error: ..." (or wasm-deps's).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/report.sh
REPORT_AS=build-wasm
export NODE_PATH=/usr/share/nodejs # emcc's JS optimizer needs Debian's acorn

bash scripts/wasm-deps.sh
if [ ! -f build/wasm/build.ninja ]; then
  run_quietly "emcmake cmake (configuring build/wasm)" \
    emcmake cmake -S . -B build/wasm -G Ninja -DCMAKE_BUILD_TYPE=Release
fi
cmake --build build/wasm -j "$(nproc 2>/dev/null || echo 2)" || die "compiling the wasm engine failed (see above)"

cd wasm
# npm ci only when the lock file changed since the last install.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  run_quietly "npm ci in wasm/ (packages from registry.npmjs.org)" npm ci --no-audit --no-fund --loglevel=error
fi
npm run --silent build || die "building the TypeScript package (tsc) failed (see above)"
echo "build-wasm: $(stat -c %s dist/strata.wasm) bytes strata.wasm, $(stat -c %s dist/strata.js) bytes strata.js"
