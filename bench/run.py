#!/usr/bin/env python3
"""Times benchmark guests natively, in orcvm and in QEMU TCG.

For every program: best-of-N wall time of the native host twin, of orcvm (the
default tier, plus one column per --orcvm-args configuration) and of
qemu-system-x86_64 -accel tcg; ratios and geometric means; and the --stats
figures of one extra orcvm run. Every run's exit status is checked (the guest
writes 0 to isa-debug-exit, so orcvm and QEMU exit with 1; the twin with 0) and
every captured output must equal the twin's; a failed run is shown as FAIL
instead of a time.

    bench/run.py                         build into build-bench/ and run all
    bench/run.py --runs 5 --programs sort,hash
    bench/run.py --orcvm-args=--tier=interp --orcvm-args=--tier=jit
    bench/run.py --build-dir build --json /tmp/bench.json

Standard library only. See bench/README.md.
"""

import argparse
import datetime
import json
import math
import os
import platform
import re
import shlex
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH_PROGRAMS = ["hash", "matrix", "bytecode", "sort", "startup"]
# Programs that measure fixed start-up cost: shown, but kept out of the geometric means.
BASELINE_PROGRAMS = {"startup"}
QEMU_COMMAND = ["qemu-system-x86_64", "-accel", "tcg", "-cpu", "max", "-m", "128M", "-display", "none",
                "-serial", "stdio", "-no-reboot", "-device", "isa-debug-exit,iobase=0xf4,iosize=4", "-kernel"]
GUEST_SUCCESS = 1  # (0 << 1) | 1: the guest wrote 0 to port 0xf4


def log(message):
    print(message, file=sys.stderr, flush=True)


def run_command(command, **kwargs):
    log("+ " + " ".join(shlex.quote(part) for part in command))
    subprocess.run(command, check=True, **kwargs)


# ---------------------------------------------------------------- building

def build_tree(build_dir):
    """Configures and builds orcvm, its guests (with the QEMU variants) and, when
    the top-level CMakeLists.txt includes bench/, the benchmark guests."""
    log(f"building orcvm and the guests in {build_dir} (slow the first time: it is a full build)")
    env = dict(os.environ, BUILD_DIR=build_dir)
    run_command([os.path.join(ROOT, "scripts", "build.sh"), "-DORCVM_GUEST_QEMU_TESTS=ON"], env=env,
                stdout=sys.stderr)


def bench_binary_dir(build_dir, may_build):
    """The directory holding <name>.elf, qemu/<name>.elf and host/<name> for the
    benchmark guests: <build>/bench when the top-level build includes bench/,
    otherwise a standalone build of bench/ made here."""
    included = os.path.join(build_dir, "bench")
    if os.path.exists(os.path.join(included, "CMakeFiles")):
        return included
    standalone = os.path.join(ROOT, "build-bench", "bench-standalone")
    if may_build:
        log(f"{build_dir} does not include bench/: building the benchmark guests alone in {standalone}")
        run_command(["cmake", "-S", os.path.join(ROOT, "bench"), "-B", standalone, "-G", "Ninja"],
                    stdout=subprocess.DEVNULL)
        run_command(["ninja", "-C", standalone], stdout=sys.stderr)
    return standalone


def locate(name, build_dir, bench_dir):
    """Paths of one program's three builds: a benchmark guest first, else a test
    program of guests/programs."""
    for base in (bench_dir, os.path.join(build_dir, "guests")):
        if os.path.exists(os.path.join(base, name + ".elf")):
            return {"elf": os.path.join(base, name + ".elf"),
                    "qemu": os.path.join(base, "qemu", name + ".elf"),
                    "host": os.path.join(base, "host", name)}
    return None


# ---------------------------------------------------------------- running

class Outcome:
    """The result of running one program in one system N times."""

    def __init__(self):
        self.times = []
        self.error = None  # first failure, e.g. "exit 3" or "output differs"
        self.output = None  # stdout of the first run

    @property
    def best(self):
        return min(self.times) if self.times and not self.error else None

    def cell(self):
        if self.error:
            return "FAIL"
        return f"{self.best:.3f}" if self.best is not None else "-"

    def to_json(self):
        return {"best_s": self.best, "times_s": self.times, "error": self.error}


def timed_run(command, timeout):
    """Runs command with stdin from /dev/null; returns (seconds, status, stdout, stderr)."""
    start = time.perf_counter()
    try:
        done = subprocess.run(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              timeout=timeout)
    except subprocess.TimeoutExpired:
        return time.perf_counter() - start, None, b"", b""
    return time.perf_counter() - start, done.returncode, done.stdout, done.stderr


def describe_failure(status, want_status, output, want_output, stderr):
    if status is None:
        return "timeout"
    if status != want_status:
        lines = stderr.decode(errors="replace").strip().splitlines()
        # orcvm's own message, not the "Try 'orcvm --help'." after it
        messages = [line for line in lines if line.startswith("orcvm:")] or lines
        return f"exit {status}" + (f": {messages[-1]}" if messages else "")
    if want_output is not None and output is not None and output != want_output:
        return "output differs from the native twin"
    return None


def measure(command, runs, timeout, want_status, want_output, check_output=True):
    outcome = Outcome()
    for _ in range(runs):
        seconds, status, output, stderr = timed_run(command, timeout)
        error = describe_failure(status, want_status, output if check_output else None, want_output, stderr)
        if outcome.output is None:
            outcome.output = output
        if error:
            outcome.error = error
            return outcome
        outcome.times.append(seconds)
    return outcome


STATS_NUMBERS = {
    "blocks_translated": r"blocks translated\s+(\d+)",
    "guest_insns_translated": r"blocks translated\s+\d+ \((\d+) guest instructions",
    "blocks_compiled": r"blocks compiled\s+(\d+)",
    "block_executions": r"block executions[^\d]*(\d+)",
    "chain_patches": r"chain patches\s+(\d+)",
    "blocks_invalidated": r"blocks invalidated\s+(\d+)",
}


def parse_stats(stderr):
    """Parses print_stats() of tools/orcvm/main.cpp. Returns {} if there are none.
    Every line is also kept verbatim under "lines", so a new line is never lost."""
    text = stderr.decode(errors="replace")
    start = text.find("orcvm stats:")
    if start < 0:
        return {}
    block = text[start:]
    stats = {"lines": [line.strip() for line in block.splitlines()[1:] if line.startswith("  ")]}
    for key, pattern in STATS_NUMBERS.items():
        match = re.search(pattern, block)
        if match:
            stats[key] = int(match.group(1))
    match = re.search(r"us per translation\s+(.*)", block)
    if match:
        stages = {name: float(value) for name, value in re.findall(r"(\w+) ([\d.]+)", match.group(1))}
        stats["us_per_translation"] = stages
        # decode is per block translated, the LLVM stages per block compiled.
        translated = stats.get("blocks_translated", 0)
        compiled = stats.get("blocks_compiled", translated)
        llvm = sum(v for k, v in stages.items() if k not in ("decode", "total"))
        stats["translation_s"] = (stages.get("decode", 0.0) * translated + llvm * compiled) / 1e6
    return stats


# ---------------------------------------------------------------- reporting

def ratio(numerator, denominator):
    if numerator is None or denominator is None or denominator <= 0:
        return None
    return numerator / denominator


def geometric_mean(values):
    values = [v for v in values if v is not None and v > 0]
    if not values:
        return None
    return math.exp(sum(math.log(v) for v in values) / len(values))


def fmt_ratio(value):
    return "-" if value is None else f"{value:.1f}x" if value >= 10 else f"{value:.2f}x"


def markdown_table(header, rows):
    widths = [max(len(str(row[i])) for row in [header] + rows) for i in range(len(header))]
    line = lambda cells: "| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths)) + " |"
    out = [line(header), "| " + " | ".join("-" * w for w in widths) + " |"]
    out += [line(row) for row in rows]
    return "\n".join(out)


def config_label(args):
    return "orcvm" if not args else "orcvm " + " ".join(args)


def report(programs, configs, results, use_qemu):
    """Prints the time table, the geometric means, the stats table and the failures."""
    header = ["program", "native s"]
    for args in configs:
        header.append(config_label(args) + " s")
    if use_qemu:
        header.append("qemu s")
    for args in configs:
        header.append(config_label(args) + "/native")
    if use_qemu:
        header += ["qemu/native"]
        header += [config_label(args) + "/qemu" for args in configs]

    rows, columns = [], {}
    for name in programs:
        r = results[name]
        native = r["native"].best
        row = [name + (" (baseline)" if name in BASELINE_PROGRAMS else ""), r["native"].cell()]
        ratios = []
        for i, args in enumerate(configs):
            row.append(r["orcvm"][i].cell())
            ratios.append(("orcvm/native", i, ratio(r["orcvm"][i].best, native)))
        if use_qemu:
            row.append(r["qemu"].cell())
            ratios.append(("qemu/native", 0, ratio(r["qemu"].best, native)))
            for i in range(len(configs)):
                ratios.append(("orcvm/qemu", i, ratio(r["orcvm"][i].best, r["qemu"].best)))
        # Keep the header's order: every orcvm/native, then qemu/native, then every orcvm/qemu.
        row += [fmt_ratio(value) for _, _, value in ratios]
        rows.append(row)
        if name not in BASELINE_PROGRAMS:
            for kind, i, value in ratios:
                columns.setdefault((kind, i), []).append(value)
    means = ["geometric mean", "", *[""] * len(configs)] + ([""] if use_qemu else [])
    for key in columns:
        means.append(fmt_ratio(geometric_mean(columns[key])))
    means += [""] * (len(header) - len(means))
    rows.append(means)
    print(markdown_table(header, rows))

    stats_rows = []
    for name in programs:
        for i, args in enumerate(configs):
            s = results[name]["stats"][i]
            if not s:
                continue
            stages = s.get("us_per_translation", {})
            best = results[name]["orcvm"][i].best
            share = ratio(s.get("translation_s"), best)
            stats_rows.append([
                name, config_label(args), s.get("blocks_translated", "-"), s.get("guest_insns_translated", "-"),
                s.get("blocks_compiled", "-"),
                *[f"{stages[k]:.1f}" if k in stages else "-" for k in ("decode", "lift", "optimise", "codegen", "total")],
                f"{s['translation_s']:.3f}" if "translation_s" in s else "-",
                f"{100 * share:.0f}%" if share is not None else "-"])
    if stats_rows:
        print()
        print("orcvm --stats of one run (us per translation: decode per block translated, the LLVM stages per "
              "block compiled; translation s = their sum over all blocks; share = of the best wall time)")
        print()
        print(markdown_table(["program", "config", "blocks", "guest insns", "compiled", "decode us", "lift us",
                              "optimise us", "codegen us", "total us", "translation s", "share"], stats_rows))

    failures = []
    for name in programs:
        r = results[name]
        for label, outcome in [("native", r["native"])] + \
                [(config_label(a), o) for a, o in zip(configs, r["orcvm"])] + \
                ([("qemu", r["qemu"])] if use_qemu else []) + \
                [(config_label(a) + " --stats run", o) for a, o in zip(configs, r["stats_run"])]:
            if outcome.error:
                failures.append(f"{name} / {label}: {outcome.error}")
    if failures:
        print()
        print("FAILED runs:")
        for failure in failures:
            print("  " + failure)
    return failures


def machine_description():
    model = platform.processor()
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return {"cpu": model, "cpus": os.cpu_count(), "kernel": platform.release()}


def git_commit():
    try:
        head = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True).stdout.strip()
        return head + ("-dirty" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


# ---------------------------------------------------------------- main

def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", "-n", type=int, default=3, help="runs per program and system; the best counts "
                        "(default 3)")
    parser.add_argument("--programs", help="comma-separated programs (default: the benchmark guests "
                        + ",".join(BENCH_PROGRAMS) + "); test programs of guests/programs also work")
    parser.add_argument("--build-dir", help="use this existing build (orcvm, guests) instead of configuring and "
                        "building build-bench/")
    parser.add_argument("--orcvm-args", action="append", default=[], metavar="ARGS",
                        help="an extra orcvm configuration, as one shell-quoted string: adds a column. Write it "
                        "with '=', e.g. --orcvm-args=--tier=interp; repeatable")
    parser.add_argument("--orcvm", help="the orcvm binary (default: BUILD/orcvm)")
    parser.add_argument("--no-qemu", action="store_true", help="skip QEMU")
    parser.add_argument("--no-build", action="store_true", help="do not build anything, use what is there")
    parser.add_argument("--timeout", type=float, default=300, help="seconds before one run counts as failed "
                        "(default 300)")
    parser.add_argument("--json", metavar="FILE", help="also write the results to FILE")
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs must be at least 1")

    build_dir = os.path.abspath(args.build_dir or os.path.join(ROOT, "build-bench"))
    if not args.build_dir and not args.no_build:
        build_tree(build_dir)
    bench_dir = bench_binary_dir(build_dir, not args.no_build)
    orcvm = args.orcvm or os.path.join(build_dir, "orcvm")
    if not os.access(orcvm, os.X_OK):
        sys.exit(f"run.py: no orcvm binary at {orcvm}")
    qemu = shutil.which(QEMU_COMMAND[0])
    use_qemu = not args.no_qemu
    if use_qemu and not qemu:
        log("run.py: qemu-system-x86_64 not found; the QEMU column is skipped")
        use_qemu = False

    programs = args.programs.split(",") if args.programs else BENCH_PROGRAMS
    paths = {}
    for name in programs:
        paths[name] = locate(name, build_dir, bench_dir)
        if paths[name] is None:
            sys.exit(f"run.py: no guest named '{name}' in {bench_dir} or {build_dir}/guests")
    configs = [[]] + [shlex.split(extra) for extra in args.orcvm_args]

    load_before = os.getloadavg()
    results = {}
    for name in programs:
        p = paths[name]
        log(f"{name}: native")
        r = results[name] = {}
        want_output = None
        if os.path.exists(p["host"]):
            r["native"] = measure([p["host"]], args.runs, args.timeout, 0, None)
            if not r["native"].error:
                want_output = r["native"].output
        else:
            r["native"] = Outcome()
            r["native"].error = "no host twin"
        r["orcvm"], r["stats"], r["stats_run"] = [], [], []
        for extra in configs:
            label = config_label(extra)
            log(f"{name}: {label}")
            command = [orcvm, "--serial", "none", *extra, p["elf"]]
            r["orcvm"].append(measure(command, args.runs, args.timeout, GUEST_SUCCESS, None, check_output=False))
            # One more run with the output captured and --stats: checks the output, gives the figures.
            stats_run = Outcome()
            seconds, status, output, stderr = timed_run([orcvm, "--serial", "stdio", "--stats", *extra, p["elf"]],
                                                        args.timeout)
            stats_run.error = describe_failure(status, GUEST_SUCCESS, output, want_output, stderr)
            stats_run.times.append(seconds)
            r["stats_run"].append(stats_run)
            r["stats"].append(parse_stats(stderr))
            if stats_run.error and not r["orcvm"][-1].error:
                r["orcvm"][-1].error = stats_run.error  # a wrong result makes the time meaningless
        if use_qemu:
            log(f"{name}: qemu")
            if os.path.exists(p["qemu"]):
                r["qemu"] = measure(QEMU_COMMAND + [p["qemu"]], args.runs, args.timeout, GUEST_SUCCESS,
                                    want_output)
            else:
                r["qemu"] = Outcome()
                r["qemu"].error = "no QEMU image (configure with -DORCVM_GUEST_QEMU_TESTS=ON)"

    meta = {
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "machine": machine_description(),
        "orcvm_commit": git_commit(),
        "orcvm": orcvm,
        "build_dir": build_dir,
        "runs": args.runs,
        # Other work on the machine inflates every time; the load average shows how much there was.
        "loadavg_before": load_before,
        "loadavg_after": os.getloadavg(),
        "qemu": subprocess.run([qemu, "--version"], capture_output=True, text=True).stdout.splitlines()[0]
        if use_qemu else None,
    }
    print(f"# {meta['date']}, {meta['machine']['cpu']} ({meta['machine']['cpus']} CPUs), orcvm "
          f"{meta['orcvm_commit']}, best of {args.runs}" + (f", {meta['qemu']}" if use_qemu else "")
          + f", load average {load_before[0]:.2f} before, {meta['loadavg_after'][0]:.2f} after")
    print()
    failures = report(programs, configs, results, use_qemu)

    if args.json:
        out = {"meta": meta, "configs": [config_label(c) for c in configs], "programs": {}}
        for name in programs:
            r = results[name]
            out["programs"][name] = {
                "native": r["native"].to_json(),
                "orcvm": {config_label(c): {**o.to_json(), "stats": s, "stats_run_error": sr.error}
                          for c, o, s, sr in zip(configs, r["orcvm"], r["stats"], r["stats_run"])},
                "qemu": r["qemu"].to_json() if use_qemu else None,
            }
        with open(args.json, "w") as f:
            json.dump(out, f, indent=2)
        log(f"wrote {args.json}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
