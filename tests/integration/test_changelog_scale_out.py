#!/usr/bin/env python3
"""Against a real broker: three instances share a 6-partition stream; one is killed with
SIGKILL, the input topic's records up to the group's committed offsets are deleted
(DeleteRecords), and a replacement starts with an EMPTY state dir. The partitions that
move (to the survivors, then to the replacement) can only be right if their state comes
back from the state changelog: every partition's output still equals the per-partition
replay of the whole input (nothing missing, duplicates only exact copies), and the
replacement reports the changelog records it restored."""
import sys
import tempfile
import time
from pathlib import Path

from kafka_test_support import (Broker, committed_offsets, consume_all, delete_records,
                                group_caught_up, produce_lines)
from segmentd_service import (Service, check_at_least_once, create_service_topics,
                              expected_transitions, generate, member_key)

PARTITIONS = 6
GROUP = "segmentd-test"
SETTINGS = ["time.idle_delay=36500d"]
LIVE = SETTINGS + ["kafka.session.timeout.ms=6000"]


def assigned(services):
    total = 0
    for s in services:
        m = s.metrics()
        total += m.total("segmentd_partitions_assigned") if m else 0
    return total


def wait_caught_up(bootstrap, services, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ms = [s.metrics() for s in services]
        if all(m is not None for m in ms) and \
                sum(m.total("segmentd_partitions_assigned") for m in ms) == PARTITIONS and \
                all(m.caught_up() for m in ms) and \
                all(s.get("/readyz")[0] == 200 for s in services) and \
                group_caught_up(bootstrap, "segmentd-test", "purchases", PARTITIONS):
            return ms
        for s in services:
            assert s.proc.poll() is None, f"segmentd exited {s.proc.returncode}:\n{s.tail()}"
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}:\n" +
                         "\n---\n".join(s.tail(10) for s in services))


def main():
    with tempfile.TemporaryDirectory(prefix="segmentd-it-") as tmp, Broker() as bootstrap:
        tmp = Path(tmp)
        lines = generate(tmp / "events.jsonl", members=6000, events=60000, seed=31)
        create_service_topics(bootstrap, PARTITIONS, 2)
        half = len(lines) // 2
        placed = produce_lines(bootstrap, "purchases", lines[:half], key_fn=member_key)
        a, b, c = (Service(bootstrap, tmp / f"state-{n}", LIVE).start() for n in "abc")
        wait_caught_up(bootstrap, [a, b, c], 120, "three instances to share the first half")
        time.sleep(1)  # a few more commits (every 200 ms) of the caught-up state
        owned_by_c = c.metrics().total("segmentd_partitions_assigned")
        assert owned_by_c > 0, "c owns no partition"
        c.kill()

        committed = committed_offsets(bootstrap, GROUP, "purchases", PARTITIONS)
        assert all(o > 0 for o in committed.values()), committed
        delete_records(bootstrap, "purchases", committed)

        # c's partitions go to a and b after c's session timed out; then d (empty state
        # dir) joins and takes its share, again from the changelog.
        wait_caught_up(bootstrap, [a, b], 60, "a and b to take over c's partitions")
        d = Service(bootstrap, tmp / "state-d", LIVE).start()
        d.wait_until(lambda m: m.total("segmentd_partitions_assigned") > 0, 60,
                     "the replacement to get partitions")
        placed += produce_lines(bootstrap, "purchases", lines[half:], key_fn=member_key)
        ms = wait_caught_up(bootstrap, [a, b, d], 120, "the second half")
        restored = ms[2].total("segmentd_restore_records_total")
        time.sleep(1)
        for s in (a, b, d):
            s.stop()

        expected, _ = expected_transitions(lines, placed, tmp, SETTINGS)
        out = consume_all(bootstrap, "member-transitions", timeout=120)
        check_at_least_once(expected, out)
        assert restored > 0, "the replacement restored nothing from the changelog"
        print(f"ok: {len(expected)} transitions as the replay; c owned {owned_by_c:.0f} "
              f"partitions; input deleted below {committed}; the replacement restored "
              f"{restored:.0f} changelog records; {len(out) - len(expected)} exact "
              f"re-emissions")


if __name__ == "__main__":
    sys.exit(main())
