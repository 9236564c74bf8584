#!/usr/bin/env python3
"""Against a real broker: `segmentd run` killed with SIGKILL and restarted on the same
state dir, with the default session timeout (45 s). Static group membership (the
instance id kept in the state dir) gives the restarted instance its partitions back at
once: it is ready well within the session timeout, says in the log that it waits for
partitions, and the output holds every transition of the replay."""
import json
import sys
import tempfile
import time
from pathlib import Path

from confluent_kafka import Consumer, TopicPartition

from kafka_test_support import Broker, consume_all, produce_lines
from segmentd_service import (Service, check_at_least_once, create_service_topics,
                              expected_transitions, generate, member_key)

SETTINGS = ["time.idle_delay=36500d"]
READY_WITHIN = 15  # seconds; the session timeout is 45


def committed_total(bootstrap, group="segmentd-test", topic="purchases", partitions=2):
    """The group's committed offsets (next offset to read) summed over the partitions."""
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": group})
    try:
        offsets = consumer.committed([TopicPartition(topic, p) for p in range(partitions)],
                                     timeout=10)
        return sum(max(0, tp.offset) for tp in offsets)
    finally:
        consumer.close()


def main():
    with tempfile.TemporaryDirectory(prefix="segmentd-it-") as tmp, Broker() as bootstrap:
        tmp = Path(tmp)
        lines = generate(tmp / "events.jsonl", members=5000, events=60000, seed=41)
        create_service_topics(bootstrap, 2)
        placed = produce_lines(bootstrap, "purchases", lines, key_fn=member_key)

        first = Service(bootstrap, tmp / "state", SETTINGS).start()
        first.wait_until(lambda m: m.total("segmentd_events_consumed_total") > 0
                         and first.get("/readyz")[0] == 200, 60, "the first run to consume")
        first.kill()

        restarted = Service(bootstrap, tmp / "state", SETTINGS).start()
        started = time.monotonic()
        restarted.wait_until(lambda m: restarted.get("/readyz")[0] == 200, READY_WITHIN,
                             f"ready within {READY_WITHIN} s of the restart")
        ready_after = time.monotonic() - started
        log = [json.loads(l) for l in restarted.log_path.read_text().splitlines()
               if l.startswith("{")]
        assert any(e.get("event") == "waiting_for_partitions" for e in log), \
            "no log line saying the service waits for partitions"
        restarted.wait_until(lambda m: committed_total(bootstrap) >= len(lines), 120,
                             "the rest of the input to be committed")
        time.sleep(1)
        restarted.stop()

        expected, _ = expected_transitions(lines, placed, tmp, SETTINGS)
        out = consume_all(bootstrap, "member-transitions", timeout=120)
        check_at_least_once(expected, out)
        print(f"ok: ready {ready_after:.1f}s after a restart following kill -9; "
              f"{len(expected)} transitions all present")


if __name__ == "__main__":
    sys.exit(main())
