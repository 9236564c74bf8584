#!/usr/bin/env python3
"""Property: `replay` with a state dir killed with SIGKILL at random moments and re-run on
the same input produces exactly the output (and DLQ) of one uninterrupted run."""
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from replay_harness import Binaries, generate, read_json, replay, temp_dir

# Commits every 2000 lines; a cache far smaller than the 20,000 members, so the killed
# runs hold most members encoded and drop some (state/member_cache.h).
COMMIT = ["--set", "replay.commit_events=2000", "--set", "state.cache_size=2MiB"]


def killed_run(bins, events, out_dir, state_dir, delay, sort):
    cmd = [bins.segmentd, "replay", "--input", str(events), "--output", str(out_dir / "out.jsonl"),
           "--dlq", str(out_dir / "dlq.jsonl"), "--set", f"state.dir={state_dir}", *COMMIT, *sort]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(delay)
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    return proc.returncode


def scenario(bins, tmp, events, sort, rng):
    name = "sorted" if sort else "raw"
    reference = tmp / f"reference-{name}"
    replay(bins, events, reference, *sort)
    reference_seconds = read_json(reference / "summary.json")["seconds"]
    out_dir, state_dir = tmp / f"killed-{name}", tmp / f"state-{name}"
    out_dir.mkdir()
    kills = 0
    for _ in range(6):
        code = killed_run(bins, events, out_dir, state_dir,
                          rng.uniform(0.05, max(0.1, reference_seconds)), sort)
        kills += code == -signal.SIGKILL
    replay(bins, events, out_dir, "--set", f"state.dir={state_dir}", *COMMIT, *sort)
    for file in ("out.jsonl", "dlq.jsonl"):
        assert (out_dir / file).read_bytes() == (reference / file).read_bytes(), \
            f"{name}: {file} after {kills} kills differs from the uninterrupted run"
    print(f"{name}: identical output after {kills} SIGKILLs")
    return kills


def main():
    bins = Binaries()
    rng = random.Random(int(os.environ.get("E2E_SEED", "42")))
    with temp_dir() as tmp:
        tmp = Path(tmp)
        events = tmp / "events.jsonl"
        generate(bins, events, members=20000, events=400000, seed=5,
                 extra=["--broken-rate", "0.002"])
        kills = scenario(bins, tmp, events, [], rng) + scenario(bins, tmp, events, ["--sort"], rng)
        assert kills > 0, "no run was actually killed: the input is too small for the machine"
    return 0


if __name__ == "__main__":
    sys.exit(main())
