#!/usr/bin/env python3
"""Property: `replay` with a state dir killed with SIGKILL at random moments and re-run on
the same input produces exactly the output (and DLQ) of one uninterrupted run, and a run
killed once its state dir holds a table file resumes from the commit written there."""
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from replay_harness import Binaries, generate, read_json, replay, temp_dir

# Commits every 2000 lines; a cache far smaller than the 20,000 members, so the killed
# runs hold most members encoded and drop some (state/member_cache.h). Replay writes its
# state without RocksDB's WAL: a commit survives a SIGKILL once a memtable flush writes it
# out, so small memtables make the killed runs write out many commits.
COMMIT = ["--set", "replay.commit_events=2000", "--set", "state.cache_size=2MiB",
          "--set", "state.write_buffer_size=256KiB"]


def start(bins, events, out_dir, state_dir, sort):
    cmd = [bins.segmentd, "replay", "--input", str(events), "--output", str(out_dir / "out.jsonl"),
           "--dlq", str(out_dir / "dlq.jsonl"), "--set", f"state.dir={state_dir}", *COMMIT, *sort]
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def kill(proc):
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    return proc.returncode


def killed_run(bins, events, out_dir, state_dir, delay, sort):
    proc = start(bins, events, out_dir, state_dir, sort)
    time.sleep(delay)
    return kill(proc)


def flush_finished(state_dir):
    """RocksDB's info log says a flush of the checkpoints (with the member records: every
    family flushes at once) is in the MANIFEST."""
    try:
        return "[meta] Level-0 commit table" in (state_dir / "LOG").read_text(errors="replace")
    except FileNotFoundError:
        return False


def killed_after_a_flush(bins, events, out_dir, state_dir, sort):
    """Kills a run on a new state dir as soon as it has written out a commit."""
    proc = start(bins, events, out_dir, state_dir, sort)
    while proc.poll() is None and not flush_finished(state_dir):
        time.sleep(0.005)
    return kill(proc)


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
    same_output(out_dir, reference, f"{name}: after {kills} kills")
    print(f"{name}: identical output after {kills} SIGKILLs")

    out_dir, state_dir = tmp / f"flushed-{name}", tmp / f"state-flushed-{name}"
    out_dir.mkdir()
    code = killed_after_a_flush(bins, events, out_dir, state_dir, sort)
    assert code == -signal.SIGKILL, f"{name}: the run ended ({code}) before a flush"
    replay(bins, events, out_dir, "--set", f"state.dir={state_dir}", *COMMIT, *sort)
    same_output(out_dir, reference, f"{name}: after a kill once a commit was written out")
    resumed = read_json(out_dir / "summary.json")["resumed_from_line"]
    assert resumed > 0, f"{name}: killed after writing out a commit, yet resumed from line 0"
    print(f"{name}: killed after its first flush, resumed after line {resumed}")
    return kills + 1


def same_output(out_dir, reference, what):
    for file in ("out.jsonl", "dlq.jsonl"):
        assert (out_dir / file).read_bytes() == (reference / file).read_bytes(), \
            f"{what}, {file} differs from the uninterrupted run"


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
