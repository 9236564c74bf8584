#!/usr/bin/env python3
"""Against a real broker: `segmentd run` whose output topic does not exist (auto-create is
off) cannot deliver. It must exit 1 (no crash) with a JSON error line naming the topic,
and commit nothing past the failed delivery: restarted with the topic created, the
output holds every transition of the replay."""
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from kafka_test_support import Broker, consume_all, create_topic, produce_lines
from segmentd_service import (Service, check_at_least_once, create_service_topics,
                              expected_transitions, generate, member_key)

SETTINGS = ["time.idle_delay=36500d"]
MISSING = "transitions-not-created"


def main():
    with tempfile.TemporaryDirectory(prefix="segmentd-it-") as tmp, Broker() as bootstrap:
        tmp = Path(tmp)
        lines = generate(tmp / "events.jsonl", members=200, events=2000, seed=11)
        create_service_topics(bootstrap, 1)
        placed = produce_lines(bootstrap, "purchases", lines, key_fn=member_key)

        failing = Service(bootstrap, tmp / "state",
                          SETTINGS + ["kafka.message.timeout.ms=3000",
                                      "kafka.session.timeout.ms=6000"],
                          output=MISSING).start()
        try:
            code = failing.proc.wait(90)
        except subprocess.TimeoutExpired:
            failing.kill()
            raise AssertionError("segmentd did not stop after the failed delivery:\n"
                                 + failing.tail())
        failing.log.close()
        log = failing.log_path.read_text(errors="replace")
        assert code == 1, f"expected exit 1, got {code}:\n{failing.tail()}"
        errors = [json.loads(l) for l in log.splitlines()
                  if l.startswith("{") and json.loads(l).get("level") == "error"]
        assert any(MISSING in json.dumps(e) for e in errors), \
            f"no JSON error line naming {MISSING}:\n{failing.tail()}"

        create_topic(bootstrap, MISSING, 1)
        svc = Service(bootstrap, tmp / "state", SETTINGS + ["kafka.session.timeout.ms=6000"],
                      output=MISSING).start()
        # Every delivery of the failed run failed, so nothing was committed: the restart
        # reads the whole input again; caught_up() holds only once every partition's end
        # is known and reached.
        svc.wait_until(lambda m: m.total("segmentd_events_consumed_total") >= len(lines)
                       and m.caught_up()
                       and svc.get("/readyz")[0] == 200, 120, "the restart to catch up")
        svc.stop()

        expected, _ = expected_transitions(lines, placed, tmp, SETTINGS)
        assert expected, "the input should cause transitions"
        out = consume_all(bootstrap, MISSING, timeout=60)
        check_at_least_once(expected, out)
        print(f"ok: exit 1 naming {MISSING}; after restart {len(expected)} transitions "
              f"all present, {len(out) - len(expected)} exact re-emissions")


if __name__ == "__main__":
    sys.exit(main())
