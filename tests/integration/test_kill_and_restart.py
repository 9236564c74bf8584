#!/usr/bin/env python3
"""Against a real broker: `segmentd run` killed with SIGKILL at several points and
restarted on the same state dir. Every expected transition (the per-partition replay)
is on the output topic, none missing, none unexpected; duplicates only as exact copies
(same transition_id, same content)."""
import random
import sys
import tempfile
import time
from pathlib import Path

from kafka_test_support import Broker, consume_all, produce_lines
from segmentd_service import (Service, check_at_least_once, create_service_topics,
                              expected_transitions, generate, member_key)

PARTITIONS = 3
SETTINGS = ["time.idle_delay=36500d"]
# A killed member leaves the group only when its session times out: keep that short.
LIVE_SETTINGS = SETTINGS + ["kafka.session.timeout.ms=6000"]
KILLS = 4


def main():
    rng = random.Random(7)
    with tempfile.TemporaryDirectory(prefix="segmentd-it-") as tmp, Broker() as bootstrap:
        tmp = Path(tmp)
        lines = generate(tmp / "events.jsonl", members=20000, events=150000, seed=5)
        create_service_topics(bootstrap, PARTITIONS, 2)
        placed = produce_lines(bootstrap, "purchases", lines, key_fn=member_key)

        kills_done = 0
        consumed_at_kill = []
        while True:
            svc = Service(bootstrap, tmp / "state", LIVE_SETTINGS).start()
            if kills_done == KILLS:
                break
            m = svc.wait_until(lambda m: m.total("segmentd_events_consumed_total") > 0, 60,
                               "consumption to start")
            time.sleep(rng.uniform(0.3, 1.5))
            m = svc.metrics()
            consumed_at_kill.append(m.total("segmentd_events_consumed_total") if m else None)
            svc.kill()
            kills_done += 1
        svc.wait_until(lambda m: m.caught_up()
                       and m.total("segmentd_partitions_assigned") == PARTITIONS
                       and svc.get("/readyz")[0] == 200, 180, "the rest of the input")
        time.sleep(1)
        svc.stop()

        expected, _ = expected_transitions(lines, placed, tmp, SETTINGS)
        out = consume_all(bootstrap, "member-transitions", timeout=120)
        check_at_least_once(expected, out)
        duplicates = len(out) - len(expected)
        assert all(c is not None and c < len(lines) for c in consumed_at_kill), \
            f"kills did not land mid-stream: consumed {consumed_at_kill} of {len(lines)}"
        print(f"ok: {KILLS} kills at {consumed_at_kill} records consumed; "
              f"{len(expected)} transitions all present, {duplicates} exact re-emissions")


if __name__ == "__main__":
    sys.exit(main())
