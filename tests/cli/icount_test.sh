#!/usr/bin/env bash
# --icount: a guest that measures time with the RTC, the TSC, the PIT, the ACPI
# PM timer, the LAPIC timer and a TSC-deadline timer prints exactly the same in
# two runs and in every tier. Without --icount two runs differ, which shows that
# the guest really depends on time.
set -u
orcvm="$1"
guest="$2"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0

fail() {
  echo "FAIL $1"
  failures=$((failures + 1))
}

run() {  # run NAME ARGS...: the guest's output to $work/NAME; it must exit with status 1
  local name=$1
  shift
  "$orcvm" "$@" "$guest" >"$work/$name" 2>"$work/$name.err"
  local status=$?
  [ "$status" -eq 1 ] || fail "$name: status $status (want 1), stderr '$(cat "$work/$name.err")'"
}

run first --icount
run second --icount
run interp --icount --tier=interp
run jit --icount --tier=jit
run host_a
run host_b
head -1 "$work/first" | grep -qx 'rtc 2000-01-01 00:00:00' || fail "the RTC does not start at 2000-01-01: $(head -1 "$work/first")"
for name in second interp jit; do
  if diff -u "$work/first" "$work/$name"; then echo "ok   --icount $name run prints the same"; else fail "--icount: the $name run differs"; fi
done
cmp -s "$work/host_a" "$work/host_b" && fail "two runs on host time printed the same: the guest does not measure time"
echo "--icount output:"
cat "$work/first"
[ "$failures" -eq 0 ]
