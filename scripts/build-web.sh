#!/usr/bin/env bash
# Builds the dashboard (web/) into web/dist: a static site that works from
# any host under any sub-path. Needs the package built first
# (scripts/build-wasm.sh), which web/ depends on as a local file package.
# A failure ends with one line "build-web: error: ...".
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/report.sh
REPORT_AS=build-web
cd web
# npm ci only when the lock file changed since the last install.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  run_quietly "npm ci in web/ (packages from registry.npmjs.org)" npm ci --no-audit --no-fund --loglevel=error
fi
npm run --silent build || die "building the dashboard (tsc, then vite) failed (see above)"
echo "build-web: web/dist is $(du -sh dist | cut -f1) ($(find dist -type f | wc -l) files)"
