#!/bin/sh
# The init of orcvm's Linux boot test: each line it prints is checked.
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t tmpfs tmpfs /tmp
echo "orcvm-init: started"
if grep -q orcvm.reboot /proc/cmdline; then
  echo "orcvm-init: rebooting"
  reboot -f
fi
if grep -q orcvm.panic /proc/cmdline; then
  echo "orcvm-init: panicking"
  echo c > /proc/sysrq-trigger
fi
if grep -q orcvm.interactive /proc/cmdline; then
  echo "orcvm-init: shell"
  exec sh
fi
echo "orcvm-init: arithmetic $((6 * 7)) $((1 << 20)) $((123456789 % 1000))"
echo "hello from tmpfs" > /tmp/file && echo "orcvm-init: tmpfs $(cat /tmp/file)"
if [ -x /bin/sse2-check ]; then echo "orcvm-init: $(/bin/sse2-check)"; fi
if dmesg | grep -E "BUG|WARNING|Oops" >/dev/null; then echo "orcvm-init: dmesg has errors"; else echo "orcvm-init: dmesg clean"; fi
echo "orcvm-init: powering off"
poweroff -f
