#!/usr/bin/env bash
# Bad input ends in one clear line on stderr and a non-zero exit, never a crash.
set -u
orcvm="$1"
guest="$2"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0

expect() {  # expect NAME STATUS REGEX -- ARGS...
  local name=$1 status=$2 regex=$3
  shift 4
  "$orcvm" "$@" >"$work/out" 2>"$work/err"
  local got=$?
  local lines
  lines=$(wc -l <"$work/err")
  if [ "$got" -ne "$status" ] || ! grep -Eq -- "$regex" "$work/err" || [ "$lines" -gt 2 ]; then
    echo "FAIL $name: status $got (want $status), stderr:"; cat "$work/err"
    failures=$((failures + 1))
  else
    echo "ok   $name: $(head -1 "$work/err")"
  fi
}

printf 'not an elf at all' >"$work/garbage"
head -c 100 "$guest" >"$work/truncated"
cp "$guest" "$work/bad_phoff"
printf '\xff\xff\xff\xff' | dd of="$work/bad_phoff" bs=1 seek=32 conv=notrunc status=none

expect garbage 2 "not a multiboot kernel or an ELF" -- "$work/garbage"
expect truncated 2 "truncated|outside the file" -- "$work/truncated"
expect bad_program_headers 2 "outside the file|truncated" -- "$work/bad_phoff"
expect missing 2 "not a readable file" -- "$work/does-not-exist"
expect directory 2 "not a readable file" -- "$work"
expect unknown_option 2 "unrecognised option|unknown option" -- --frobnicate "$guest"
expect bad_memory 2 "is not a size" -- -m 12Q "$guest"
expect bad_debug_item 2 "unknown -d item" -- -d bogus "$guest"
expect bad_tier 2 "--tier must be" -- --tier=fast "$guest"
expect too_little_ram 2 "does not fit|at least 2 MiB" -- -m 1M "$guest"
expect two_cpus 2 "only 1 CPU is supported" -- --smp 2 "$guest"
expect bad_cpu_count 2 "is not a number of CPUs" -- --smp=many "$guest"
expect bad_on_reset 2 "--on-reset must be exit or restart" -- --on-reset=reboot "$guest"

# --smp 1 is accepted.
"$orcvm" --smp 1 "$guest" >/dev/null 2>"$work/err"
if [ $? -ne 1 ] || [ -s "$work/err" ]; then
  echo "FAIL one_cpu: --smp 1 did not run the guest: $(cat "$work/err")"
  failures=$((failures + 1))
else
  echo "ok   one_cpu: --smp 1 runs the guest"
fi
[ "$failures" -eq 0 ]
