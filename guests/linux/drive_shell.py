#!/usr/bin/env python3
"""Drives the guest's shell through orcvm's serial console as a person would: waits
for the prompt, types a command, reads its output, and at the end powers off.
Passes when every answer comes back and orcvm exits with status 0.

usage: drive_shell.py TIMEOUT_SECONDS ORCVM_COMMAND..."""
import os
import select
import subprocess
import sys
import time

EXCHANGES = [  # (typed line, text its output must contain)
    ("echo typed $((2 + 3))", "typed 5"),
    ("echo abc > /tmp/f; cat /tmp/f", "abc"),
    ("uname -s", "Linux"),
]


def main(argv):
    deadline = time.monotonic() + float(argv[1])
    guest = subprocess.Popen(argv[2:], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    seen = b""

    def wait_for(text):
        nonlocal seen
        while text.encode() not in seen:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or guest.poll() is not None:
                sys.stdout.write(seen.decode(errors="replace")[-3000:])
                guest.kill()
                sys.exit(f"\ndrive_shell: never saw {text!r}")
            ready, _, _ = select.select([guest.stdout], [], [], min(remaining, 1.0))
            if ready:
                seen += os.read(guest.stdout.fileno(), 65536)
        seen = seen[seen.index(text.encode()) + len(text):]

    def type_line(line):
        for ch in (line + "\n").encode():  # one key at a time, as typed
            guest.stdin.write(bytes([ch]))
            guest.stdin.flush()
            time.sleep(0.01)

    wait_for("orcvm-init: shell")
    wait_for("# ")
    for command, answer in EXCHANGES:
        type_line(command)
        wait_for(answer)
        wait_for("# ")
        print(f"typed {command!r}, read {answer!r}")
    type_line("poweroff -f")
    try:
        status = guest.wait(timeout=max(1.0, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        guest.kill()
        sys.exit("drive_shell: the guest did not power off")
    if status != 0:
        sys.exit(f"drive_shell: orcvm exited with status {status}")
    print("the shell answered every command, and poweroff ended orcvm with status 0")


if __name__ == "__main__":
    main(sys.argv)
