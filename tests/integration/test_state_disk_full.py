#!/usr/bin/env python3
"""Against a real broker, with state.dir on a small tmpfs that fills up mid-stream:
`segmentd run` keeps running, turns unready (/readyz 503), logs once which state dir
failed, and resumes by itself once space is freed; the output then holds every
transition of the replay (at least once). Needs root to mount the tmpfs (skipped
otherwise)."""
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from kafka_test_support import Broker, consume_all, produce_lines
from segmentd_service import (Service, check_at_least_once, create_service_topics,
                              expected_transitions, generate, member_key)

SETTINGS = ["time.idle_delay=36500d"]
LIVE = SETTINGS + ["kafka.session.timeout.ms=6000"]


def fill(directory):
    """Takes all free space of the file system at once (one fallocate); returns the
    filler's path."""
    path = Path(directory) / "filler"
    fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
    try:
        size = os.statvfs(directory).f_bavail * os.statvfs(directory).f_frsize
        while size > 0:
            try:
                os.posix_fallocate(fd, 0, size)
                break
            except OSError:
                size -= 64 * 1024
    finally:
        os.close(fd)
    return path


def main():
    with tempfile.TemporaryDirectory(prefix="segmentd-it-") as tmp, Broker() as bootstrap:
        tmp = Path(tmp)
        mount = tmp / "statefs"
        mount.mkdir()
        r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=48m", "tmpfs", str(mount)],
                           capture_output=True, text=True)
        if r.returncode != 0:
            print(f"skipped: cannot mount a tmpfs ({r.stderr.strip()})")
            return 0
        try:
            return run(tmp, mount, bootstrap)
        finally:
            subprocess.run(["umount", "-l", str(mount)], check=False)


def run(tmp, mount, bootstrap):
    lines = generate(tmp / "events.jsonl", members=5000, events=60000, seed=51)
    create_service_topics(bootstrap, 2)
    third = len(lines) // 3
    placed = produce_lines(bootstrap, "purchases", lines[:third], key_fn=member_key)
    svc = Service(bootstrap, mount / "state", LIVE)
    svc.log_path = tmp / "service.log"  # not on the file system that fills
    svc.start()
    svc.wait_until(lambda m: m.total("segmentd_events_consumed_total") >= third
                   and svc.get("/readyz")[0] == 200, 60, "the first third")

    filler = fill(mount)
    placed += produce_lines(bootstrap, "purchases", lines[third:2 * third], key_fn=member_key)
    deadline = time.monotonic() + 30
    while svc.get("/readyz")[0] != 503:
        assert svc.proc.poll() is None, f"segmentd exited {svc.proc.returncode}:\n{svc.tail()}"
        assert time.monotonic() < deadline, f"not unready with the disk full:\n{svc.tail()}"
        time.sleep(0.2)
    time.sleep(3)  # a few retries while still full
    assert svc.proc.poll() is None, f"segmentd exited {svc.proc.returncode}:\n{svc.tail()}"
    assert svc.metrics() is not None, "/metrics not served while the disk is full"

    os.remove(filler)
    placed += produce_lines(bootstrap, "purchases", lines[2 * third:], key_fn=member_key)
    svc.wait_until(lambda m: svc.get("/readyz")[0] == 200
                   and m.total("segmentd_events_consumed_total") >= len(lines)
                   and m.total("segmentd_consumer_lag") == 0, 120, "recovery and the rest")
    time.sleep(1)
    svc.stop()

    log = [json.loads(l) for l in svc.log_path.read_text().splitlines() if l.startswith("{")]
    failed = [e for e in log if e.get("event") == "state_commit_failed"]
    assert len(failed) == 1, f"expected one state_commit_failed line, got {len(failed)}"
    assert str(mount / "state") in failed[0]["state_dir"], failed[0]
    assert any(e.get("event") == "state_commit_recovered" for e in log), "no recovery line"

    expected, _ = expected_transitions(lines, placed, tmp, SETTINGS)
    out = consume_all(bootstrap, "member-transitions", timeout=120)
    check_at_least_once(expected, out)
    print(f"ok: unready while full, recovered; {len(expected)} transitions all present, "
          f"{len(out) - len(expected)} exact re-emissions")
    return 0


if __name__ == "__main__":
    sys.exit(main())
