#!/usr/bin/env bash
# Builds and runs every StrataDB test suite, installing what they need first.
#
#   bash scripts/test.sh
#
# Suites: the native GoogleTest suites (RelWithDebInfo), the same suites
# under AddressSanitizer + UndefinedBehaviorSanitizer, the libFuzzer targets
# of the engine's decoders (scripts/fuzz.sh), then the wasm build
# and the Vitest suites of the TypeScript package (wasm/test, in Node),
# abstract-level's compliance suite against stratadb/level (wasm/test-level:
# Node, and each browser), the package in Chromium, Firefox and WebKit
# (wasm/test-browser), the
# dashboard's build and Vitest suites (web/test), and the built dashboard in
# the same three (web/test-e2e, screenshots in build/dashboard-screenshots).
# Ends
# with one line totalling every suite: "tests: N passed, N failed, N skipped".
#
# Long randomized and crash runs take a bounded budget by default; raise it
# with STRATA_MODEL_OPS (model test operations) and STRATA_KILL_ROUNDS
# (fork + SIGKILL rounds), STRATA_JS_MODEL_OPS, STRATA_JS_WORKLOAD_OPS and
# STRATA_JS_MEMORY_OPS (the Vitest model, workload and memory tests).
# STRATA_SKIP_SANITIZERS=1 skips the sanitizer pass. STRATA_FUZZ_SECONDS
# (default 10) is how long each libFuzzer target runs; STRATA_MACHINE_CRASH_ROUNDS
# (default 40) the rounds of the simulated machine-crash test.
set -uo pipefail
cd "$(dirname "$0")/.."

# The last line of a set-up or build step's failure ("<script>: error: ...")
# is repeated here, above the totals, so the cause is not lost in the log.
failure_causes=()
# Wall time of each part, printed at the end ("time: setup 27 s, ...").
phase_times=()
last_mark=$SECONDS
mark() {
  phase_times+=("$1 $((SECONDS - last_mark)) s")
  last_mark=$SECONDS
}
summarize_and_exit() {
  local cause
  echo "time: $(printf '%s, ' "${phase_times[@]}")total $SECONDS s"
  for cause in "${failure_causes[@]}"; do echo "FAILED $cause"; done
  echo "tests: $total_passed passed, $total_failed failed, $total_skipped skipped"
  [ "$total_failed" -eq 0 ]
  exit
}

jobs=$(nproc 2>/dev/null || echo 2)
total_passed=0
total_failed=0
total_skipped=0
mkdir -p build

# run_native_suite NAME BUILD_DIR [cmake args...]
run_native_suite() {
  local name=$1 dir=$2
  shift 2
  echo "=== $name: configure and build ($dir)"
  if ! cmake -S . -B "$dir" -G Ninja "$@" >"$dir.configure.log" 2>&1; then
    cat "$dir.configure.log"
    echo "=== $name: configure FAILED"
    failure_causes+=("$name: configure: $(grep -m1 'CMake Error' "$dir.configure.log" || echo "see $dir.configure.log")")
    total_failed=$((total_failed + 1))
    return
  fi
  if ! cmake --build "$dir" -j "$jobs"; then
    echo "=== $name: build FAILED"
    failure_causes+=("$name: build: the compiler's errors are above")
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


# Adds a Vitest JSON report's counts to the totals (NAME REPORT STATUS).
count_vitest() {
  local name=$1 report=$2 status=$3
  if [ ! -f "$report" ]; then
    echo "=== $name: no vitest report"
    total_failed=$((total_failed + 1))
    return
  fi
  local counts passed failed skipped
  # A file that fails to load has no failed test: count it as one failure.
  counts=$(node -e 'const r = require(process.argv[1]);
    const broken = r.testResults.filter((f) => f.status === "failed" &&
      !f.assertionResults.some((a) => a.status === "failed")).length;
    console.log(r.numPassedTests, r.numFailedTests + broken, r.numPendingTests + r.numTodoTests)' "$report")
  read -r passed failed skipped <<<"$counts"
  # Vitest fails a run for errors outside any test (an unhandled rejection)
  # that its report does not count.
  if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
    echo "=== $name: vitest exited $status with no failed test: counted as one failure"
    failed=1
  fi
  total_passed=$((total_passed + passed))
  total_failed=$((total_failed + failed))
  total_skipped=$((total_skipped + skipped))
}

# Runs Vitest in DIR and counts it (NAME DIR).
run_vitest() {
  local name=$1 dir=$2 report=$PWD/build/$1-vitest.json status=0
  echo "=== $name: vitest"
  rm -f "$report"
  (cd "$dir" && npx vitest run --reporter=default --reporter=json --outputFile="$report") || status=$?
  count_vitest "$name" "$report" "$status"
}

# Runs node --test over the files PATTERNS match in DIR and counts its TAP
# summary (NAME DIR PATTERNS...; quote the patterns: they expand in DIR).
run_node_tests() {
  local name=$1 dir=$2 log=$PWD/build/$1-tests.log status=0
  shift 2
  echo "=== $name: node --test $*"
  # The timeout bounds each file as a whole too (a browser suite runs every
  # test once per engine); each test has its own, shorter one.
  (cd "$dir" && node --test --test-reporter=tap --test-timeout=1200000 $*) 2>&1 | tee "$log" || status=$?
  local passed failed cancelled
  passed=$(sed -n 's/^# pass \([0-9]*\)$/\1/p' "$log" | tail -1)
  failed=$(sed -n 's/^# fail \([0-9]*\)$/\1/p' "$log" | tail -1)
  cancelled=$(sed -n 's/^# cancelled \([0-9]*\)$/\1/p' "$log" | tail -1)
  if [ -z "$passed" ] || [ -z "$failed" ]; then
    echo "=== $name: no summary"
    total_failed=$((total_failed + 1))
    return
  fi
  failed=$((failed + ${cancelled:-0}))
  if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
  total_passed=$((total_passed + passed))
  total_failed=$((total_failed + failed))
}

# Runs a tape suite (COMMAND prints TAP) and counts its assertions, as tape
# counts them (NAME COMMAND...).
run_tape() {
  local name=$1 log=$PWD/build/tape.log status passed failed
  shift
  echo "=== $name: $*"
  "$@" 2>&1 | tee "$log"
  status=${PIPESTATUS[0]}
  passed=$(sed -nE 's/^# pass +([0-9]+)$/\1/p' "$log" | tail -1)
  failed=$(sed -nE 's/^# fail +([0-9]+)$/\1/p' "$log" | tail -1)
  if [ -z "$passed" ]; then
    echo "=== $name: no tape summary"
    failure_causes+=("$name: $(grep -E 'error: ' "$log" | tail -1)")
    total_failed=$((total_failed + 1))
    return
  fi
  failed=${failed:-0}
  if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
  total_passed=$((total_passed + passed))
  total_failed=$((total_failed + failed))
}

# Runs a set-up, build or check step; a failure counts as one failed test
# and its cause (the step's last "error:" line) is kept for the summary
# (NAME CMD...).
step() {
  local name=$1 log=$PWD/build/step.log status cause
  shift
  echo "=== $name"
  "$@" 2>&1 | tee "$log"
  status=${PIPESTATUS[0]}
  if [ "$status" -ne 0 ]; then
    cause=$(grep -E '(^|: )error: ' "$log" | tail -1)
    echo "=== $name FAILED"
    failure_causes+=("$name: ${cause:-exit status $status}")
    total_failed=$((total_failed + 1))
    return 1
  fi
}

step "setup" bash scripts/setup.sh || summarize_and_exit
mark setup

run_native_suite native build/test -DCMAKE_BUILD_TYPE=RelWithDebInfo
mark native
if [ "${STRATA_SKIP_SANITIZERS:-0}" != 1 ]; then
  run_native_suite "native ASan+UBSan" build/asan -DCMAKE_BUILD_TYPE=Debug -DSTRATA_SANITIZE=ON \
    -DSTRATA_BUILD_BENCH=OFF
  mark sanitizers
fi

# The engine's decoders under libFuzzer, a bounded time each.
run_fuzz() {
  local log=$PWD/build/fuzz.log status passed failed
  echo "=== fuzz (STRATA_FUZZ_SECONDS=${STRATA_FUZZ_SECONDS:-10} per fuzzer)"
  bash scripts/fuzz.sh 2>&1 | tee "$log"
  status=${PIPESTATUS[0]}
  passed=$(grep -cE '^fuzz: [a-z_]+: ok' "$log")
  failed=$(grep -cE '^fuzz: [a-z_]+: FAILED' "$log")
  if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
    failed=1
    failure_causes+=("fuzz: $(grep -E 'error: ' "$log" | tail -1)")
  fi
  total_passed=$((total_passed + passed))
  total_failed=$((total_failed + failed))
}
run_fuzz
mark fuzz

# The wasm build, a strict type check of the package and its tests, Vitest,
# then the package in the browsers (only on this run's build, never on a
# stale wasm/dist).
if step "wasm: build" bash scripts/build-wasm.sh; then
  step "wasm: type check" bash -c 'cd wasm && npx tsc -p tsconfig.test.json'
  run_vitest wasm wasm
  # abstract-level's own compliance suite against stratadb/level.
  for setting in memory indexeddb worker; do
    run_tape "level: node $setting" bash -c "cd wasm && node test-level/node-suite.mjs $setting"
  done
  mark wasm
  # Each test browser (Chromium, Firefox, WebKit, or those STRATA_BROWSERS
  # names) is launched once first: one that does not start is one failure,
  # its cause on one line, and the browser suites run in the others.
  browsers=()
  for engine in $(tr ',' ' ' <<<"${STRATA_BROWSERS:-chromium,firefox,webkit}"); do
    step "browser: launch $engine" bash -c "cd wasm && node test-browser/launch-check.mjs $engine" && browsers+=("$engine")
  done
  export STRATA_BROWSERS
  STRATA_BROWSERS=$(IFS=,; echo "${browsers[*]}")
  [ -n "$STRATA_BROWSERS" ] && run_node_tests browser wasm 'test-browser/*.test.mjs'
  for engine in "${browsers[@]}"; do
    for setting in indexeddb worker; do
      run_tape "level: $engine $setting" bash -c "cd wasm && node test-level/browser-suite.mjs $engine $setting"
    done
  done
  mark browser
  # The dashboard: build (strict tsc, then vite), its unit tests, then the
  # built site in the same browsers.
  if step "web: build" bash scripts/build-web.sh; then
    run_vitest web web
    [ -n "$STRATA_BROWSERS" ] && run_node_tests web-e2e web 'test-e2e/*.test.mjs'
  fi
  mark web
fi

summarize_and_exit
