#!/usr/bin/env python3
"""Times a Linux boot to poweroff in orcvm and in QEMU TCG, side by side.

Debian's cloud kernel and busybox come from scripts/fetch-linux-guest.sh, the
initramfs from scripts/make-initramfs.py around guests/linux/init.sh (the same
as the linux.boot.scripted test). Each system boots it --runs times; the table
gives the best and the median wall time and the ratios to QEMU, then orcvm's
--stats of one more run. Never part of CI.

    bench/linux_boot.py --build-dir build --runs 3
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
APPEND = "console=ttyS0 panic=-1"


def timed(command, timeout):
    start = time.perf_counter()
    result = subprocess.run(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            timeout=timeout)
    elapsed = time.perf_counter() - start
    output = result.stdout.decode(errors="replace")
    if "orcvm-init: powering off" not in output:
        sys.exit(f"linux_boot: {command[0]} did not reach the end of the init script (status {result.returncode}):\n"
                 + output[-2000:] + result.stderr.decode(errors="replace")[-2000:])
    return elapsed, result


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build-dir", default=os.path.join(ROOT, "build"))
    parser.add_argument("--cache", help="where the kernel and busybox are kept (default BUILD/linux-guest)")
    parser.add_argument("--runs", "-n", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=600)
    parser.add_argument("--no-qemu", action="store_true")
    args = parser.parse_args()
    build = os.path.abspath(args.build_dir)
    cache = args.cache or os.path.join(build, "linux-guest")
    orcvm = os.path.join(build, "orcvm")
    sse2_check = os.path.join(build, "guests", "linux", "sse2-check")
    for path in (orcvm, sse2_check):
        if not os.path.exists(path):
            sys.exit(f"linux_boot: {path} is missing: build first (scripts/build.sh)")
    subprocess.run([os.path.join(ROOT, "scripts", "fetch-linux-guest.sh"), cache], check=True, stdout=sys.stderr)
    kernel = os.path.join(cache, "vmlinuz")
    with tempfile.TemporaryDirectory() as work:
        initrd = os.path.join(work, "initrd.gz")
        subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "make-initramfs.py"), initrd,
                        os.path.join(cache, "busybox"), os.path.join(ROOT, "guests", "linux", "init.sh"),
                        f"bin/sse2-check={sse2_check}"], check=True)
        qemu = ["qemu-system-x86_64", "-accel", "tcg", "-m", "512", "-display", "none", "-serial", "stdio",
                "-no-reboot", "-kernel", kernel, "-initrd", initrd, "-append", APPEND]
        systems = [("orcvm", [orcvm, "-m", "512M", "--initrd", initrd, "--append", APPEND, kernel])]
        if not args.no_qemu:
            systems += [("qemu", qemu), ("qemu -cpu max", qemu[:3] + ["-cpu", "max"] + qemu[3:])]
        times = {name: [] for name, _ in systems}
        for run in range(args.runs):
            for name, command in systems:
                elapsed, _ = timed(command, args.timeout)
                times[name].append(elapsed)
                print(f"run {run + 1}: {name} {elapsed:.2f} s", file=sys.stderr)
        _, stats_run = timed(systems[0][1][:1] + ["--stats"] + systems[0][1][1:], args.timeout)

    reference = min(times["qemu"]) if "qemu" in times else None
    print("| system | best s | median s | best / qemu |")
    print("| --- | --- | --- | --- |")
    for name, values in times.items():
        ratio = f"{min(values) / reference:.2f}x" if reference else "-"
        print(f"| {name} | {min(values):.2f} | {statistics.median(values):.2f} | {ratio} |")
    print(f"\n{args.runs} runs each, boot to ACPI poweroff, wall time of the whole process.\n")
    print("orcvm --stats of one more run:")
    print(stats_run.stderr.decode(errors="replace").strip())


if __name__ == "__main__":
    main()
