#!/usr/bin/env bash
# Builds the x87 kernels' cases (x87_host.c) and the x87_32 kernel's workload
# (x87_32_host.c) for this x86-64 host, runs them on the host's x87 and compares
# their output with the part of guests/sys/x87.expected, x87_sdm.expected and
# x87_32.expected that the kernels print before their orcvm-side checks.
# The expected files hold this AMD host's answers where vendors differ (the SDM
# leaves them undefined, docs/semantics.md), so another host reports SKIP (77).
set -euo pipefail
if [[ $(uname -m) != x86_64 ]] || ! grep -q '^vendor_id.*AuthenticAMD' /proc/cpuinfo; then
  echo "SKIP: the x87 expected files are checked on an x86-64 AMD host's x87; this host is another"
  exit 77
fi
here="$(cd "$(dirname "$0")" && pwd)"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
cc="${CC:-cc}"
"$cc" -O1 -Wall -Wno-unused-function -o "$scratch/x87_host" "$here/x87_host.c"
"$cc" -O2 -fno-math-errno -Wall -o "$scratch/x87_32_host" "$here/x87_32_host.c" "$here/../x87_32_workload.c"
status=0
compare() {  # KERNEL COMMAND...: COMMAND's output against the start of KERNEL.expected
  local kernel=$1
  shift
  "$@" >"$scratch/host"
  head -n "$(wc -l <"$scratch/host")" "$here/../$kernel.expected" >"$scratch/expected"
  if diff -u "$scratch/expected" "$scratch/host"; then
    echo "PASS: $(wc -l <"$scratch/host") lines of guests/sys/$kernel.expected match this host's x87"
  else
    echo "FAIL: guests/sys/$kernel.expected differs from this host's x87 (- expected, + host)"
    status=1
  fi
}
compare x87 "$scratch/x87_host" x87
compare x87_sdm "$scratch/x87_host" x87_sdm
compare x87_32 "$scratch/x87_32_host"
exit $status
