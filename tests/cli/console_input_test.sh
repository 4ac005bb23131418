#!/usr/bin/env bash
# --serial stdio feeds stdin to the UART: a guest that echoes what it receives
# until a 'q' gets every piped byte, in order, in every tier.
set -u
orcvm="$1"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0

# 1: mov dx, 0x3fd; in al, dx; test al, 1; jz 1b       (wait for data ready)
#    mov dx, 0x3f8; in al, dx; cmp al, 'q'; je 2f; out dx, al; jmp 1b
# 2: mov dx, 0xf4; mov al, 0x10; out dx, al            (exit status 33)
printf '\x66\xba\xfd\x03\xec\xa8\x01\x74\xf7\x66\xba\xf8\x03\xec\x3c\x71\x74\x03\xee\xeb\xeb\x66\xba\xf4\x00\xb0\x10\xee' \
  >"$work/echo.bin"
input=$'typed at the console\nsecond line 0123456789 (every letter but the one that ends it)\n'
for tier in interp jit auto; do
  status=0
  printf '%sq' "$input" | timeout 60 "$orcvm" -m 16M --load 0x100000 --tier "$tier" "$work/echo.bin" \
    >"$work/out" 2>"$work/err" || status=$?
  if [ "$status" -ne 33 ]; then
    echo "FAIL --tier $tier: exit status $status, want 33: $(cat "$work/err")"; failures=$((failures + 1))
  elif [ "$(cat "$work/out")" != "${input%$'\n'}" ]; then
    echo "FAIL --tier $tier: echoed '$(cat "$work/out")'"; failures=$((failures + 1))
  else
    echo "ok --tier $tier"
  fi
done
exit $((failures > 0))
