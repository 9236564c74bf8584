#!/usr/bin/env python3
"""Property: SIGTERM or SIGINT stops `replay` with exit 128+signal and a log line; the
temporary state of a run without state.dir is removed, and a run with state.dir commits,
so the same command continues to byte-identical output. Temporary state left by a run
that was killed (SIGKILL) is removed by the next replay, unless its owner still runs."""
import fcntl
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from replay_harness import Binaries, generate, replay, temp_dir


def scratch_dirs(tmpdir):
    return sorted(p for p in tmpdir.iterdir() if p.name.startswith("segmentd-replay-"))


def start(bins, events, out_dir, tmpdir, *args):
    cmd = [bins.segmentd, "replay", "--input", str(events), "--output", str(out_dir / "out.jsonl"),
           "--dlq", str(out_dir / "dlq.jsonl"), *args]
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "TMPDIR": str(tmpdir)})


def wait_for_state(tmpdir, proc, state_dir=None):
    deadline = time.time() + 30
    while time.time() < deadline and proc.poll() is None:
        dirs = [state_dir] if state_dir else scratch_dirs(tmpdir)
        if dirs and dirs[0].exists() and any(dirs[0].rglob("*.log")):
            time.sleep(0.3)
            return
        time.sleep(0.02)
    raise AssertionError("the replay ended before it could be interrupted: input too small")


def interrupted(bins, events, out_dir, tmpdir, sig, *args, state_dir=None):
    proc = start(bins, events, out_dir, tmpdir, *args)
    wait_for_state(tmpdir, proc, state_dir)
    proc.send_signal(sig)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 128 + sig, f"exit {proc.returncode} after {sig!r}: {stderr}"
    assert "replay_interrupted" in stderr, stderr
    return stderr


def main():
    bins = Binaries()
    with temp_dir() as tmp:
        tmp = Path(tmp)
        tmpdir = tmp / "tmpdir"
        tmpdir.mkdir()
        events = tmp / "events.jsonl"
        generate(bins, events, members=20000, events=400000, seed=9,
                 extra=["--broken-rate", "0.002"])
        out_dir = tmp / "out"
        out_dir.mkdir()

        for sig in (signal.SIGTERM, signal.SIGINT):
            interrupted(bins, events, out_dir, tmpdir, sig)
            left = scratch_dirs(tmpdir)
            assert not left, f"{sig!r}: temporary state left behind: {left}"
            print(f"{sig.name}: exit {128 + sig}, temporary state removed")

        # With state.dir: committed on the signal; the same command continues.
        reference = tmp / "reference"
        replay(bins, events, reference)
        state_dir = tmp / "state"
        args = ["--set", f"state.dir={state_dir}"]
        interrupted(bins, events, out_dir, tmpdir, signal.SIGTERM, *args, state_dir=state_dir)
        proc = start(bins, events, out_dir, tmpdir, *args)
        _, stderr = proc.communicate(timeout=300)
        assert proc.returncode == 0, stderr
        for name in ("out.jsonl", "dlq.jsonl"):
            assert (out_dir / name).read_bytes() == (reference / name).read_bytes(), name
        print("state.dir: committed on SIGTERM, resumed to identical output")

        # A killed run leaves its temporary state; the next run removes it, but not the
        # state of a run that is still going (its lock is held).
        proc = start(bins, events, out_dir, tmpdir)
        wait_for_state(tmpdir, proc)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        stale = scratch_dirs(tmpdir)
        assert len(stale) == 1, stale
        live = tmpdir / "segmentd-replay-live01"
        live.mkdir()
        with open(live / "owner.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            lock.write(f"{os.getpid()}\n")
            lock.flush()
            small = tmp / "small.jsonl"
            small.write_bytes(events.read_bytes()[:100000].rsplit(b"\n", 1)[0] + b"\n")
            proc = start(bins, small, out_dir, tmpdir)
            _, stderr = proc.communicate(timeout=60)
            assert proc.returncode == 0, stderr
            assert not stale[0].exists(), "the killed run's temporary state was not removed"
            assert live.exists(), "the state of a running replay was removed"
        print("stale temporary state removed at start-up, live state kept")
    return 0


if __name__ == "__main__":
    sys.exit(main())
