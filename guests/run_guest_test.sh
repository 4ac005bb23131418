#!/usr/bin/env bash
# Runs one guest and checks it: the serial output must equal the host twin's
# stdout (or a checked-in expected file) byte for byte, and the guest must
# have written 0 to the exit device, which makes the emulator exit with 1.
#
# usage: run_guest_test.sh --elf GUEST.elf (--host HOST_EXE | --expected FILE)
#                          (--orcvm ORCVM [ORCVM_ARG...] | --qemu QEMU)
# Extra orcvm arguments also come from the environment variable
# ORCVM_GUEST_ARGS (split on whitespace), e.g. ORCVM_GUEST_ARGS=--tier=interp.
set -u

readonly TIMEOUT_SECONDS=60
elf= host= expected=
runner=()
while (($#)); do
    case $1 in
    --elf) elf=$2; shift 2 ;;
    --host) host=$2; shift 2 ;;
    --expected) expected=$2; shift 2 ;;
    --orcvm)
        # shellcheck disable=SC2206 # word splitting of ORCVM_GUEST_ARGS is intended
        runner=("$2" --serial stdio ${ORCVM_GUEST_ARGS:-} "${@:3}")
        break ;;
    --qemu)
        runner=("$2" -cpu max -m 128 -display none -serial stdio -monitor none -no-reboot
                -device isa-debug-exit,iobase=0xf4,iosize=4 -kernel)
        break ;;
    *) echo "run_guest_test.sh: unknown argument '$1'" >&2; exit 2 ;;
    esac
done
if [[ -z $elf || ${#runner[@]} -eq 0 || ( -z $host && -z $expected ) ]]; then
    echo "usage: run_guest_test.sh --elf ELF (--host EXE | --expected FILE) (--orcvm ORCVM [ARG...] | --qemu QEMU)" >&2
    exit 2
fi

# shellcheck source=guests/check_emulator_run.sh
source "$(dirname "${BASH_SOURCE[0]}")/check_emulator_run.sh"

if [[ -n $host ]]; then
    "$host" >"$scratch/want"
    host_status=$?
    if ((host_status != 0)); then
        echo "FAIL: host twin $host exited with $host_status" >&2
        cat "$scratch/want"
        exit 1
    fi
else
    cp "$expected" "$scratch/want"
fi

run_emulator "${runner[@]}" "$elf"
check_exit_status 1 "(the guest writes 0 to port 0xf4 on success)"
check_serial_output "$scratch/want" "${host:-$expected}"
exit_if_failed
echo "PASS: $(wc -c <"$scratch/got") bytes of output match"
