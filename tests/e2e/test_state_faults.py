#!/usr/bin/env python3
"""Property: `replay` never trusts a damaged state dir and never aborts on a full disk.

- A state dir missing a table file its MANIFEST lists: exit 1 with "state dir ... is
  corrupt", not exit 0 with wrong output.
- A state dir whose MANIFEST lost its second half, with it the record of the replay's
  only flush: replay writes its state without the WAL, so to RocksDB this is the MANIFEST
  a crash during that flush leaves, and the state before it is empty. Replay starts over
  and writes the output of an uninterrupted run, not wrong output. (Where the cut leaves
  a state whose table files a later compaction deleted, that is "is corrupt", exit 1.)
- Output and state dir on one 8 MB tmpfs (only as root, where tmpfs can be mounted):
  exit 1 with a message naming the full device, never an abort; the state dir left
  behind resumes, once there is room, to the output of an uninterrupted run."""
import os
import shutil
import subprocess
import sys
from pathlib import Path

from replay_harness import Binaries, generate, read_json, replay, temp_dir


def replayed_state(bins, tmp, events, name):
    state = tmp / name
    replay(bins, events, tmp / f"{name}-first", "--set", f"state.dir={state}")
    assert list(state.glob("*.sst")), "the replay wrote out no table file"
    return state


def missing_table_file(bins, tmp, events):
    state = replayed_state(bins, tmp, events, "state-missing-table")
    max(state.glob("*.sst"), key=lambda p: p.stat().st_size).unlink()
    result = replay(bins, events, tmp / "missing-table", "--set", f"state.dir={state}",
                    check=False)
    assert result.returncode == 1, f"exit {result.returncode}: {result.stderr}"
    assert f"state dir {state} is corrupt" in result.stderr, result.stderr
    print("missing table file: exit 1,", result.stderr.strip().splitlines()[-1][:160])


def torn_manifest(bins, tmp, events):
    state = replayed_state(bins, tmp, events, "state-torn-manifest")
    manifests = sorted(state.glob("MANIFEST-*"))
    assert len(manifests) == 1, manifests
    os.truncate(manifests[0], manifests[0].stat().st_size // 2)
    reference = tmp / "reference-torn"
    replay(bins, events, reference)
    resumed = tmp / "torn-manifest"
    replay(bins, events, resumed, "--set", f"state.dir={state}")
    assert read_json(resumed / "summary.json")["resumed_from_line"] == 0
    assert (resumed / "out.jsonl").read_bytes() == (reference / "out.jsonl").read_bytes()
    print("MANIFEST cut in half: started over, to the output of an uninterrupted run")


def disk_full(bins, tmp, events):
    if os.geteuid() != 0:
        print("disk full: skipped (mounting a tmpfs needs root)")
        return
    mount = tmp / "small"
    mount.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(mount)],
                      capture_output=True).returncode != 0:
        print("disk full: skipped (cannot mount a tmpfs here)")
        return
    try:
        result = replay(bins, events, mount / "out", "--set", f"state.dir={mount / 'state'}",
                        check=False)
        assert result.returncode == 1, f"exit {result.returncode}: {result.stderr}"
        assert "No space left on device" in result.stderr, result.stderr
        print("disk full: exit 1,", result.stderr.strip().splitlines()[-1][:160])
        shutil.copytree(mount / "state", tmp / "state-after-full")
    finally:
        subprocess.run(["umount", str(mount)], check=True)
    reference = tmp / "reference"
    replay(bins, events, reference)
    resumed = tmp / "resumed"
    replay(bins, events, resumed, "--set", f"state.dir={tmp / 'state-after-full'}")
    assert (resumed / "out.jsonl").read_bytes() == (reference / "out.jsonl").read_bytes()
    print("disk full: the state dir resumes to the uninterrupted output")


def main():
    bins = Binaries()
    with temp_dir() as name:
        tmp = Path(name)
        events = tmp / "events.jsonl"
        generate(bins, events, members=3000, events=150000, seed=8)
        missing_table_file(bins, tmp, events)
        torn_manifest(bins, tmp, events)
        disk_full(bins, tmp, events)
    return 0


if __name__ == "__main__":
    sys.exit(main())
