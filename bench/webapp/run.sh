#!/bin/sh
# The dashboard's production bundle: builds webapp/ and writes what a
# browser fetches for the first page (gzipped) and each chunk loaded on
# demand to bench/webapp/bundle.md; exits 1 when the initial load is over
# 250 KiB gzipped.  Needs node_modules (cd webapp && npm ci).
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top/webapp"
npm run build >/dev/null
node scripts/bundle-report.mjs --md "$top/bench/webapp/bundle.md" --max-kb 250
