#!/usr/bin/env python3
"""Against a real broker: two instances in one consumer group, the second joining and then
leaving mid-stream, so partitions are revoked and assigned while records flow. Revoked
partitions commit what they processed; newly assigned ones resume from the position
stored with their state (or rebuild from the start where there is none). The output
holds every expected transition, nothing unexpected, duplicates only as exact copies.
While both own partitions, GET /members/{id} is answered by the owner of the id's
partition and 404 (naming that partition) by the other."""
import json
import sys
import tempfile
import time
from pathlib import Path

from kafka_test_support import Broker, consume_all, produce_lines
from segmentd_service import (Service, check_at_least_once, create_service_topics,
                              expected_transitions, generate, member_key)

PARTITIONS = 4
SETTINGS = ["time.idle_delay=36500d"]
LIVE = SETTINGS + ["kafka.session.timeout.ms=6000"]


def check_member_owners(a, b, members=("m-1", "m-2", "m-3", "m-4", "m-5", "m-6")):
    """GET /members/{id} with the partitions split: the owner of the id's (murmur2)
    partition explains it (200), the other answers 404 naming the same partition."""
    for member in members:
        deadline = time.monotonic() + 20
        while True:
            (sa, ba), (sb, bb) = a.get(f"/members/{member}"), b.get(f"/members/{member}")
            if sorted([sa, sb]) == [200, 404]:
                break
            assert time.monotonic() < deadline, (member, sa, ba, sb, bb)
            time.sleep(0.5)
        found, missing = (json.loads(ba), json.loads(bb)) if sa == 200 else \
            (json.loads(bb), json.loads(ba))
        assert found["member_id"] == member and found["families"], found
        assert found["partition"] == missing["partition"], (found, missing)


def main():
    with tempfile.TemporaryDirectory(prefix="segmentd-it-") as tmp, Broker() as bootstrap:
        tmp = Path(tmp)
        lines = generate(tmp / "events.jsonl", members=5000, events=60000, seed=23)
        create_service_topics(bootstrap, PARTITIONS, 2)
        third = len(lines) // 3
        a = Service(bootstrap, tmp / "state-a", LIVE).start()
        a.wait_until(lambda m: m.total("segmentd_partitions_assigned") == PARTITIONS, 60,
                     "instance a to own every partition")
        placed = produce_lines(bootstrap, "purchases", lines[:third], key_fn=member_key)
        b = Service(bootstrap, tmp / "state-b", LIVE).start()
        b.wait_until(lambda m: m.total("segmentd_partitions_assigned") > 0, 60,
                     "instance b to get partitions")
        placed += produce_lines(bootstrap, "purchases", lines[third:2 * third],
                                key_fn=member_key)
        check_member_owners(a, b)
        time.sleep(1)
        b.stop()  # leaves the group: its partitions go back to a
        placed += produce_lines(bootstrap, "purchases", lines[2 * third:], key_fn=member_key)
        a.wait_until(lambda m: m.total("segmentd_partitions_assigned") == PARTITIONS
                     and m.caught_up(), 120, "a to catch up")
        time.sleep(1)
        a.stop()

        expected, _ = expected_transitions(lines, placed, tmp, SETTINGS)
        out = consume_all(bootstrap, "member-transitions", timeout=120)
        check_at_least_once(expected, out)
        print(f"ok: {len(expected)} transitions through two rebalances, "
              f"{len(out) - len(expected)} exact re-emissions")


if __name__ == "__main__":
    sys.exit(main())
