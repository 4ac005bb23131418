#!/usr/bin/env bash
# Runs the guest programs and the system test kernels (the ctest labels guest and sys,
# without the QEMU reference runs and the .host checks of the host CPU, which run no
# orcvm) under an orcvm built with ASan and UBSan, so that a silent out-of-bounds
# write or undefined behaviour in orcvm fails CI. The build is the
# fuzzers' (fuzz/configure.sh, build-fuzz/), so orcvm's libraries are compiled once for
# both. A sanitizer report, leaks included, ends orcvm with status 66, which no test
# expects.
#
#   scripts/test-sanitizers.sh [CTEST_ARGS...]
#
# Environment: BUILD_DIR (default build-fuzz), JOBS (default 2).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${BUILD_DIR:-$root/build-fuzz}"
jobs="${JOBS:-2}"

start=$(date +%s)
"$root/fuzz/configure.sh" "$root" "$build"
ninja -C "$build" -j "$jobs" orcvm guest_test_programs sys_kernels
built=$(date +%s)
echo "test-sanitizers.sh: built in $((built - start)) s"

cd "$build"
export ASAN_OPTIONS=detect_leaks=1:exitcode=66
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:exitcode=66
ctest --output-on-failure -j"$jobs" -L '^(guest|sys)$' -E '\.(qemu|host)$' "$@"
echo "test-sanitizers.sh: tests ran in $(($(date +%s) - built)) s"
