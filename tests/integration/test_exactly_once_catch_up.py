#!/usr/bin/env python3
"""Against a real broker, processing.guarantee = exactly_once: the local state is written
after each Kafka transaction, so a crash between the two leaves it behind what Kafka
committed. Made deterministic here by putting back an older copy of the state dir: the
input of three members and the idle advances that made six members dormant and lost were
committed after that copy.
1. On restart the state changelog (its records are in the same transactions, read
   read_committed) brings the old state up to the last committed transaction: nothing
   is re-processed.
2. With the changelog topic deleted as well, the service re-processes the missing input
   without output and moves its clock to the committed one (kept in the group offsets'
   metadata).
Either way a read_committed consumer sees each member's new, dormant and lost exactly
once."""
import json
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from kafka_test_support import Broker, consume_all, delete_topic, produce_lines
from segmentd_service import Service, create_service_topics

# As in integration.idle_advance: the idle clock follows the wall clock 3 s behind.
SETTINGS = ["time.idle_delay=3s", "time.allowed_lateness=0s", "lifecycle.dormant_after=4s",
            "lifecycle.lost_after=8s", "processing.guarantee=exactly_once"]


def purchases(bootstrap, members):
    now = int(time.time() * 1000)
    lines = [json.dumps({"event_id": f"e-{m}", "member_id": m, "ts": now, "amount": "9.90"})
             for m in members]
    produce_lines(bootstrap, "purchases", lines, key_fn=lambda l: json.loads(l)["member_id"],
                  partition=1)


def main():
    with tempfile.TemporaryDirectory(prefix="segmentd-it-") as tmp, Broker() as bootstrap:
        tmp = Path(tmp)
        state, older = tmp / "state", tmp / "state-older"
        create_service_topics(bootstrap, 2, 1)
        first, second = [f"m-first-{i}" for i in range(3)], [f"m-second-{i}" for i in range(3)]

        svc = Service(bootstrap, state, SETTINGS).start()
        svc.wait_until(lambda m: svc.get("/readyz")[0] == 200, 60, "/readyz 200")
        purchases(bootstrap, first)
        svc.wait_until(lambda m: m.total("segmentd_transitions_total", to="new") >= 3, 30,
                       "the first members to be new")
        svc.stop()
        shutil.copytree(state, older)  # knows the first members as new, nothing more

        svc = Service(bootstrap, state, SETTINGS).start()
        svc.wait_until(lambda m: svc.get("/readyz")[0] == 200, 60, "/readyz 200")
        purchases(bootstrap, second)
        svc.wait_until(lambda m: m.total("segmentd_transitions_total", to="lost") >= 6, 60,
                       "every member to be lost through the idle advance")
        svc.stop()

        def restart_behind(expected_log, unexpected_log):
            shutil.rmtree(state)
            shutil.copytree(older, state)  # the local state is now behind the committed output
            svc = Service(bootstrap, state, SETTINGS)
            logged_before = svc.log_path.stat().st_size  # the log file is shared by every run
            svc.start()
            svc.wait_until(lambda m: m.total("segmentd_members", family="lifecycle",
                                             segment="lost") >= 6,
                           60, "the state to catch up with what was committed")
            time.sleep(4)  # idle advances would fire the timers again if the clock were behind
            svc.stop()
            log = svc.log_path.read_bytes()[logged_before:].decode()
            assert f'"{expected_log}"' in log, f"the restart did not log {expected_log}"
            assert f'"{unexpected_log}"' not in log, f"the restart logged {unexpected_log}"

        restart_behind("partition_restored_from_changelog", "partition_catching_up")
        delete_topic(bootstrap, "segmentd-test-state-changelog")
        restart_behind("partition_catching_up", "partition_restored_from_changelog")

        out = [json.loads(r.value) for r in consume_all(
            bootstrap, "member-transitions", timeout=30,
            consumer_config={"isolation.level": "read_committed"})]
        steps = Counter((t["member_id"], t["to"]) for t in out)
        assert steps == Counter({(m, to): 1 for m in first + second
                                 for to in ("new", "dormant", "lost")}), sorted(steps.items())
        print(f"ok: {len(out)} transitions, each once, after the local state fell behind twice")


if __name__ == "__main__":
    sys.exit(main())
