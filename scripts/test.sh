#!/usr/bin/env bash
# Build everything and run every test (the README's test command).
# On a fresh Debian 12 machine, as root: installs what is missing,
# builds twice (the plain -Werror build, and the ASan+UBSan build that the
# suite runs against), runs every test and ends with "N passed, N failed".
#   scripts/test.sh [t/NNN-file.t ...]
# Env: OCH_SANITIZERS=0 runs the suite on the plain build instead.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

scripts/deps.sh

jobs=$(nproc 2>/dev/null || echo 2)
if [ ! -x configure ] || [ configure.ac -nt configure ] || [ Makefile.am -nt configure ]; then
	autoreconf -fi >/dev/null
fi

build() {	# dir, configure args...
	local dir=$1; shift
	mkdir -p "$dir"
	(cd "$dir" &&
	 { [ -f Makefile ] || "$top/configure" -q "$@"; } &&
	 make -s -j"$jobs" all >/dev/null &&
	 make -s -j"$jobs" check TESTS= >/dev/null)
}

echo "== build (plain, -Werror)"
build build
# the libFuzzer harnesses (fuzz/): a clang tree of the library and the
# harnesses only, when the whole suite runs or t/015-fuzz.t is named
if [ $# -eq 0 ] || [[ " $* " == *015-fuzz* ]]; then
	echo "== build (clang, libFuzzer + ASan+UBSan: fuzz/)"
	mkdir -p build-fuzz
	(cd build-fuzz &&
	 { [ -f Makefile ] || "$top/configure" -q CC=clang --enable-fuzzing; } &&
	 make -s -j"$jobs" fuzz >/dev/null)
	export OCH_FUZZ_BUILDDIR="$top/build-fuzz"
fi
if [ "${OCH_SANITIZERS:-1}" = 1 ]; then
	echo "== build (ASan+UBSan)"
	build build-san --enable-sanitizers
	export OCH_BUILDDIR="$top/build-san"
	export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:detect_stack_use_after_return=0"
	export UBSAN_OPTIONS="print_stacktrace=1"
else
	export OCH_BUILDDIR="$top/build"
fi
export OCH_SRCDIR="$top"

echo "== tests (against $OCH_BUILDDIR)"
exec perl t/run "$@"
