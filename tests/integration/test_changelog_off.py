#!/usr/bin/env python3
"""Against a real broker, state.changelog = false with processing.guarantee =
exactly_once: no state changelog topic is created or written. An instance reads half the
input and stops; a second one on an EMPTY state dir takes over the partitions: without a
changelog it starts at the input's earliest offset and catches up silently to the
group's committed offsets, so a read_committed consumer still sees every transition of
the per-partition replay exactly once (the input's retention covers it here)."""
import json
import sys
import tempfile
from collections import Counter
from pathlib import Path

from confluent_kafka.admin import AdminClient

from kafka_test_support import Broker, consume_all, group_caught_up, produce_lines
from segmentd_service import (Service, check_at_least_once, create_service_topics,
                              expected_transitions, generate, member_key)

PARTITIONS = 3
SETTINGS = ["time.idle_delay=36500d"]
LIVE = SETTINGS + ["state.changelog=false", "processing.guarantee=exactly_once",
                   "kafka.session.timeout.ms=6000"]


def caught_up(bootstrap):
    return group_caught_up(bootstrap, "segmentd-test", "purchases", PARTITIONS)


def main():
    with tempfile.TemporaryDirectory(prefix="segmentd-it-") as tmp, Broker() as bootstrap:
        tmp = Path(tmp)
        lines = generate(tmp / "events.jsonl", members=1500, events=15000, seed=23)
        create_service_topics(bootstrap, PARTITIONS)
        half = len(lines) // 2
        placed = produce_lines(bootstrap, "purchases", lines[:half], key_fn=member_key)
        first = Service(bootstrap, tmp / "state-a", LIVE).start()
        first.wait_until(lambda m: caught_up(bootstrap), 90, "the first half")
        first.stop()
        topics = AdminClient({"bootstrap.servers": bootstrap}).list_topics(timeout=10).topics
        assert not [t for t in topics if t.endswith("-state-changelog")], sorted(topics)
        started = [json.loads(l) for l in first.log_path.read_text().splitlines()
                   if '"service_started"' in l]
        assert started and started[0]["state_changelog"] == "off", started

        placed += produce_lines(bootstrap, "purchases", lines[half:], key_fn=member_key)
        second = Service(bootstrap, tmp / "state-b", LIVE).start()
        second.wait_until(lambda m: caught_up(bootstrap), 90, "the rest on an empty state dir")
        second.stop()
        log = second.log_path.read_text()
        assert "partition_catching_up" in log, "the new owner did not catch up silently"
        assert "partition_restored_from_changelog" not in log

        expected, _ = expected_transitions(lines, placed, tmp, SETTINGS)
        out = consume_all(bootstrap, "member-transitions", timeout=60,
                          consumer_config={"isolation.level": "read_committed"})
        check_at_least_once(expected, out)
        twice = [t for t, n in Counter(json.loads(r.value)["transition_id"] for r in out).items()
                 if n > 1]
        assert not twice and len(out) == len(expected), (len(out), len(expected), twice[:3])
        topics = AdminClient({"bootstrap.servers": bootstrap}).list_topics(timeout=10).topics
        assert not [t for t in topics if t.endswith("-state-changelog")], sorted(topics)
        print(f"ok: no changelog topic; the takeover on an empty state dir caught up from the "
              f"input; {len(expected)} transitions, each committed once")
        return 0


if __name__ == "__main__":
    sys.exit(main())
