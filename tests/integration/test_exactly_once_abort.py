#!/usr/bin/env python3
"""Against a real broker, processing.guarantee = exactly_once, output to a topic that does
not exist yet (auto-create is off): deliveries time out, so each transaction is aborted
and the service rewinds to its last commit. Without the topic it gives up after five
aborts in a row: exit 1 with a JSON error line naming the topic. Restarted, and the topic
created after its first abort, it recovers by itself: a read_committed consumer sees
every transition of the replay exactly once."""
import json
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from kafka_test_support import Broker, consume_all, create_topic, produce_lines
from segmentd_service import (Service, check_at_least_once, create_service_topics,
                              expected_transitions, generate, member_key)

SETTINGS = ["time.idle_delay=36500d"]
LIVE = SETTINGS + ["processing.guarantee=exactly_once", "kafka.message.timeout.ms=2000",
                   "kafka.session.timeout.ms=6000"]


def main():
    with tempfile.TemporaryDirectory(prefix="segmentd-it-") as tmp, Broker() as bootstrap:
        tmp = Path(tmp)
        lines = generate(tmp / "events.jsonl", members=200, events=2000, seed=13)
        create_service_topics(bootstrap, 2)
        placed = produce_lines(bootstrap, "purchases", lines, key_fn=member_key)

        failing = Service(bootstrap, tmp / "state", LIVE, output="never-created").start()
        try:
            code = failing.proc.wait(120)
        except subprocess.TimeoutExpired:
            failing.kill()
            raise AssertionError("segmentd did not give up:\n" + failing.tail())
        failing.log.close()
        log = [json.loads(l) for l in failing.log_path.read_text().splitlines()
               if l.startswith("{")]
        assert code == 1, f"expected exit 1, got {code}:\n{failing.tail()}"
        aborts = [e for e in log if e.get("event") == "kafka_transaction_aborted"]
        assert len(aborts) == 4, f"{len(aborts)} aborts logged before giving up:\n{failing.tail()}"
        failed = [e for e in log if e.get("level") == "error" and "never-created" in json.dumps(e)]
        assert failed, f"no error line naming the topic:\n{failing.tail()}"

        svc = Service(bootstrap, tmp / "state", LIVE, output="created-late").start()
        deadline = time.monotonic() + 60
        while "kafka_transaction_aborted" not in svc.log_path.read_text():
            assert svc.proc.poll() is None and time.monotonic() < deadline, svc.tail()
            time.sleep(0.2)
        create_topic(bootstrap, "created-late", 1)
        svc.wait_until(lambda m: m.total("segmentd_events_consumed_total") >= len(lines)
                       and m.caught_up()
                       and svc.get("/readyz")[0] == 200, 120, "recovery after the aborts")
        time.sleep(1)
        svc.stop()

        expected, _ = expected_transitions(lines, placed, tmp, SETTINGS)
        out = consume_all(bootstrap, "created-late", timeout=60,
                          consumer_config={"isolation.level": "read_committed"})
        check_at_least_once(expected, out)
        twice = [t for t, n in Counter(json.loads(r.value)["transition_id"] for r in out).items()
                 if n > 1]
        assert not twice and len(out) == len(expected), (len(out), len(expected), twice[:3])
        print(f"ok: gave up after 5 aborts; after recovering {len(expected)} transitions, "
              "each committed once")


if __name__ == "__main__":
    sys.exit(main())
