#!/usr/bin/env bash
# Bad input ends in one clear line on stderr and a non-zero exit, never a crash.
set -u
orcvm="$1"
guest="$2"
multiboot_kernel="$3"
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

# A bzImage header (protocol 2.15, 64-bit, relocatable to 16 MiB, init_size 8 MiB)
# in front of 4 KiB of protected-mode kernel; loader/linux_boot.h has the fields.
put_le() {  # put_le FILE OFFSET SIZE VALUE: VALUE little-endian at OFFSET
  local bytes="" i
  for ((i = 0; i < $3; i++)); do bytes+=$(printf '\\%03o' $(( ($4 >> (8 * i)) & 0xff ))); done
  printf "$bytes" | dd of="$1" bs=1 seek=$(($2)) conv=notrunc status=none
}
bz="$work/bzImage"
head -c $((5 * 512 + 0x1000)) /dev/zero >"$bz"
printf 'HdrS' | dd of="$bz" bs=1 seek=$((0x202)) conv=notrunc status=none
for field in 0x1f1:1:4 0x1f4:4:0x100 0x1fe:2:0xaa55 0x200:1:0xeb 0x201:1:0x6a 0x206:2:0x020f 0x211:1:1 \
             0x214:4:0x100000 0x22c:4:0x7fffffff 0x230:4:0x200000 0x234:1:1 0x236:2:3 0x238:4:2047 \
             0x258:8:0x1000000 0x260:4:0x800000; do
  IFS=: read -r offset size value <<<"$field"
  put_le "$bz" "$offset" "$size" "$value"
done
cp "$bz" "$work/bad_boot_flag"
put_le "$work/bad_boot_flag" 0x1fe 2 0x1234
cp "$bz" "$work/old_protocol"
put_le "$work/old_protocol" 0x206 2 0x0205
head -c $((0x230)) "$bz" >"$work/truncated_bzimage"
truncate -s 30M "$work/big_initrd"

expect garbage 2 "not a multiboot kernel or an ELF" -- "$work/garbage"
expect corrupt_bzimage 2 "bad boot flag 0x1234 at 0x1fe" -- "$work/bad_boot_flag"
expect old_bzimage 2 "boot protocol version 2.05 is too old" -- "$work/old_protocol"
expect truncated_bzimage 2 "inside its setup header \(truncated\?\)" -- "$work/truncated_bzimage"
expect missing_initrd 2 "initrd '.*no-such-initrd': .*not a readable file" -- --initrd "$work/no-such-initrd" "$bz"
expect oversized_initrd 2 "the initrd '.*big_initrd' \(0x1e00000 bytes\) does not fit in RAM" -- -m 32M --initrd "$work/big_initrd" "$bz"
expect bzimage_ram_for_init_size 2 "needs 0x800000 bytes of RAM from 0x1000000 for its init_size \(use -m 25M or more\)" -- -m 16M "$bz"
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
expect ram_not_whole_pages 2 "whole number of 4 KiB pages" -- -m 3001K "$guest"
expect ram_beyond_address_space 2 "36-bit physical address space" -- -m 64G "$guest"

# A file is measured before it is read: a sparse 4 GiB file is refused at once.
truncate -s 4G "$work/huge"
start=$(date +%s%N)
expect huge_kernel 2 "more than the guest's" -- "$work/huge"
expect huge_module 2 "module '.*huge': .* more than the guest's" -- --initrd "$work/huge" "$multiboot_kernel"
elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
if [ "$elapsed_ms" -gt 1000 ]; then
  echo "FAIL huge files: refused after $elapsed_ms ms (want under 1 s)"; failures=$((failures + 1))
else
  echo "ok   huge files: refused in $elapsed_ms ms"
fi
# Within RAM, only the first 8 KiB are read before the format is known.
head -c $((100 << 20)) /dev/zero >"$work/zeros"
expect zeros_not_a_kernel 2 "not a multiboot kernel or an ELF" -- -m 256M "$work/zeros"

# Output files are opened only after every check passed: a rejected command line
# or kernel leaves them as they were, and creates none.
for bad in "--tier=fast $guest" "$work/garbage" "-m 3001K $guest"; do
  printf 'keep me\n' >"$work/serial.out"
  printf 'keep me\n' >"$work/log.out"
  # shellcheck disable=SC2086 # $bad is a list of arguments
  "$orcvm" --serial "file:$work/serial.out" -d exec -D "$work/log.out" $bad >/dev/null 2>&1
  # shellcheck disable=SC2086
  "$orcvm" --serial "file:$work/new_serial.out" -D "$work/new_log.out" $bad >/dev/null 2>&1
  if [ "$(cat "$work/serial.out")" != "keep me" ] || [ "$(cat "$work/log.out")" != "keep me" ] ||
     [ -e "$work/new_serial.out" ] || [ -e "$work/new_log.out" ]; then
    echo "FAIL outputs_untouched ($bad): an output file was created or changed"; failures=$((failures + 1))
  else
    echo "ok   outputs_untouched ($bad)"
  fi
done
# ...and a good run writes them.
"$orcvm" --serial "file:$work/serial.out" -d exec -D "$work/log.out" "$guest" >/dev/null 2>&1
if [ ! -s "$work/serial.out" ] || grep -q "keep me" "$work/serial.out" || ! grep -q "^exec:" "$work/log.out"; then
  echo "FAIL outputs_written: serial or log output missing"; failures=$((failures + 1))
else
  echo "ok   outputs_written"
fi

[ "$failures" -eq 0 ]
