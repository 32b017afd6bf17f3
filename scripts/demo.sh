#!/usr/bin/env bash
# Start the whole system locally (the README's first command): installs
# what is missing, builds, then runs PostgreSQL (data under var/),
# och-cloudsim, the FastCGI binaries, nginx on 127.0.0.1:8080, the poller
# and the dashboard, and prints where to log in.  Ctrl-C stops it all.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
scripts/deps.sh
if [ ! -x configure ] || [ configure.ac -nt configure ]; then
	autoreconf -fi >/dev/null
fi
mkdir -p build
(cd build && { [ -f Makefile ] || ../configure -q; } && make -s -j"$(nproc)" >/dev/null)
if [ -f webapp/package.json ] && [ ! -f webapp/dist/index.html ]; then
	(cd webapp && npm ci --no-audit --no-fund >/dev/null && npm run -s build >/dev/null) ||
	    echo "warning: the dashboard did not build; the API runs without it" >&2
fi
export OCH_SRCDIR="$top" OCH_BUILDDIR="$top/build"
exec perl -I"$top/t/lib" scripts/demo.pl "$@"
