#!/usr/bin/env python3
"""Against a real broker, with every segment family and member action enabled (SPEC
5.5-5.7): a generated stream on a 3-partition topic through `segmentd run` gives exactly
the transitions and actions `segmentd replay` gives for each partition's records in offset
order (ranked families rank within a partition, SPEC 4); actions carry the CloudEvents
headers of SPEC 5.7; members-per-segment metrics exist for every family."""
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from kafka_test_support import Broker, consume_all, create_topic, produce_lines
from segmentd_service import (SEGMENTD, Service, check_at_least_once, create_service_topics,
                              generate, member_key)

PARTITIONS = 3
SETTINGS = ["time.idle_delay=36500d",  # the history lies in the past: no idle advance
            'families.enabled=["lifecycle","rfm","quadrant","tier","value"]',
            'actions.enabled=["follow_up","replenish","birthday"]']


def replay_partitions(lines, placed, work_dir):
    """{transition_id: t}, {action_id: a} of per-partition replays in offset order."""
    by_partition = {}
    for line, (partition, offset) in zip(lines, placed):
        by_partition.setdefault(partition, []).append((offset, line))
    transitions, actions = {}, {}
    for p, records in sorted(by_partition.items()):
        records.sort()
        d = Path(work_dir) / f"replay-{p}"
        d.mkdir(parents=True)
        (d / "events.jsonl").write_bytes(b"".join(l + b"\n" for _, l in records))
        args = [SEGMENTD, "replay", "--input", str(d / "events.jsonl"), "--output",
                str(d / "out.jsonl"), "--actions", str(d / "actions.jsonl"), "--until", "0"]
        for s in SETTINGS:
            args += ["--set", s]
        subprocess.run(args, check=True, capture_output=True)
        for name, into, key in (("out.jsonl", transitions, "transition_id"),
                                ("actions.jsonl", actions, "action_id")):
            for line in (d / name).read_text().splitlines():
                value = json.loads(line)
                into[value[key]] = value
    return transitions, actions


def main():
    with tempfile.TemporaryDirectory(prefix="segmentd-it-") as tmp, Broker() as bootstrap:
        tmp = Path(tmp)
        lines = generate(tmp / "events.jsonl", members=2000, events=30000, seed=17,
                         extra=["--broken-rate", "0.005"])
        create_service_topics(bootstrap, PARTITIONS, 2)
        create_topic(bootstrap, "member-actions", 1)
        svc = Service(bootstrap, tmp / "state", SETTINGS).start()
        svc.wait_until(lambda m: svc.get("/readyz")[0] == 200, 30, "/readyz 200")
        placed = produce_lines(bootstrap, "purchases", lines, key_fn=member_key)
        svc.wait_until(
            lambda m: m.total("segmentd_events_consumed_total") >= len(lines)
            and m.caught_up(), 120, "every record consumed")
        time.sleep(1)  # figures are published every 250 ms
        metrics = svc.metrics()
        svc.stop()

        expected, expected_actions = replay_partitions(lines, placed, tmp)
        assert {t["family"] for t in expected.values()} == \
            {"lifecycle", "rfm", "quadrant", "tier", "value"}
        assert expected_actions, "the generated stream gives follow-ups"
        out = consume_all(bootstrap, "member-transitions", timeout=60)
        check_at_least_once(expected, out)
        assert len(out) == len(expected), f"duplicates without a crash: {len(out)} records"

        got = consume_all(bootstrap, "member-actions", timeout=60)
        actions = {}
        for r in got:
            a = json.loads(r.value)
            headers = {k: v.decode() for k, v in r.headers}
            assert r.key.decode() == a["member_id"]
            assert headers["ce_id"] == a["action_id"] and headers["ce_specversion"] == "1.0"
            assert headers["ce_type"] == f"segmentd.action.{a['action']}", headers
            assert headers["ce_time"] == a["due_time"], headers
            actions[a["action_id"]] = a
        assert len(got) == len(expected_actions), (len(got), len(expected_actions))
        assert actions == expected_actions, "live actions differ from the per-partition replay"

        for family in ("lifecycle", "rfm", "quadrant", "tier", "value"):
            assert metrics.total("segmentd_members", family=family) > 0, family
        assert metrics.total("segmentd_transitions_total") == len(expected)
        print(f"ok: {len(expected)} transitions and {len(actions)} actions, live == replay")


if __name__ == "__main__":
    sys.exit(main())
