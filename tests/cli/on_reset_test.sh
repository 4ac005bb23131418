#!/usr/bin/env bash
# --on-reset. exit (the default, QEMU's -no-reboot): the guest's first reset ends
# orcvm with one line on stderr and status 3. restart: every reset source (the
# i8042 pulse, port 0xcf9, port 0x92, the i8042 output port, a triple fault)
# reboots the guest, which counts its boots in CMOS RAM and checks that RAM was
# cleared, the kernel reloaded and the A20 gate reset, in each tier.
set -u
orcvm="$1"
guest="$2"
expected="$3"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0

fail() {
  echo "FAIL $1"
  failures=$((failures + 1))
}

"$orcvm" "$guest" >"$work/out" 2>"$work/err"
status=$?
[ "$status" -eq 3 ] || fail "exit: status $status (want 3)"
[ "$(cat "$work/err")" = "orcvm: guest requested a reset (i8042 reset (port 0x64 <- 0xfe))" ] ||
  fail "exit: stderr is '$(cat "$work/err")'"
[ "$(grep -c '^boot' "$work/out")" -eq 1 ] || fail "exit: the guest booted more than once"
[ "$failures" -eq 0 ] && echo "ok   exit: one boot, status 3, $(cat "$work/err")"

# -d cpu_reset names each reset, so a stray triple fault cannot stand in for another source.
sources=("i8042 reset \(port 0x64 <- 0xfe\)" "reset control register \(port 0xcf9\)" "fast reset \(port 0x92\)"
         "i8042 output port \(reset bit cleared\)" "triple fault \(shutdown\)")
for tier in auto interp jit; do
  "$orcvm" --on-reset=restart -d cpu_reset --tier="$tier" "$guest" >"$work/out" 2>"$work/err"
  status=$?
  before=$failures
  [ "$status" -eq 1 ] || fail "restart --tier=$tier: status $status (want 1)"
  diff -u "$expected" "$work/out" || fail "restart --tier=$tier: output differs from $expected"
  [ "$(wc -l <"$work/err")" -eq "${#sources[@]}" ] || fail "restart --tier=$tier: stderr is '$(cat "$work/err")'"
  for i in "${!sources[@]}"; do
    sed -n "$((i + 1))p" "$work/err" | grep -Eq "^cpu_reset: .*${sources[$i]}.*; restart $((i + 1))\$" ||
      fail "restart --tier=$tier: restart $((i + 1)) was not '${sources[$i]}': $(sed -n "$((i + 1))p" "$work/err")"
  done
  [ "$failures" -eq "$before" ] && echo "ok   restart --tier=$tier: $(grep -c '^boot' "$work/out") boots"
done
[ "$failures" -eq 0 ]
