#!/usr/bin/env python3
"""Against a real broker, processing.guarantee = exactly_once: a transaction aborted
during a revocation. Instance A reads the whole input into its first transaction, whose
output topic does not exist yet (its deliveries time out); before A's first commit is
due, instance B joins the group, so A's first commit is the one of the revocation, and it
aborts (logged with "the partitions' next owner redoes the work"). The output topic is
then created; A and B redo the work of the partitions they get. A read_committed
consumer sees every transition of the per-partition replay exactly once."""
import json
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from kafka_test_support import Broker, consume_all, create_topic, group_caught_up, produce_lines
from segmentd_service import (Service, check_at_least_once, create_service_topics,
                              expected_transitions, generate, member_key)

PARTITIONS = 2
OUTPUT = "created-after-the-revocation"
SETTINGS = ["time.idle_delay=36500d"]
# A's first periodic commit comes long after B joined: its first commit is the revocation's.
LIVE = SETTINGS + ["processing.guarantee=exactly_once", "processing.commit_interval=15s",
                   "kafka.transaction.timeout.ms=60000",
                   "kafka.message.timeout.ms=2000", "kafka.session.timeout.ms=6000",
                   "kafka.heartbeat.interval.ms=500"]


def log_events(svc, event):
    return [json.loads(l) for l in svc.log_path.read_text().splitlines()
            if l.startswith("{") and f'"{event}"' in l]


def main():
    with tempfile.TemporaryDirectory(prefix="segmentd-it-") as tmp, Broker() as bootstrap:
        tmp = Path(tmp)
        lines = generate(tmp / "events.jsonl", members=400, events=4000, seed=29)
        create_service_topics(bootstrap, PARTITIONS)
        placed = produce_lines(bootstrap, "purchases", lines, key_fn=member_key)

        a = Service(bootstrap, tmp / "state-a", LIVE, output=OUTPUT).start()
        a.wait_until(lambda m: m.total("segmentd_events_consumed_total") >= len(lines), 60,
                     "A to read the input")
        assert not log_events(a, "kafka_transaction_aborted"), a.tail()
        b = Service(bootstrap, tmp / "state-b", LIVE, output=OUTPUT).start()
        deadline = time.monotonic() + 60
        while not log_events(a, "partitions_revoked"):
            assert a.proc.poll() is None and b.proc.poll() is None, a.tail() + b.tail()
            assert time.monotonic() < deadline, f"A's partitions not revoked:\n{a.tail()}"
            time.sleep(0.2)
        aborts = log_events(a, "kafka_transaction_aborted")
        assert [e["action"] for e in aborts] == ["the partitions' next owner redoes the work"], \
            f"expected one abort, in the revocation:\n{a.tail()}"
        create_topic(bootstrap, OUTPUT, 1)

        services = [a, b]
        deadline = time.monotonic() + 120
        while not group_caught_up(bootstrap, "segmentd-test", "purchases", PARTITIONS):
            for s in services:
                assert s.proc.poll() is None, f"segmentd exited {s.proc.returncode}:\n{s.tail()}"
            assert time.monotonic() < deadline, "not caught up:\n" + a.tail() + "\n" + b.tail()
            time.sleep(0.5)
        for s in services:
            s.stop()

        expected, _ = expected_transitions(lines, placed, tmp, SETTINGS)
        out = consume_all(bootstrap, OUTPUT, timeout=60,
                          consumer_config={"isolation.level": "read_committed"})
        check_at_least_once(expected, out)
        twice = [t for t, n in Counter(json.loads(r.value)["transition_id"] for r in out).items()
                 if n > 1]
        assert not twice and len(out) == len(expected), (len(out), len(expected), twice[:3])
        print(f"ok: the revocation's transaction aborted; {len(expected)} transitions, each "
              "committed once")
        return 0


if __name__ == "__main__":
    sys.exit(main())
