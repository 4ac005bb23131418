#!/usr/bin/env bash
# Boots Debian's cloud kernel in orcvm with a busybox initramfs (init.sh).
#   scripted: the init runs its checks and powers off (ACPI S5); passes when orcvm
#             exits with status 0 and the init's lines equal boot.expected.
#   interactive: the init starts a shell that drive_shell.py types commands at.
# usage: run_boot_test.sh scripted|interactive ORCVM CACHE_DIR SSE2_CHECK_ELF [orcvm options...]
set -euo pipefail
mode="$1" orcvm="$2" cache="$3" sse2_check="$4"
shift 4
here="$(cd "$(dirname "$0")" && pwd)"
root="$here/../.."
"$root/scripts/fetch-linux-guest.sh" "$cache"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
python3 "$root/scripts/make-initramfs.py" "$work/initrd.gz" "$cache/busybox" "$here/init.sh" "bin/sse2-check=$sse2_check"
command=("$orcvm" -m 512M --initrd "$work/initrd.gz" "$@")
if [ "$mode" = interactive ]; then
  exec python3 "$here/drive_shell.py" 600 "${command[@]}" --append "console=ttyS0 panic=-1 quiet orcvm.interactive" \
    "$cache/vmlinuz"
fi
status=0
timeout 600 "${command[@]}" --append "console=ttyS0 panic=-1" "$cache/vmlinuz" > "$work/serial.txt" 2>&1 || status=$?
if ! diff <(tr -d '\r' < "$work/serial.txt" | grep '^orcvm-init:') "$here/boot.expected"; then
  echo "--- serial output (last 40 lines) ---"; tail -40 "$work/serial.txt"; exit 1
fi
[ "$status" -eq 0 ] || { echo "orcvm exited with status $status"; tail -20 "$work/serial.txt"; exit 1; }
echo "Linux booted to the end of init and powered off"
