#!/usr/bin/env python3
"""Replay benchmark: `segmentd replay` with a RocksDB state dir, several set-ups side by side.

Generates a synthetic purchase stream with segmentd-gen (once per set of parameters; the
files are kept in the work dir and reused), then runs `segmentd replay` on it in each
configuration with a fresh state dir, one after the other, and prints one table row per
configuration: wall and CPU seconds, events/s, peak RSS, state size on disk and the
number of transitions written.

Run it from the repository root after a build (deploy/build.sh):

    python3 bench/replay_bench.py                                  # 10M events, 1M members
    python3 bench/replay_bench.py --events 1000000 --members 100000 --repeat 3
    python3 bench/replay_bench.py --members 100000,1000000,10000000 --configs time-sort
    python3 bench/replay_bench.py --segmentd build-perf/app/segmentd \\
        --gen build-perf/bench/segmentd-gen --work-dir /tmp/segmentd-bench --configs time,time-sort

Configurations (--configs, comma-separated; default all):
    time              time-ordered input, default settings
    time-sort         time-ordered input, --sort
    member-sort       member-ordered input (a CRM export), --sort
    member-lateness   member-ordered input without --sort, time.allowed_lateness covering
                      the whole file (SPEC 3.2: the same result as time order)
    all-families      time-ordered input, --sort, every segment family and member action
                      enabled (issue 9: compare with time-sort, same run)

--members takes a comma-separated list: each configuration then runs on each member
count (the same number of events), one row each, to show how the cost grows with the
members. "CPU µs/event" is CPU seconds over events read.

--baseline OTHER compares two builds side by side (how docs/PERFORMANCE.md measures a
change): each run of a configuration starts OTHER and --segmentd at once, each pinned to
a CPU of its own, and the two swap CPUs on every other repeat (give --repeat 2 or more:
on a shared VM one CPU is often faster than the other); the two outputs (transitions, and
actions where enabled) must be byte-identical, or the bench stops. Each configuration
then gets a row per build and a line with the CPU seconds of all its runs summed per
build and the change between them:

    python3 bench/replay_bench.py --baseline /tmp/segmentd-main --repeat 2 \
        --configs time-sort,all-families

Events/s is events read (lines) over the process's wall time, start-up included. CPU
seconds (user + system, all threads, RocksDB's background threads included) and peak
RSS come from the kernel's rusage of the replay process (os.wait4). Uses the Python
standard library only.
"""

import argparse
import filecmp
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FAR_LATENESS = "36500d"

CONFIGS = {
    "time": ("time", []),
    "time-sort": ("time", ["--sort"]),
    "member-sort": ("member", ["--sort"]),
    "member-lateness": ("member", ["--set", "time.allowed_lateness=" + FAR_LATENESS]),
    "all-families": ("time", ["--sort",
                              "--set", 'families.enabled=["lifecycle","rfm","quadrant","tier","value"]',
                              "--set", 'actions.enabled=["follow_up","replenish","birthday"]',
                              "--set", 'actions.replenish_cycles={dairy="7d",pet="30d"}']),
}


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--members", default="1000000",
                   help="member count, or a comma-separated list of them (one row each)")
    p.add_argument("--events", type=int, default=10_000_000)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--segmentd", default=str(REPO / "build/app/segmentd"))
    p.add_argument("--gen", default=str(REPO / "build/bench/segmentd-gen"))
    p.add_argument("--work-dir", default="/tmp/segmentd-bench")
    p.add_argument("--configs", default=",".join(CONFIGS),
                   help="comma-separated subset of: " + ", ".join(CONFIGS))
    p.add_argument("--repeat", type=int, default=1,
                   help="runs per configuration; the table shows the median of each figure")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="extra --set for every replay (e.g. state.cache_size=1GiB)")
    p.add_argument("--baseline", metavar="OTHER",
                   help="another segmentd executable, run side by side with --segmentd "
                        "(one CPU each, swapped on every other repeat; outputs compared)")
    args = p.parse_args()
    args.configs = [c for c in args.configs.split(",") if c]
    try:
        args.members = [int(m) for m in args.members.split(",") if m]
    except ValueError:
        p.error(f"--members: not a comma-separated list of counts: {args.members}")
    if not args.members or min(args.members) < 1:
        p.error("--members: give at least one count, each at least 1")
    unknown = [c for c in args.configs if c not in CONFIGS]
    if unknown:
        p.error("unknown configuration(s): " + ", ".join(unknown))
    for tool in (args.segmentd, args.gen, args.baseline):
        if tool is not None and not os.access(tool, os.X_OK):
            p.error(f"{tool} is not an executable: build first, or pass --segmentd/--gen")
    if args.baseline and len(os.sched_getaffinity(0)) < 2:
        p.error("--baseline runs two replays at once, one per CPU: this process has one CPU")
    return args


def dataset(args, members, order):
    """The generated input for `members` and `order`, generated only when not already in
    the work dir."""
    params = {"members": members, "events": args.events, "seed": args.seed, "order": order}
    stem = f"events-m{members}-e{args.events}-s{args.seed}-{order}"
    path = Path(args.work_dir) / (stem + ".jsonl")
    stamp = path.with_suffix(".params.json")
    if path.exists() and stamp.exists() and json.loads(stamp.read_text()) == params:
        return path
    print(f"generating {path.name} ...", file=sys.stderr, flush=True)
    partial = path.with_suffix(".partial")
    subprocess.run([args.gen, "--members", str(members), "--events", str(args.events),
                    "--seed", str(args.seed), "--order", order, "--output", str(partial)],
                   check=True, stderr=subprocess.DEVNULL)
    partial.rename(path)
    stamp.write_text(json.dumps(params))
    return path


def disk_bytes(folder):
    return sum(f.stat().st_size for f in Path(folder).rglob("*") if f.is_file())


class Replay:
    """One `segmentd replay` of a configuration, started in a fresh state dir under
    `folder` (optionally pinned to `cpu`); finish() waits for it and gives its figures."""

    def __init__(self, args, binary, members, name, folder, cpu=None):
        order, flags = CONFIGS[name]
        self.name, self.folder = name, Path(folder)
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True)
        self.state = self.folder / "state"
        self.summary = self.folder / "summary.json"
        # The outputs compared between builds; actions are written only when enabled.
        self.outputs = [self.folder / "transitions.jsonl", self.folder / "actions.jsonl"]
        self.command = [binary, "replay", "--input", str(dataset(args, members, order)),
                        "--output", str(self.outputs[0]), "--summary-json", str(self.summary),
                        "--no-progress", "--actions", str(self.outputs[1]),
                        "--set", f"state.dir={self.state}", *flags]
        for setting in args.set:
            self.command += ["--set", setting]
        pin = (lambda: os.sched_setaffinity(0, {cpu})) if cpu is not None else None
        self.started = time.monotonic()
        self.process = subprocess.Popen(self.command, stdout=subprocess.DEVNULL,
                                        preexec_fn=pin)

    def finish(self):
        _, status, usage = os.wait4(self.process.pid, 0)
        wall = time.monotonic() - self.started
        if os.waitstatus_to_exitcode(status) != 0:
            sys.exit(f"{self.name}: segmentd replay failed ({' '.join(self.command)})")
        result = json.loads(self.summary.read_text())
        cpu = usage.ru_utime + usage.ru_stime
        return {
            "wall_s": wall,
            "cpu_s": cpu,
            "events_per_s": result["events_read"] / wall,
            "cpu_us_per_event": 1e6 * cpu / result["events_read"],
            "peak_rss_mib": usage.ru_maxrss / 1024,
            "state_mib": disk_bytes(self.state) / 2**20,
            "transitions": result["transitions"],
        }

    def remove(self):
        shutil.rmtree(self.folder, ignore_errors=True)


def run_once(args, members, name):
    """One replay in a fresh state dir; returns its figures."""
    replay = Replay(args, args.segmentd, members, name, Path(args.work_dir) / "run")
    figures = replay.finish()
    replay.remove()
    return figures


def same_outputs(a, b):
    """Whether two replays wrote byte-identical outputs (a file neither wrote counts as
    identical)."""
    for left, right in zip(a.outputs, b.outputs):
        if left.exists() != right.exists():
            return False
        if left.exists() and not filecmp.cmp(left, right, shallow=False):
            return False
    return True


def run_pair(args, members, name, attempt):
    """The baseline and --segmentd at once, one CPU each (swapped on odd attempts);
    returns their figures after checking that their outputs are byte-identical."""
    cpus = sorted(os.sched_getaffinity(0))[:2]
    if attempt % 2 == 1:
        cpus.reverse()
    work = Path(args.work_dir)
    baseline = Replay(args, args.baseline, members, name, work / "baseline", cpus[0])
    candidate = Replay(args, args.segmentd, members, name, work / "segmentd", cpus[1])
    figures = baseline.finish(), candidate.finish()
    if not same_outputs(baseline, candidate):
        sys.exit(f"{name}, {members:,} members: the two builds' outputs differ (kept in "
                 f"{baseline.folder} and {candidate.folder})")
    baseline.remove()
    candidate.remove()
    return figures


def median_figures(runs):
    return {key: statistics.median(run[key] for run in runs) for key in runs[0]}


def print_table(args, rows):
    members = ", ".join(f"{m:,}" for m in args.members)
    print(f"\nsegmentd replay: {args.events:,} events; members: {members}; seed {args.seed}; "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}; "
          f"median of {args.repeat} run(s)")
    if args.baseline:
        print(f"baseline: {args.baseline}; segmentd: {args.segmentd}; run side by side, "
              f"one CPU each, swapped on every other repeat")
    header = ("configuration", "members", "wall s", "CPU s", "events/s", "CPU µs/event",
              "peak RSS MiB", "state MiB", "transitions")
    lines = [header] + [(name, f"{m:,}", f"{f['wall_s']:.1f}", f"{f['cpu_s']:.1f}",
                         f"{f['events_per_s']:,.0f}", f"{f['cpu_us_per_event']:.2f}",
                         f"{f['peak_rss_mib']:,.0f}", f"{f['state_mib']:,.0f}",
                         f"{f['transitions']:,.0f}")
                        for name, m, f in rows]
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    for n, line in enumerate(lines):
        cells = [line[0].ljust(widths[0])] + [c.rjust(w) for c, w in zip(line[1:], widths[1:])]
        print("  ".join(cells))
        if n == 0:
            print("  ".join("-" * w for w in widths))


def print_changes(changes):
    print("\nCPU seconds of all runs summed, baseline → segmentd (outputs byte-identical in "
          "every pair):")
    for name, members, runs, base_cpu, new_cpu in changes:
        print(f"  {name}, {members:,} members, {runs} run(s) each: {base_cpu:.1f} → "
              f"{new_cpu:.1f} ({100 * (new_cpu / base_cpu - 1):+.1f} %)")


def main():
    args = parse_args()
    Path(args.work_dir).mkdir(parents=True, exist_ok=True)
    for members in args.members:
        for order in sorted({CONFIGS[name][0] for name in args.configs}):
            dataset(args, members, order)
    rows, changes = [], []
    for members in args.members:
        for name in args.configs:
            runs, baseline_runs = [], []
            for attempt in range(args.repeat):
                print(f"{name}, {members:,} members: run {attempt + 1}/{args.repeat} ...",
                      file=sys.stderr, flush=True)
                if args.baseline:
                    base, new = run_pair(args, members, name, attempt)
                    baseline_runs.append(base)
                    runs.append(new)
                else:
                    runs.append(run_once(args, members, name))
            if args.baseline:
                rows.append((name + " (baseline)", members, median_figures(baseline_runs)))
                changes.append((name, members, args.repeat,
                                sum(r["cpu_s"] for r in baseline_runs),
                                sum(r["cpu_s"] for r in runs)))
            rows.append((name, members, median_figures(runs)))
    print_table(args, rows)
    if changes:
        print_changes(changes)


if __name__ == "__main__":
    main()
