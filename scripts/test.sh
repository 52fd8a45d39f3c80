#!/usr/bin/env bash
# Builds and runs every StrataDB test suite, installing what they need first.
#
#   bash scripts/test.sh
#
# Suites: the native GoogleTest suites (RelWithDebInfo), then the same suites
# under AddressSanitizer + UndefinedBehaviorSanitizer. Ends with one line
# totalling every suite: "tests: N passed, N failed".
#
# Long randomized and crash runs take a bounded budget by default; raise it
# with STRATA_MODEL_OPS (model test operations) and STRATA_KILL_ROUNDS
# (fork + SIGKILL rounds). STRATA_SKIP_SANITIZERS=1 skips the sanitizer pass.
set -uo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh || { echo "setup failed"; echo "tests: 0 passed, 1 failed"; exit 1; }

jobs=$(nproc 2>/dev/null || echo 2)
total_passed=0
total_failed=0

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

echo "tests: $total_passed passed, $total_failed failed"
[ "$total_failed" -eq 0 ]
