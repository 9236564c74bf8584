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

Events/s is events read (lines) over the process's wall time, start-up included. CPU
seconds (user + system, all threads, RocksDB's background threads included) and peak
RSS come from the kernel's rusage of the replay process (os.wait4). Uses the Python
standard library only.
"""

import argparse
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
    for tool in (args.segmentd, args.gen):
        if not os.access(tool, os.X_OK):
            p.error(f"{tool} is not an executable: build first, or pass --segmentd/--gen")
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


def run_once(args, members, name):
    """One replay in a fresh state dir; returns its figures."""
    order, flags = CONFIGS[name]
    work = Path(args.work_dir)
    state, output, summary = work / "state", work / "transitions.jsonl", work / "summary.json"
    actions = work / "actions.jsonl"  # written only with member actions enabled
    shutil.rmtree(state, ignore_errors=True)
    command = [args.segmentd, "replay", "--input", str(dataset(args, members, order)),
               "--output", str(output), "--summary-json", str(summary), "--no-progress",
               "--actions", str(actions), "--set", f"state.dir={state}", *flags]
    for setting in args.set:
        command += ["--set", setting]
    started = time.monotonic()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.monotonic() - started
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{name}: segmentd replay failed ({' '.join(command)})")
    result = json.loads(summary.read_text())
    figures = {
        "wall_s": wall,
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "events_per_s": result["events_read"] / wall,
        "cpu_us_per_event": 1e6 * (usage.ru_utime + usage.ru_stime) / result["events_read"],
        "peak_rss_mib": usage.ru_maxrss / 1024,
        "state_mib": disk_bytes(state) / 2**20,
        "transitions": result["transitions"],
    }
    shutil.rmtree(state, ignore_errors=True)
    for leftover in (output, Path(str(output) + ".dlq"), actions, summary):
        leftover.unlink(missing_ok=True)
    return figures


def median_figures(runs):
    return {key: statistics.median(run[key] for run in runs) for key in runs[0]}


def print_table(args, rows):
    members = ", ".join(f"{m:,}" for m in args.members)
    print(f"\nsegmentd replay: {args.events:,} events; members: {members}; seed {args.seed}; "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}; "
          f"median of {args.repeat} run(s)")
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


def main():
    args = parse_args()
    Path(args.work_dir).mkdir(parents=True, exist_ok=True)
    for members in args.members:
        for order in sorted({CONFIGS[name][0] for name in args.configs}):
            dataset(args, members, order)
    rows = []
    for members in args.members:
        for name in args.configs:
            runs = []
            for attempt in range(args.repeat):
                print(f"{name}, {members:,} members: run {attempt + 1}/{args.repeat} ...",
                      file=sys.stderr, flush=True)
                runs.append(run_once(args, members, name))
            rows.append((name, members, median_figures(runs)))
    print_table(args, rows)


if __name__ == "__main__":
    main()
