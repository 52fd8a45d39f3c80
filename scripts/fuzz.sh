#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz (clang, ASan + UBSan, in
# build/fuzz) and runs each for a bounded time, single-process, on seeds the
# engine itself writes (strata_fuzz_seeds, into build/fuzz/seeds, fresh each
# run):
#
#   bash scripts/fuzz.sh
#
# fuzz_table     SSTable files           fuzz_manifest   manifest records
# fuzz_wal       WAL segments            fuzz_job_codec  compaction jobs/results
#
# Each fuzzer starts from a fresh working corpus, build/fuzz/corpus/<name>,
# seeded with a copy of the seeds, and writes what it finds (a crash, a
# sanitizer report, a timeout, running out of memory) to
# build/fuzz/artifacts/<name>/; its log is build/fuzz/logs/<name>.log.
# Prints one line per fuzzer, "fuzz: <name>: ok (<N> runs in <S> s)" or
# "fuzz: <name>: FAILED (artifact: <path>)", then "fuzz: N passed, N failed",
# and exits non-zero if any failed. Replay an artifact with
# `build/fuzz/tests/fuzz/<name> <artifact>`.
#
# STRATA_FUZZ_SECONDS: seconds each fuzzer runs (default 10).
# Needs clang and libFuzzer (Debian: clang, libclang-rt-dev); no network.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${STRATA_FUZZ_SECONDS:-10}
build=build/fuzz
fuzzers=(fuzz_table fuzz_wal fuzz_manifest fuzz_job_codec)

# Runs a step with its output in a log, shown only if the step fails
# (NAME LOG CMD...).
quiet_step() {
  local name=$1 log=$2
  shift 2
  if ! "$@" >"$log" 2>&1; then
    tail -n 60 "$log"
    echo "fuzz: error: $name failed (log: $log)"
    exit 1
  fi
}

mkdir -p "$build/logs"
quiet_step configure "$build/logs/configure.log" \
  env CC=clang CXX=clang++ cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DSTRATA_FUZZ=ON -DSTRATA_BUILD_TESTS=OFF -DSTRATA_BUILD_BENCH=OFF
quiet_step build "$build/logs/build.log" \
  cmake --build "$build" -j "$(nproc 2>/dev/null || echo 2)" --target "${fuzzers[@]}" strata_fuzz_seeds

rm -rf "$build/seeds"
quiet_step "seed generation" "$build/logs/seeds.log" "$build/tests/fuzz/strata_fuzz_seeds" "$build/seeds"

# Stack traces with function names and lines, and UBSan's too.
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
symbolizer=$(command -v llvm-symbolizer || true)
[ -n "$symbolizer" ] && export ASAN_SYMBOLIZER_PATH=$symbolizer

passed=0
failed=0
for name in "${fuzzers[@]}"; do
  corpus=$build/corpus/$name
  artifacts=$build/artifacts/$name
  log=$build/logs/$name.log
  rm -rf "$corpus" "$artifacts"
  mkdir -p "$corpus" "$artifacts"
  cp -R "$build/seeds/${name#fuzz_}/." "$corpus/"
  status=0
  "$build/tests/fuzz/$name" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 \
    -artifact_prefix="$artifacts/" "$corpus" >"$log" 2>&1 || status=$?
  # libFuzzer's last words on a clean run: "Done 123456 runs in 10 second(s)".
  done_line=$(grep -E '^Done [0-9]+ runs in [0-9]+ second' "$log" | tail -1 || true)
  if [ "$status" -eq 0 ] && [ -n "$done_line" ]; then
    runs=$(echo "$done_line" | sed -E 's/^Done ([0-9]+) runs in ([0-9]+) second.*/\1/')
    secs=$(echo "$done_line" | sed -E 's/^Done ([0-9]+) runs in ([0-9]+) second.*/\2/')
    echo "fuzz: $name: ok ($runs runs in $secs s)"
    passed=$((passed + 1))
  else
    # "Test unit written to <path>" names the artifact; else whatever is there.
    artifact=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -1)
    [ -z "$artifact" ] && artifact=$(find "$artifacts" -type f | head -1)
    echo "fuzz: $name: FAILED (artifact: ${artifact:-none, exit status $status; log: $log})"
    failed=$((failed + 1))
  fi
done

echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
