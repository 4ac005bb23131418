#!/usr/bin/env bash
# Installs what is missing, builds orcvm and runs the bundled demo guest.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/scripts/install-deps.sh"
"$root/scripts/build.sh"
build="${BUILD_DIR:-$root/build}"
echo "--- orcvm $build/guests/sieve.elf"
set +e
"$build/orcvm" --stats "$build/guests/sieve.elf"
status=$?
set -e
echo "--- guest exit status $status (isa-debug-exit: (0 << 1) | 1 = 1 means success)"
[ "$status" -eq 1 ]
