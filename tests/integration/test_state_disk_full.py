#!/usr/bin/env python3
"""Against a real broker, with state.dir on a small tmpfs that fills up mid-stream:
`segmentd run` keeps running, turns unready (/readyz 503), logs once which state dir
failed, and resumes by itself once space is freed; the output then holds every
transition of the replay (at least once). Needs root to mount the tmpfs (skipped
otherwise).

main("exactly_once") (integration.exactly_once_disk_full) does the same with
processing.guarantee = exactly_once, where each failed state write comes after its
transaction committed, and then fills the disk a second time, kills the service with
SIGKILL while it is full, frees the space and starts it again on the same state dir:
a read_committed consumer sees every transition of the replay exactly once. With
changelog=False (state.changelog = false) the local state is the only copy: the restart
catches up from it silently to the group's committed offsets."""
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from collections import Counter

from kafka_test_support import Broker, consume_all, group_caught_up, produce_lines
from segmentd_service import (Service, check_at_least_once, create_service_topics,
                              expected_transitions, generate, member_key)

SETTINGS = ["time.idle_delay=36500d"]
LIVE = SETTINGS + ["kafka.session.timeout.ms=6000"]
PARTITIONS = 2


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


def main(guarantee="at_least_once", changelog=True):
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
            return run(tmp, mount, bootstrap, guarantee, changelog)
        finally:
            subprocess.run(["umount", "-l", str(mount)], check=False)


def wait_unready(svc):
    deadline = time.monotonic() + 30
    while svc.get("/readyz")[0] != 503:
        assert svc.proc.poll() is None, f"segmentd exited {svc.proc.returncode}:\n{svc.tail()}"
        assert time.monotonic() < deadline, f"not unready with the disk full:\n{svc.tail()}"
        time.sleep(0.2)


def run(tmp, mount, bootstrap, guarantee, changelog):
    exactly_once = guarantee == "exactly_once"
    live = LIVE + [f"processing.guarantee={guarantee}",
                   f"state.changelog={'true' if changelog else 'false'}"]
    lines = generate(tmp / "events.jsonl", members=5000, events=60000, seed=51)
    create_service_topics(bootstrap, PARTITIONS)
    third = len(lines) // 3
    placed = produce_lines(bootstrap, "purchases", lines[:third], key_fn=member_key)
    svc = Service(bootstrap, mount / "state", live)
    svc.log_path = tmp / "service.log"  # not on the file system that fills
    svc.start()
    svc.wait_until(lambda m: m.total("segmentd_events_consumed_total") >= third
                   and svc.get("/readyz")[0] == 200, 60, "the first third")

    filler = fill(mount)
    placed += produce_lines(bootstrap, "purchases", lines[third:2 * third], key_fn=member_key)
    wait_unready(svc)
    time.sleep(3)  # a few retries while still full
    assert svc.proc.poll() is None, f"segmentd exited {svc.proc.returncode}:\n{svc.tail()}"
    assert svc.metrics() is not None, "/metrics not served while the disk is full"

    os.remove(filler)
    if exactly_once:
        svc.wait_until(lambda m: svc.get("/readyz")[0] == 200
                       and group_caught_up(bootstrap, "segmentd-test", "purchases",
                                           PARTITIONS), 120, "recovery")
        # Full again, killed while full, restarted on the same state dir with space back.
        filler = fill(mount)
        placed += produce_lines(bootstrap, "purchases", lines[2 * third:], key_fn=member_key)
        wait_unready(svc)
        time.sleep(2)
        svc.kill()
        os.remove(filler)
        restarted = Service(bootstrap, mount / "state", live)
        restarted.log_path = tmp / "restarted.log"
        restarted.start()
        restarted.wait_until(lambda m: restarted.get("/readyz")[0] == 200
                             and group_caught_up(bootstrap, "segmentd-test", "purchases",
                                                 PARTITIONS), 120,
                             "the restarted service to read the rest")
        time.sleep(1)
        restarted.stop()
    else:
        placed += produce_lines(bootstrap, "purchases", lines[2 * third:], key_fn=member_key)
        svc.wait_until(lambda m: svc.get("/readyz")[0] == 200
                       and m.total("segmentd_events_consumed_total") >= len(lines)
                       and m.caught_up(), 120, "recovery and the rest")
        time.sleep(1)
        svc.stop()

    log = [json.loads(l) for l in svc.log_path.read_text().splitlines() if l.startswith("{")]
    failed = [e for e in log if e.get("event") == "state_commit_failed"]
    fills = 2 if exactly_once else 1
    assert len(failed) == fills, f"expected {fills} state_commit_failed lines, got {len(failed)}"
    assert str(mount / "state") in failed[0]["state_dir"], failed[0]
    assert any(e.get("event") == "state_commit_recovered" for e in log), "no recovery line"

    expected, _ = expected_transitions(lines, placed, tmp, SETTINGS)
    if not exactly_once:
        out = consume_all(bootstrap, "member-transitions", timeout=120)
        check_at_least_once(expected, out)
        print(f"ok: unready while full, recovered; {len(expected)} transitions all present, "
              f"{len(out) - len(expected)} exact re-emissions")
        return 0
    out = consume_all(bootstrap, "member-transitions", timeout=120,
                      consumer_config={"isolation.level": "read_committed"})
    check_at_least_once(expected, out)
    twice = [t for t, n in Counter(json.loads(r.value)["transition_id"] for r in out).items()
             if n > 1]
    assert not twice and len(out) == len(expected), (len(out), len(expected), twice[:3])
    print(f"ok (changelog {'on' if changelog else 'off'}): unready while full, recovered, "
          f"killed while full and restarted; "
          f"{len(expected)} transitions, each committed once")
    return 0


if __name__ == "__main__":
    sys.exit(main())
