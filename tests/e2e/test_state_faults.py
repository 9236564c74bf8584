#!/usr/bin/env python3
"""Property: `replay` never trusts a damaged state dir and never aborts on a full disk.

- A state dir whose MANIFEST lost its second half: exit 1 with "state dir ... is corrupt",
  not exit 0 with wrong output.
- Output and state dir on one 8 MB tmpfs (only as root, where tmpfs can be mounted):
  exit 1 with a message naming the full device, never an abort; the state dir left
  behind resumes, once there is room, to the output of an uninterrupted run."""
import os
import shutil
import subprocess
import sys
from pathlib import Path

from replay_harness import Binaries, generate, replay, temp_dir


def corrupt_manifest(bins, tmp, events):
    state = tmp / "state"
    replay(bins, events, tmp / "first", "--set", f"state.dir={state}")
    manifests = sorted(state.glob("MANIFEST-*"))
    assert len(manifests) == 1, manifests
    size = manifests[0].stat().st_size
    os.truncate(manifests[0], size // 2)
    result = replay(bins, events, tmp / "second", "--set", f"state.dir={state}", check=False)
    assert result.returncode == 1, f"exit {result.returncode}: {result.stderr}"
    assert f"state dir {state} is corrupt" in result.stderr, result.stderr
    print("truncated MANIFEST: exit 1,", result.stderr.strip().splitlines()[-1][:160])


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
        corrupt_manifest(bins, tmp, events)
        disk_full(bins, tmp, events)
    return 0


if __name__ == "__main__":
    sys.exit(main())
