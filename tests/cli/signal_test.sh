#!/usr/bin/env bash
# SIGTERM, SIGINT and SIGHUP stop the guest and orcvm exits as a shell reports a
# signal (128 + N) with one line on stderr, after writing out what the guest had
# produced: the -D log ends with a complete line, the --serial file holds every
# byte written, --stats is printed. A halted VCPU wakes for the signal. In every tier.
set -u
orcvm="$1"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL $*"; failures=$((failures + 1)); }

# mov dx, 0x3f8; mov al, 'x'; 1: out dx, al; jmp 1b
printf '\x66\xba\xf8\x03\xb0\x78\xee\xeb\xfd' >"$work/print_loop.bin"
# sti; 1: hlt; jmp 1b (no interrupt source is programmed)
printf '\xfb\xf4\xeb\xfd' >"$work/halt_loop.bin"

# The print loop has filled the log's first buffer; the halt loop has had time to halt.
guest_is_running() {
  if [ "$1" = halt_loop ]; then sleep 0.5; [ -e "$work/log" ]
  else [ -e "$work/log" ] && [ "$(stat -c %s "$work/log")" -gt 8192 ]; fi
}

# run_until_signal NAME SIGNAL TIER: starts the guest, waits until its log has
# grown past the first buffer, sends SIGNAL and checks the exit.
run_until_signal() {
  local guest=$1 signal=$2 tier=$3 number
  number=$(kill -l "$signal")
  rm -f "$work/log" "$work/serial"
  "$orcvm" -m 16M --load 0x100000 --tier "$tier" -d exec,nochain -D "$work/log" \
    --serial "file:$work/serial" --stats "$work/$guest.bin" 2>"$work/err" &
  local pid=$! waited=0
  until guest_is_running "$guest"; do
    sleep 0.1
    waited=$((waited + 1))
    [ $waited -lt 300 ] || { kill -KILL $pid; fail "$guest $signal --tier $tier: no log after 30 s"; return; }
  done
  kill -"$signal" $pid
  local deadline=$((SECONDS + 20))
  while kill -0 $pid 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.1; done
  if kill -0 $pid 2>/dev/null; then
    kill -KILL $pid
    fail "$guest $signal --tier $tier: still running 20 s after the signal"
    return
  fi
  wait $pid
  local status=$? what="$guest $signal --tier $tier"
  [ $status -eq $((128 + number)) ] || fail "$what: exit status $status, want $((128 + number))"
  grep -q "^orcvm: terminating on signal $number (SIG$signal)\$" "$work/err" || fail "$what: no termination line on stderr"
  grep -q "^orcvm stats:" "$work/err" || fail "$what: --stats not printed"
  [ "$(tail -c 1 "$work/log" | od -An -c | tr -d ' ')" = '\n' ] || fail "$what: the -D log does not end with a complete line"
  if [ "$guest" = print_loop ]; then
    grep -q "block" "$work/log" || fail "$what: the -D log has no exec lines"
    [ -s "$work/serial" ] && ! tr -d x <"$work/serial" | grep -q . || fail "$what: the serial file is empty or holds other bytes"
  fi
  [ $failures -ne 0 ] || echo "ok   $what: exit $status, log and serial complete"
}

for tier in interp jit auto; do
  run_until_signal print_loop TERM "$tier"
  run_until_signal print_loop INT "$tier"
done
run_until_signal print_loop HUP auto
run_until_signal halt_loop TERM auto

[ "$failures" -eq 0 ] || { echo "$failures failure(s)"; exit 1; }
