#!/usr/bin/env bash
# Runs one system test kernel in QEMU or orcvm and checks it: the serial output
# must equal the checked-in expected file byte for byte, and the emulator must
# exit with the expected status (1: the kernel wrote 0 to isa-debug-exit).
#
# usage: run_sys_test.sh --name NAME --elf KERNEL.elf --expected FILE [--status N]
#                        [--stderr REGEX] (--qemu QEMU | --orcvm ORCVM [ORCVM_ARG...])
# --stderr: the run's stderr must match REGEX (grep -E).
# ORCVM_SYS_UPDATE_EXPECTED=1 rewrites the expected file from a QEMU run.
# With a --qemu path that is not an executable (QEMU not found at configure time) the
# test is skipped with exit status 77 (ctest SKIP_RETURN_CODE).
set -u

readonly TIMEOUT_SECONDS=30
readonly SKIP=77
name= elf= expected= want_status=1 qemu= use_qemu=0 stderr_pattern=
runner=()
while (($#)); do
    case $1 in
    --name) name=$2; shift 2 ;;
    --elf) elf=$2; shift 2 ;;
    --expected) expected=$2; shift 2 ;;
    --status) want_status=$2; shift 2 ;;
    --stderr) stderr_pattern=$2; shift 2 ;;
    --qemu) use_qemu=1; qemu=$2; shift 2 ;;
    --orcvm) runner=("$2" --serial stdio -m 128M "${@:3}"); break ;;
    *) echo "run_sys_test.sh: unknown argument '$1'" >&2; exit 2 ;;
    esac
done
if ((use_qemu)); then
    if [[ -z $qemu ]] || ! command -v "$qemu" >/dev/null; then
        echo "SKIP: qemu-system-x86_64 is not installed, so sys.$name.qemu cannot run (install qemu-system-x86 and re-run cmake)"
        exit $SKIP
    fi
    runner=("$qemu" -accel tcg -cpu max -m 128M -display none -serial stdio -monitor none -no-reboot
            -device isa-debug-exit,iobase=0xf4,iosize=4 -kernel)
fi
if [[ -z $elf || -z $expected || ${#runner[@]} -eq 0 ]]; then
    echo "usage: run_sys_test.sh --name NAME --elf ELF --expected FILE [--status N] (--qemu QEMU | --orcvm ORCVM [ARG...])" >&2
    exit 2
fi

# shellcheck source=guests/check_emulator_run.sh
source "$(dirname "${BASH_SOURCE[0]}")/../check_emulator_run.sh"

run_emulator "${runner[@]}" "$elf"

# ORCVM_SYS_UPDATE_EXPECTED=1 (QEMU runs only): the output becomes the new
# expected file, to be reviewed before it is committed.
if ((use_qemu)) && [[ ${ORCVM_SYS_UPDATE_EXPECTED:-0} == 1 ]] && ((run_status == want_status)); then
    cp "$scratch/got" "$expected"
    echo "updated $expected"
fi

check_exit_status "$want_status"
if [[ -n $stderr_pattern ]] && ! grep -Eq "$stderr_pattern" "$scratch/stderr"; then
    fail "stderr does not match '$stderr_pattern'"
fi
check_serial_output "$expected" "$expected"
exit_if_failed
echo "PASS: $(grep -c '^PASS' "$scratch/got") checks, $(wc -c <"$scratch/got") bytes of output match"
