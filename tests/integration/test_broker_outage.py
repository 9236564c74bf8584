#!/usr/bin/env python3
"""Against a real broker that is stopped mid-stream and started again: while it is down,
/readyz answers 503 within seconds and /metrics keeps answering promptly; the service
logs the outage once and the recovery once, as JSON (no raw librdkafka lines); once the
broker is back the service is ready again by itself and the output holds every
transition of the replay. The state changelog written across the outage is whole: an
instance started afterwards with an empty state dir restores every partition from it
(the member tally checked) and resumes where the first stopped, reading no input again."""
import json
import sys
import tempfile
import time
from pathlib import Path

from kafka_test_support import Broker, consume_all, produce_lines
from segmentd_service import (Service, check_at_least_once, create_service_topics,
                              expected_transitions, generate, member_key)

SETTINGS = ["time.idle_delay=36500d"]
LIVE = SETTINGS + ["kafka.session.timeout.ms=6000", "kafka.reconnect.backoff.max.ms=1000"]


def timed_get(svc, path):
    started = time.monotonic()
    status, body = svc.get(path)
    return status, body, time.monotonic() - started


def events(log_text, name):
    out = []
    for line in log_text.splitlines():
        if line.startswith("{"):
            entry = json.loads(line)
            if entry.get("event") == name:
                out.append(entry)
    return out


def main(guarantee="at_least_once", unready_within=5):
    """unready_within: seconds after the broker stops by which /readyz must answer 503.
    Exactly once also checks that no transition is committed twice."""
    live = LIVE + [f"processing.guarantee={guarantee}"]
    broker = Broker()
    with tempfile.TemporaryDirectory(prefix="segmentd-it-") as tmp, broker as bootstrap:
        if broker.dir is None:
            print("skipped: needs a broker of its own (SEGMENTD_KAFKA_BOOTSTRAP is set)")
            return 0
        tmp = Path(tmp)
        lines = generate(tmp / "events.jsonl", members=5000, events=60000, seed=31)
        create_service_topics(bootstrap, 2)
        half = len(lines) // 2
        placed = produce_lines(bootstrap, "purchases", lines[:half], key_fn=member_key)
        svc = Service(bootstrap, tmp / "state", live).start()
        svc.wait_until(lambda m: m.total("segmentd_events_consumed_total") > 0, 60,
                       "consumption to start")

        broker._script("stop", broker.dir)
        stopped = time.monotonic()
        unready_after = None
        while time.monotonic() - stopped < max(8, unready_within + 1):
            status, body, took = timed_get(svc, "/metrics")
            assert status == 200 and took < 1.5, \
                f"/metrics during the outage: {status} after {took:.1f}s"
            if unready_after is None and svc.get("/readyz")[0] == 503:
                unready_after = time.monotonic() - stopped
            time.sleep(0.25)
        assert unready_after is not None and unready_after < unready_within, \
            f"/readyz not 503 within {unready_within} s of the broker stopping:\n{svc.tail()}"
        print(f"/readyz answered 503 {unready_after:.1f} s after the broker stopped")
        status, body, took = timed_get(svc, "/readyz")
        assert status == 503, f"/readyz {status} while the broker is down"

        broker._script("start", broker.dir, str(broker.port))
        svc.wait_until(lambda m: svc.get("/readyz")[0] == 200, 90, "ready after the outage")
        placed += produce_lines(bootstrap, "purchases", lines[half:], key_fn=member_key)
        svc.wait_until(lambda m: m.total("segmentd_events_consumed_total") >= len(lines)
                       and m.caught_up(), 120, "the rest of the input")
        time.sleep(1)
        svc.stop()

        log = svc.log_path.read_text(errors="replace")
        raw = [l for l in log.splitlines() if l.startswith("%")]
        assert not raw, f"librdkafka lines bypass the JSON log: {raw[:3]}"
        down, up = events(log, "kafka_broker_unreachable"), events(log, "kafka_broker_reachable")
        assert len(down) == 1 and len(up) == 1, \
            f"expected one outage and one recovery line, got {len(down)} and {len(up)}"

        fresh = Service(bootstrap, tmp / "fresh-state", LIVE).start()
        m = fresh.wait_until(lambda m: m.total("segmentd_partitions_assigned") == 2
                             and fresh.get("/readyz")[0] == 200, 90,
                             "an empty instance to restore from the changelog")
        restored = m.total("segmentd_restore_records_total")
        time.sleep(1)
        m = fresh.metrics()
        fresh.stop()
        assert restored > 0, "nothing restored from the changelog"
        assert m.total("segmentd_events_consumed_total") == 0, \
            "the restored instance read input again: its restored offsets are behind"

        expected, _ = expected_transitions(lines, placed, tmp, SETTINGS)
        out = consume_all(bootstrap, "member-transitions", timeout=120,
                          consumer_config={"isolation.level": "read_committed"})
        check_at_least_once(expected, out)
        if guarantee == "exactly_once":
            assert len(out) == len(expected), f"{len(out) - len(expected)} committed twice"
        print(f"ok: 503 after {unready_after:.1f}s, /metrics served throughout; "
              f"{len(expected)} transitions all present, {len(out) - len(expected)} re-emissions; "
              f"{restored:.0f} changelog records restored by an empty instance")


if __name__ == "__main__":
    sys.exit(main())
