#!/usr/bin/env python3
"""Against a real broker: members of a partition that then receives nothing move to
dormant and lost by the live idle advance (SPEC 4: a caught-up partition's clock follows
wall clock - time.idle_delay), with cause "timer" at their exact due instants; and a
partition that never receives anything does not hold the others back."""
import json
import sys
import tempfile
import time
from pathlib import Path

from kafka_test_support import Broker, consume_all, produce_lines
from segmentd_service import Service, create_service_topics

# idle_delay leaves the events time to be applied before the idle clock passes their ts
# (a late event would be evaluated at the clock, not at its ts).
SETTINGS = ["time.idle_delay=3s", "time.allowed_lateness=0s", "lifecycle.dormant_after=4s",
            "lifecycle.lost_after=8s"]


def main():
    with tempfile.TemporaryDirectory(prefix="segmentd-it-") as tmp, Broker() as bootstrap:
        tmp = Path(tmp)
        create_service_topics(bootstrap, 2, 1)
        svc = Service(bootstrap, tmp / "state", SETTINGS).start()
        svc.wait_until(lambda m: svc.get("/readyz")[0] == 200, 30, "/readyz 200")
        now = int(time.time() * 1000)
        members = [f"m-idle-{i}" for i in range(3)]
        lines = [json.dumps({"event_id": f"e-{m}", "member_id": m, "ts": now,
                             "amount": "9.90"}) for m in members]
        produce_lines(bootstrap, "purchases", lines, key_fn=lambda l: json.loads(l)["member_id"],
                      partition=1)
        svc.wait_until(lambda m: m.total("segmentd_transitions_total", to="lost") >= 3, 40,
                       "members to be lost through the idle advance")
        svc.stop()

        out = [json.loads(r.value) for r in consume_all(bootstrap, "member-transitions",
                                                         expect_count=9, timeout=30)]
        for m in members:
            steps = [(t["from"], t["to"], t["cause"], t["effective_ts"])
                     for t in out if t["member_id"] == m]
            assert steps == [("none", "new", "event", now),
                             ("new", "dormant", "timer", now + 4000),
                             ("dormant", "lost", "timer", now + 8000)], (m, steps)
        print("ok: partition 1 went quiet; its members became dormant and lost on time")


if __name__ == "__main__":
    sys.exit(main())
