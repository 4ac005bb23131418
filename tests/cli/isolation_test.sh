#!/usr/bin/env bash
# Code fetched from outside RAM runs as on hardware, in every tier: from
# unassigned space the CPU fetches all-ones (FF FF is an invalid FF /7: #UD),
# from the local APIC page it fetches the registers' bytes, and an instruction
# that runs off the end of RAM takes its last bytes from unassigned space. With no
# IDT the #UD ends in a triple fault, which orcvm reports with the first fault.
set -u
orcvm="$1"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0

expect_fault() {  # expect_fault NAME RAM CODE_BYTES FAULT_RIP
  local name=$1 ram=$2 code=$3 rip=$4 tier
  printf "$code" >"$work/$name.bin"
  for tier in interp jit auto; do
    "$orcvm" -m "$ram" --load 0x100000 --tier "$tier" "$work/$name.bin" >/dev/null 2>"$work/err"
    local status=$?
    if [ "$status" -ne 3 ] || ! grep -q "first fault was vector 6 error code 0x0 CR2 0x0 RIP $rip\$" "$work/err"; then
      echo "FAIL $name --tier $tier: status $status (want 3, #UD at $rip), stderr:"; cat "$work/err"
      failures=$((failures + 1))
    else
      echo "ok   $name --tier $tier: #UD at $rip"
    fi
  done
}

# mov eax, 0xe0000000; jmp eax: into the PCI hole.
expect_fault jump_to_unassigned 64M '\xb8\x00\x00\x00\xe0\xff\xe0' 0xe0000000
# mov eax, 0xfee00000; jmp eax: the zero registers run as ADD [EAX], AL (writes to
# the APIC's reserved offset 0 are ignored) up to the destination format register,
# whose 0xffffffff bytes hold the first invalid FF FF at 0xfee000e1.
expect_fault jump_into_local_apic 64M '\xb8\x00\x00\xe0\xfe\xff\xe0' 0xfee000e1
# Writes B8 78 at the last two bytes of 2 MiB of RAM and jumps there: MOV EAX, imm32
# takes its last three bytes from unassigned space, and the next fetch is all-ones.
expect_fault straddle_end_of_ram 2M \
  '\xc6\x05\xfe\xff\x1f\x00\xb8\xc6\x05\xff\xff\x1f\x00\x78\xb8\xfe\xff\x1f\x00\xff\xe0' 0x200003

[ "$failures" -eq 0 ] || { echo "$failures failure(s)"; exit 1; }
