#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/scripts/install-deps.sh"
"$root/scripts/build.sh"
build="${BUILD_DIR:-$root/build}"
cd "$build"
ctest --output-on-failure -j"$(nproc)" "$@"
# The guest programs and system kernels under ASan + UBSan (SANITIZE=0 skips them).
if [ "${SANITIZE:-1}" != 0 ]; then
  "$root/scripts/test-sanitizers.sh"
fi
# The libFuzzer harnesses, each for a bounded time (FUZZ_SECONDS=0 skips them).
if [ "${FUZZ_SECONDS:-60}" != 0 ]; then
  "$root/fuzz/run.sh" "${FUZZ_SECONDS:-60}"
fi
