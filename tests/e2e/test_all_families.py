#!/usr/bin/env python3
"""Properties of `replay` with every segment family and member action enabled (SPEC
5.5-5.7), on generated data: two runs (one with a tiny member cache) give byte-identical
transitions and actions; a run killed with SIGKILL at random moments and resumed gives
exactly the output of one uninterrupted run; counts add up (seq and action numbers are
contiguous per member, the summary's counts equal the files', members per segment add up
to the members seen)."""
import os
import random
import signal
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

from replay_harness import Binaries, generate, read_json, read_jsonl, replay, temp_dir

EVERYTHING = ["--sort",
              "--set", 'families.enabled=["lifecycle","rfm","quadrant","tier","value"]',
              "--set", 'actions.enabled=["follow_up","replenish","birthday"]',
              "--set", "actions.replenish_cycles={dairy=\"7d\", pet=\"30d\"}"]
# Replay writes its state without RocksDB's WAL: small memtables make the killed runs
# write out commits, so later runs resume from them.
COMMIT = ["--set", "replay.commit_events=2000", "--set", "state.write_buffer_size=256KiB"]
FILES = ("out.jsonl", "dlq.jsonl", "actions.jsonl")


def run(bins, events, out_dir, *args):
    return replay(bins, events, out_dir, "--actions", str(Path(out_dir) / "actions.jsonl"),
                  *EVERYTHING, *args)


def check_counts(run_dir):
    summary = read_json(run_dir / "summary.json")
    transitions = read_jsonl(run_dir / "out.jsonl")
    actions = read_jsonl(run_dir / "actions.jsonl")
    assert len(transitions) == summary["transitions"]
    assert len(actions) == summary["actions"]
    seqs, ks = defaultdict(list), defaultdict(list)
    for t in transitions:
        seqs[t["member_id"]].append(t["seq"])
    for a in actions:
        ks[a["member_id"]].append(int(a["action_id"].rsplit(":a", 1)[1]))
    for member, numbers in list(seqs.items()) + list(ks.items()):
        assert sorted(numbers) == list(range(1, len(numbers) + 1)), member
    families = {t["family"] for t in transitions}
    assert families == {"lifecycle", "rfm", "quadrant", "tier", "value"}, families
    assert {a["action"] for a in actions} == {"birthday", "follow_up", "replenish"}
    assert any(t["cause"] == "sweep" for t in transitions)
    members = summary["members_per_segment"]
    totals = {family: sum(counts.values()) for family, counts in members.items()}
    assert len(set(totals.values())) == 1, totals


def killed_run(bins, events, out_dir, state_dir, delay):
    cmd = [bins.segmentd, "replay", "--input", str(events), "--output", str(out_dir / "out.jsonl"),
           "--dlq", str(out_dir / "dlq.jsonl"), "--actions", str(out_dir / "actions.jsonl"),
           "--set", f"state.dir={state_dir}", *EVERYTHING, *COMMIT]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(delay)
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    return proc.returncode == -signal.SIGKILL


def main():
    bins = Binaries()
    rng = random.Random(int(os.environ.get("E2E_SEED", "42")))
    with temp_dir() as tmp:
        tmp = Path(tmp)
        events = tmp / "events.jsonl"
        generate(bins, events, members=3000, events=60000, seed=11,
                 extra=["--broken-rate", "0.005", "--dup-rate", "0.01", "--profile-rate", "0.2"])
        run(bins, events, tmp / "a", "--set", "state.cache_size=1MiB")
        run(bins, events, tmp / "b")
        for name in FILES:
            assert (tmp / "a" / name).read_bytes() == (tmp / "b" / name).read_bytes(), \
                f"{name} differs between two runs"
        check_counts(tmp / "a")
        print("identical output on two runs, counts add up")

        # Run "b" has the killed runs' member cache, so about their length (run "a", with
        # its tiny cache, is slower: delays up to its length could outlast a whole run).
        seconds = read_json(tmp / "b" / "summary.json")["seconds"]
        out_dir, state_dir = tmp / "killed", tmp / "state"
        out_dir.mkdir()
        kills = sum(killed_run(bins, events, out_dir, state_dir, rng.uniform(0.05, max(0.1, seconds)))
                    for _ in range(5))
        run(bins, events, out_dir, "--set", f"state.dir={state_dir}", *COMMIT)
        for name in FILES:
            assert (out_dir / name).read_bytes() == (tmp / "a" / name).read_bytes(), \
                f"{name} after {kills} kills differs from the uninterrupted run"
        assert kills > 0, "no run was actually killed: the input is too small for the machine"
        print(f"identical output after {kills} SIGKILLs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
