#!/usr/bin/env python3
"""Property: a replay whose disk fills (an 8 MB tmpfs holding the outputs and the state
dir, or a 6 MB one holding only the state dir, or the temporary state of a run without
state.dir) stops with exit 1 and an error naming what filled, never an abort; once there
is space again the same command resumes and the output is byte-identical to one
uninterrupted run. Replay writes its state without RocksDB's WAL, so the state takes
room only as its memtables are written out: small ones here, to fill the disk early.
And with one memtable large enough for the whole run, the state's only table file is
written at the end of the replay: a disk that cannot hold it fails the replay (exit 1),
never a success whose state was not written.

Needs to mount a tmpfs (root, as in CI); skipped (exit 77) where that is not permitted."""
import os
import subprocess
import sys
from pathlib import Path

from replay_harness import Binaries, generate, replay, temp_dir

SKIP = 77
SMALL_COMMITS = ["--set", "replay.commit_events=1000", "--set", "state.write_buffer_size=64KiB"]


def mount_tmpfs(path, size):
    path.mkdir(parents=True, exist_ok=True)
    return subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
                          capture_output=True).returncode == 0


def remount(path, size):
    subprocess.run(["mount", "-o", f"remount,size={size}", str(path)], check=True)


def run(bins, events, out_dir, *args, env=None):
    cmd = [bins.segmentd, "replay", "--input", str(events), "--output", str(out_dir / "out.jsonl"),
           "--dlq", str(out_dir / "dlq.jsonl"), *args]
    return subprocess.run(cmd, capture_output=True, text=True, env=env)


def expect_full(result, names):
    assert result.returncode == 1, f"exit {result.returncode}: {result.stderr}"
    assert "No space left on device" in result.stderr, result.stderr
    assert "Assertion" not in result.stderr, result.stderr
    assert any(name in result.stderr for name in names), f"{names} not named: {result.stderr}"


def full_then_resumed(bins, events, reference, disk, out_dir, state_dir, what):
    state = ["--set", f"state.dir={state_dir}", *SMALL_COMMITS]
    result = run(bins, events, out_dir, *state)
    expect_full(result, [str(out_dir / "out.jsonl"), str(out_dir / "dlq.jsonl"), str(state_dir)])
    print(f"{what}: exit 1: {result.stderr.strip().splitlines()[-1]}")
    remount(disk, "512m")
    result = run(bins, events, out_dir, *state)
    assert result.returncode == 0, result.stderr
    for name in ("out.jsonl", "dlq.jsonl"):
        assert (out_dir / name).read_bytes() == (reference / name).read_bytes(), \
            f"{what}: {name} after the disk-full run differs from the uninterrupted run"
    print(f"{what}: resumed, byte-identical output")


def main():
    bins = Binaries()
    with temp_dir() as tmp:
        tmp = Path(tmp)
        disk = tmp / "disk"
        if not mount_tmpfs(disk, "8m"):
            print("SKIP: cannot mount a tmpfs here (needs root)")
            return SKIP
        try:
            events = tmp / "events.jsonl"
            generate(bins, events, members=5000, events=100000, seed=11,
                     extra=["--broken-rate", "0.01"])
            reference = tmp / "reference"
            replay(bins, events, reference)
            assert (reference / "out.jsonl").stat().st_size > 8 << 20, "input too small"

            full_then_resumed(bins, events, reference, disk, disk, disk / "state",
                              "outputs and state on the full disk")
            subprocess.run(["rm", "-rf", str(disk / "out.jsonl"), str(disk / "dlq.jsonl"),
                            str(disk / "state")], check=True)
            remount(disk, "6m")
            out_dir = tmp / "out"
            out_dir.mkdir()
            full_then_resumed(bins, events, reference, disk, out_dir, disk / "state",
                              "state alone on the full disk")

            # Every commit in the memtable: the end of the replay writes the state's only table
            # file (about 8 MB of members here), and it does not fit; each commit's free-space
            # check (state_store.cc) passes.
            subprocess.run(["rm", "-rf", str(disk / "state")], check=True)
            remount(disk, "10m")  # RocksDB reserves 4 MiB for the MANIFEST, the check 4 MiB more
            many = tmp / "many.jsonl"
            generate(bins, many, members=40000, events=400000, seed=12)
            many_reference = tmp / "many-reference"
            replay(bins, many, many_reference)
            state = ["--set", f"state.dir={disk / 'state'}", "--set", "replay.commit_events=1000",
                     "--set", "state.write_buffer_size=1GiB"]
            result = run(bins, many, out_dir, *state)
            expect_full(result, [str(disk / "state")])
            assert "flushing state to" in result.stderr, result.stderr  # the write at the end
            assert "needed before writing" not in result.stderr, result.stderr
            print(f"the final flush on the full disk: exit 1: {result.stderr.strip().splitlines()[-1]}")
            remount(disk, "512m")
            result = run(bins, many, out_dir, *state)
            assert result.returncode == 0, result.stderr
            assert "resumed after line" not in result.stdout + result.stderr, result.stdout
            for name in ("out.jsonl", "dlq.jsonl"):
                assert (out_dir / name).read_bytes() == (many_reference / name).read_bytes(), \
                    f"after the failed final flush: {name} differs from the uninterrupted run"
            print("the final flush on the full disk: started over, byte-identical output")

            # No state.dir: the temporary state fills TMPDIR; the error names it and the
            # temporary directory is removed.
            subprocess.run(["rm", "-rf", str(disk / "state")], check=True)
            remount(disk, "1m")
            result = run(bins, events, out_dir, *SMALL_COMMITS,
                         env={**os.environ, "TMPDIR": str(disk)})
            expect_full(result, [str(disk)])
            left = [p.name for p in disk.iterdir()]
            assert not left, f"temporary state left behind: {left}"
            print("temporary state on the full disk: exit 1, removed")
        finally:
            subprocess.run(["umount", str(disk)], check=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
