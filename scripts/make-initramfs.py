#!/usr/bin/env python3
"""Writes a gzip'd cpio (newc) initramfs: a static busybox with its applet links,
the given init script as /init, and optional extra files, without needing cpio.

usage: make-initramfs.py OUT BUSYBOX INIT [GUEST_PATH=HOST_FILE ...]"""
import gzip
import os
import sys

APPLETS = ["sh", "ash", "echo", "cat", "ls", "mount", "umount", "mkdir", "poweroff", "reboot", "dmesg",
           "grep", "test", "[", "sleep", "uname", "rm", "cp", "wc", "expr", "seq", "sync", "halt"]


class Archive:
    def __init__(self):
        self.data = bytearray()
        self.inode = 1

    def entry(self, name, mode, body=b""):
        name_bytes = name.encode() + b"\0"
        fields = [self.inode, mode, 0, 0, 1, 0, len(body), 0, 0, 0, 0, len(name_bytes), 0]
        self.inode += 1
        self.data += b"070701" + b"".join(b"%08x" % f for f in fields) + name_bytes
        self.pad()
        self.data += body
        self.pad()

    def pad(self):
        self.data += b"\0" * (-len(self.data) % 4)


def main(argv):
    if len(argv) < 4:
        sys.exit(__doc__)
    out, busybox, init = argv[1:4]
    archive = Archive()
    for directory in ["bin", "dev", "proc", "sys", "tmp", "root"]:
        archive.entry(directory, 0o040755)
    archive.entry("dev/console", 0o020600)  # major/minor are set by devtmpfs at boot; the node only must exist
    with open(busybox, "rb") as f:
        archive.entry("bin/busybox", 0o100755, f.read())
    for applet in APPLETS:
        archive.entry("bin/" + applet, 0o120777, b"busybox")
    with open(init, "rb") as f:
        archive.entry("init", 0o100755, f.read())
    for extra in argv[4:]:
        guest_path, host_file = extra.split("=", 1)
        with open(host_file, "rb") as f:
            archive.entry(guest_path.lstrip("/"), 0o100755, f.read())
    archive.entry("TRAILER!!!", 0)
    with gzip.open(out, "wb", compresslevel=6) as f:
        f.write(archive.data)


if __name__ == "__main__":
    main(sys.argv)
