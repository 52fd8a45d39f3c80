#!/usr/bin/env bash
# Installs every build, test and benchmark dependency of StrataDB on a
# Debian 12 machine: the native toolchain and libraries, and Emscripten for
# the wasm build (zlib and protobuf for wasm come from Debian's source
# packages, built by scripts/wasm-deps.sh; npm packages from the registry by
# scripts/build-wasm.sh). Idempotent: quiet and quick when all is present.
# A failure ends with one line "setup: error: ..." naming the cause.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/report.sh
REPORT_AS=setup

packages=(
  build-essential cmake ninja-build   # g++ (with ASan/UBSan), CMake, Ninja
  protobuf-compiler libprotobuf-dev zlib1g-dev
  libgtest-dev libgmock-dev
  clang-format
  clang libclang-rt-14-dev            # libFuzzer targets (scripts/fuzz.sh)
  libleveldb-dev librocksdb-dev       # strata_bench's reference engines
  emscripten                          # the wasm build (3.1.6)
  chromium                            # headless browser for the browser benchmark and tests
  firefox-esr                         # the browser tests in Firefox (WebDriver BiDi)
  webkit2gtk-driver                   # ... in WebKit: WebKitWebDriver and MiniBrowser
  xvfb                                # the X display MiniBrowser needs
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || die "installing packages needs root or sudo; missing: ${missing[*]}"
    SUDO="sudo"
  fi
  export DEBIAN_FRONTEND=noninteractive
  run_quietly "apt-get update" $SUDO apt-get update -qq
  run_quietly "apt-get install ${missing[*]}" $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# Node.js 20.19+ runs the TypeScript build, Vitest (Vite 8 wants 20.19) and
# the wasm benchmark. Debian 12's own nodejs is 18, too old for them: this
# kind of machine comes with Node 20, which is what we check for.
if ! node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)' 2>/dev/null; then
  die "Node.js 20.19 or newer is required (found: $(node --version 2>/dev/null || echo none))"
fi

# Emscripten's compiler must run (its JS optimizer needs Debian's acorn).
NODE_PATH=/usr/share/nodejs emcc --version >/dev/null 2>&1 ||
  die "emcc does not run: $(NODE_PATH=/usr/share/nodejs emcc --version 2>&1 | grep -m1 -iE 'error|cannot' || echo 'no output')"
