#!/usr/bin/env bash
# Builds and runs every StrataDB test suite, installing what they need first.
#
#   bash scripts/test.sh
#
# Suites: the native GoogleTest suites (RelWithDebInfo), the same suites
# under AddressSanitizer + UndefinedBehaviorSanitizer, then the wasm build
# and the Vitest suites of the TypeScript package (wasm/test, in Node), and
# the package in headless Chromium (wasm/test-browser). Ends
# with one line totalling every suite: "tests: N passed, N failed, N skipped".
#
# Long randomized and crash runs take a bounded budget by default; raise it
# with STRATA_MODEL_OPS (model test operations) and STRATA_KILL_ROUNDS
# (fork + SIGKILL rounds), STRATA_JS_MODEL_OPS, STRATA_JS_WORKLOAD_OPS and
# STRATA_JS_MEMORY_OPS (the Vitest model, workload and memory tests).
# STRATA_SKIP_SANITIZERS=1 skips the sanitizer pass.
set -uo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh || { echo "setup failed"; echo "tests: 0 passed, 1 failed"; exit 1; }

jobs=$(nproc 2>/dev/null || echo 2)
total_passed=0
total_failed=0
total_skipped=0

# run_native_suite NAME BUILD_DIR [cmake args...]
run_native_suite() {
  local name=$1 dir=$2
  shift 2
  echo "=== $name: configure and build ($dir)"
  if ! cmake -S . -B "$dir" -G Ninja "$@" >"$dir.configure.log" 2>&1; then
    cat "$dir.configure.log"
    echo "=== $name: configure FAILED"
    total_failed=$((total_failed + 1))
    return
  fi
  if ! cmake --build "$dir" -j "$jobs"; then
    echo "=== $name: build FAILED"
    total_failed=$((total_failed + 1))
    return
  fi
  echo "=== $name: run"
  local log="$dir/ctest.log"
  (cd "$dir" && ctest --output-on-failure -j "$jobs") 2>&1 | tee "$log"
  # ctest's summary: "97% tests passed, 3 tests failed out of 100"
  local summary
  summary=$(grep -E 'tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -1)
  if [ -z "$summary" ]; then
    echo "=== $name: no ctest summary"
    total_failed=$((total_failed + 1))
    return
  fi
  local failed out_of
  failed=$(echo "$summary" | sed -E 's/.*tests passed, ([0-9]+) tests? failed out of ([0-9]+).*/\1/')
  out_of=$(echo "$summary" | sed -E 's/.*tests passed, ([0-9]+) tests? failed out of ([0-9]+).*/\2/')
  total_passed=$((total_passed + out_of - failed))
  total_failed=$((total_failed + failed))
}

mkdir -p build
run_native_suite native build/test -DCMAKE_BUILD_TYPE=RelWithDebInfo
if [ "${STRATA_SKIP_SANITIZERS:-0}" != 1 ]; then
  run_native_suite "native ASan+UBSan" build/asan -DCMAKE_BUILD_TYPE=Debug -DSTRATA_SANITIZE=ON \
    -DSTRATA_BUILD_BENCH=OFF
fi

# The wasm build, a strict type check of the package and its tests, then
# Vitest (its JSON report gives the counts).
wasm_built=0
run_wasm_suite() {
  echo "=== wasm: build"
  if ! bash scripts/build-wasm.sh; then
    echo "=== wasm: build FAILED"
    total_failed=$((total_failed + 1))
    return
  fi
  wasm_built=1
  echo "=== wasm: type check"
  if ! (cd wasm && npx tsc -p tsconfig.test.json); then
    echo "=== wasm: type check FAILED"
    total_failed=$((total_failed + 1))
  fi
  echo "=== wasm: vitest"
  local report=$PWD/build/vitest.json status=0
  rm -f "$report"
  (cd wasm && npx vitest run --reporter=default --reporter=json --outputFile="$report") || status=$?
  if [ ! -f "$report" ]; then
    echo "=== wasm: no vitest report"
    total_failed=$((total_failed + 1))
    return
  fi
  local counts
  # A file that fails to load has no failed test: count it as one failure.
  counts=$(node -e 'const r = require(process.argv[1]);
    const broken = r.testResults.filter((f) => f.status === "failed" &&
      !f.assertionResults.some((a) => a.status === "failed")).length;
    console.log(r.numPassedTests, r.numFailedTests + broken, r.numPendingTests + r.numTodoTests)' "$report")
  read -r passed failed skipped <<<"$counts"
  # Vitest fails a run for errors outside any test (an unhandled rejection)
  # that its report does not count.
  if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
    echo "=== wasm: vitest exited $status with no failed test: counted as one failure"
    failed=1
  fi
  total_passed=$((total_passed + passed))
  total_failed=$((total_failed + failed))
  total_skipped=$((total_skipped + skipped))
}
run_wasm_suite

# The package in headless Chromium (node --test; TAP summary lines).
run_browser_suite() {
  echo "=== browser: node --test wasm/test-browser"
  local log=build/browser-tests.log status=0
  (cd wasm && node --test --test-reporter=tap --test-timeout=300000 test-browser/*.test.mjs) 2>&1 | tee "$log" ||
    status=$?
  local passed failed cancelled
  passed=$(sed -n 's/^# pass \([0-9]*\)$/\1/p' "$log" | tail -1)
  failed=$(sed -n 's/^# fail \([0-9]*\)$/\1/p' "$log" | tail -1)
  cancelled=$(sed -n 's/^# cancelled \([0-9]*\)$/\1/p' "$log" | tail -1)
  if [ -z "$passed" ] || [ -z "$failed" ]; then
    echo "=== browser: no summary"
    total_failed=$((total_failed + 1))
    return
  fi
  failed=$((failed + ${cancelled:-0}))
  if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
  total_passed=$((total_passed + passed))
  total_failed=$((total_failed + failed))
}
# Only on this run's build: never on a stale wasm/dist.
[ "$wasm_built" -eq 1 ] && run_browser_suite

echo "tests: $total_passed passed, $total_failed failed, $total_skipped skipped"
[ "$total_failed" -eq 0 ]
