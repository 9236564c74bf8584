#!/usr/bin/env python3
"""Against a real broker: a generated stream on a 4-partition topic through `segmentd run`
gives, per member and field by field, the transitions `segmentd replay` gives for each
partition's records in offset order; broken records are on the DLQ topic with their
original bytes and the SPEC 2 headers; /metrics parses and its counters match what was
processed; /readyz turns ready after assignment; SIGTERM drains and exits 0."""
import json
import sys
import tempfile
import time
from pathlib import Path

from kafka_test_support import Broker, consume_all, produce_lines
from segmentd_service import (Service, check_at_least_once, create_service_topics,
                              expected_transitions, generate, member_key)

PARTITIONS = 4
SETTINGS = ["time.idle_delay=36500d"]  # the history lies in the past: no idle advance


def main():
    with tempfile.TemporaryDirectory(prefix="segmentd-it-") as tmp, Broker() as bootstrap:
        tmp = Path(tmp)
        lines = generate(tmp / "events.jsonl", members=3000, events=40000, seed=11,
                         extra=["--broken-rate", "0.005"])
        create_service_topics(bootstrap, PARTITIONS, 3)
        svc = Service(bootstrap, tmp / "state", SETTINGS).start()
        svc.wait_until(lambda m: True, 30, "the metrics endpoint")
        status, body = svc.get("/healthz")
        assert status == 200, (status, body)
        svc.wait_until(lambda m: svc.get("/readyz")[0] == 200, 30, "/readyz 200")

        placed = produce_lines(bootstrap, "purchases", lines, key_fn=member_key)
        expected, broken = expected_transitions(lines, placed, tmp, SETTINGS)
        svc.wait_until(
            lambda m: m.total("segmentd_events_consumed_total") >= len(lines)
            and m.caught_up(), 120, "every record consumed")
        # The processing figures (rejections, transitions) are published every 250 ms by
        # the processing loop, after the records are read: on a loaded machine a commit
        # can hold them back for longer than a fixed pause.
        svc.wait_until(
            lambda m: m.total("segmentd_events_rejected_total") >= len(broken)
            and m.total("segmentd_transitions_total") >= len(expected), 60,
            "the processing figures of every record")
        time.sleep(1)  # one more publication: a count beyond the expected one shows
        metrics = svc.metrics()
        svc.stop()

        out = consume_all(bootstrap, "member-transitions", timeout=60)
        for r in out:
            t = json.loads(r.value)
            assert r.key.decode() == t["member_id"], "transition key is not the member id"
            headers = {k: v.decode() for k, v in r.headers}
            assert headers["ce_id"] == t["transition_id"] and headers["ce_specversion"] == "1.0"
            assert headers["ce_type"] == f"segmentd.transition.lifecycle.{t['to']}", headers
            assert headers["ce_source"] == "segmentd/segmentd-test", headers
            assert headers["ce_time"] == t["effective_time"], headers
        check_at_least_once(expected, out)
        assert len(out) == len(expected), f"duplicates without a crash: {len(out)} records"

        dlq = consume_all(bootstrap, "purchases.dlq", timeout=60, expect_count=len(broken))
        assert len(dlq) == len(broken) and broken, (len(dlq), len(broken))
        got = {(h["segmentd-source-partition"], h["segmentd-source-offset"]): (r, h)
               for r in dlq for h in [{k: v.decode() for k, v in r.headers}]}
        for p, offset, d in broken:
            r, h = got[(str(p), str(offset))]
            if d.get("raw_truncated"):  # replay keeps a too_large line's first max_event_bytes
                assert d["reason"] == "too_large" and r.value.decode().startswith(d["raw"]), \
                    "DLQ value is not the original bytes"
            else:
                assert r.value.decode() == d["raw"], "DLQ value is not the original bytes"
            assert h["segmentd-error"] == d["reason"], (h, d)
            assert h["segmentd-error-detail"] == d["detail"], (h, d)
            assert h["segmentd-source-topic"] == "purchases"

        assert metrics.total("segmentd_events_consumed_total") == len(lines)
        assert metrics.total("segmentd_events_rejected_total") == len(broken)
        assert metrics.total("segmentd_transitions_total") == len(expected)
        members = metrics.total("segmentd_members", family="lifecycle")
        assert members == len({t["member_id"] for t in expected.values()}), members
        print(f"ok: {len(lines)} records, {len(expected)} transitions, {len(broken)} dead letters")


if __name__ == "__main__":
    sys.exit(main())
