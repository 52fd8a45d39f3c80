# How the set-up and build scripts report a failure: the tool's own output
# first, then one last line "<script>: error: <cause>", so that a reader (or
# scripts/test.sh, which repeats it above its totals) sees the step and the
# cause without digging through apt's or npm's output. Sourced; defines
# functions only. Set REPORT_AS to the script's name before using them.

# Prints the error line and exits 1.
die() {
  echo "${REPORT_AS:-strata}: error: $*" >&2
  exit 1
}

# run_quietly WHAT CMD...: runs CMD with its output kept aside; on failure
# prints the output's last 30 lines and dies naming WHAT, the exit status and
# the first line that looks like the tool's own diagnosis (apt's "E:", npm's
# "npm error code"/"npm ERR! code", CMake's "CMake Error").
run_quietly() {
  local what=$1 log status=0 cause
  shift
  log=$(mktemp)
  "$@" >"$log" 2>&1 || status=$?
  if [ "$status" -ne 0 ]; then
    tail -n 30 "$log" >&2
    cause=$(grep -m1 -E '^(E: |npm (error|ERR!) (code|network)|CMake Error|error:|Error:)' "$log" | cut -c1-300)
    rm -f "$log"
    die "$what failed (exit $status)${cause:+: $cause}"
  fi
  rm -f "$log"
}
