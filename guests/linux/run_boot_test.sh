#!/usr/bin/env bash
# Boots Debian's cloud kernel in orcvm with a busybox initramfs (init.sh).
#   scripted: the init runs its checks and powers off (ACPI S5); passes when orcvm
#             exits with status 0 and the init's lines equal boot.expected.
#   interactive: the init starts a shell that drive_shell.py types commands at.
#   reboot, panic: the init runs `reboot -f`, or crashes the kernel through sysrq with
#             panic=-1; either resets the machine, which orcvm (--on-reset exit) ends
#             with status 3 and a line saying so.
# usage: run_boot_test.sh scripted|interactive|reboot|panic ORCVM CACHE_DIR SSE2_CHECK_ELF [orcvm options...]
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
if [ "$mode" = reboot ] || [ "$mode" = panic ]; then
  status=0
  timeout 600 "${command[@]}" --on-reset exit --append "console=ttyS0 panic=-1 orcvm.$mode" "$cache/vmlinuz" \
    > "$work/serial.txt" 2> "$work/stderr.txt" || status=$?
  want="orcvm-init: rebooting"
  [ "$mode" = panic ] && want="Kernel panic"
  # grep -q leaves a pipe early, and pipefail would blame tr's SIGPIPE: no pipe.
  tr -d '\r' < "$work/serial.txt" > "$work/serial.clean"
  if ! grep -q "$want" "$work/serial.clean"; then
    echo "no '$want' on the console"; tail -40 "$work/serial.txt"; exit 1
  fi
  [ "$status" -eq 3 ] || { echo "orcvm exited with status $status, want 3 (reset)"; cat "$work/stderr.txt"; exit 1; }
  grep -qi "reset" "$work/stderr.txt" || { echo "orcvm did not say the guest reset:"; cat "$work/stderr.txt"; exit 1; }
  echo "Linux ${mode}ed the machine; orcvm ended with status 3: $(head -1 "$work/stderr.txt")"
  exit 0
fi
status=0
timeout 600 "${command[@]}" --append "console=ttyS0 panic=-1" "$cache/vmlinuz" > "$work/serial.txt" 2>&1 || status=$?
if ! diff <(tr -d '\r' < "$work/serial.txt" | grep '^orcvm-init:') "$here/boot.expected"; then
  echo "--- serial output (last 40 lines) ---"; tail -40 "$work/serial.txt"; exit 1
fi
[ "$status" -eq 0 ] || { echo "orcvm exited with status $status"; tail -20 "$work/serial.txt"; exit 1; }
echo "Linux booted to the end of init and powered off"
