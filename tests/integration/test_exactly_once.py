#!/usr/bin/env python3
"""Against a real broker, processing.guarantee = exactly_once: two instances share a
4-partition input while one or the other is killed with SIGKILL at random moments and
restarted on its state dir, sometimes at once, sometimes after its session timed out (its
partitions move to the other instance and back), with input still arriving. A
read_committed consumer then sees every transition of the per-partition replay exactly
once, nothing unexpected, and every dead letter exactly once; a read_uncommitted consumer
may see records of aborted transactions, but only as exact copies."""
import json
import random
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

from kafka_test_support import Broker, consume_all, produce_lines
from segmentd_service import (Service, check_at_least_once, create_service_topics,
                              expected_transitions, generate, member_key)

PARTITIONS = 4
SETTINGS = ["time.idle_delay=36500d"]  # the history lies in the past: no idle advance
# Dynamic membership, so that partitions move at every restart; a short session so that a
# killed instance's partitions move to the other one within seconds.
LIVE = SETTINGS + ["processing.guarantee=exactly_once", "kafka.group.instance.id=",
                   "kafka.session.timeout.ms=6000"]
KILLS = 10


def totals(services, name):
    figures = [s.metrics() for s in services]
    return None if None in figures else sum(m.total(name) for m in figures)


def all_caught_up(services):
    figures = [s.metrics() for s in services]
    return None not in figures and all(m.caught_up() for m in figures)


def wait_all(services, predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for s in services:
            if s.proc.poll() is not None:
                raise AssertionError(f"segmentd exited {s.proc.returncode}:\n{s.tail()}")
        if predicate():
            return
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}:\n" +
                         "\n---\n".join(s.tail() for s in services))


class Feeder(threading.Thread):
    """Produces `lines` in small batches spread over `seconds`; `placed` collects
    [(partition, offset)] in line order."""

    def __init__(self, bootstrap, lines, seconds):
        super().__init__(daemon=True)
        self.bootstrap, self.lines, self.placed, self.error = bootstrap, lines, [], None
        self.seconds = seconds

    def run(self):
        try:
            batch = 300
            pause = self.seconds / (len(self.lines) / batch)
            for i in range(0, len(self.lines), batch):
                self.placed += produce_lines(self.bootstrap, "purchases",
                                             self.lines[i:i + batch], key_fn=member_key)
                time.sleep(pause)
        except Exception as e:  # reported by the main thread
            self.error = e


def main():
    rng = random.Random(11)
    with tempfile.TemporaryDirectory(prefix="segmentd-it-") as tmp, Broker() as bootstrap:
        tmp = Path(tmp)
        lines = generate(tmp / "events.jsonl", members=10000, events=90000, seed=17,
                         extra=["--broken-rate", "0.002"])
        create_service_topics(bootstrap, PARTITIONS, 2)
        dirs = [tmp / "state-a", tmp / "state-b"]
        services = [Service(bootstrap, d, LIVE).start() for d in dirs]
        wait_all(services, lambda: totals(services, "segmentd_partitions_assigned") == PARTITIONS,
                 90, "every partition assigned")
        # (seconds before the kill, victim, seconds down); 8 s > the session timeout. Input
        # arrives for the whole schedule and a little longer, so every kill lands in it.
        schedule = [(rng.uniform(0.5, 2.0), rng.randrange(2),
                     rng.choice([0.0, rng.uniform(0.5, 2.0), 8.0])) for _ in range(KILLS)]
        feeder = Feeder(bootstrap, lines, sum(a + c for a, _, c in schedule) + 10)
        feeder.start()
        kills = []
        for before, victim, pause in schedule:
            time.sleep(before)
            services[victim].kill()
            kills.append((victim, len(feeder.placed), round(pause, 1)))
            time.sleep(pause)
            services[victim] = Service(bootstrap, dirs[victim], LIVE).start()
        feeder.join()
        assert feeder.error is None, feeder.error
        placed = feeder.placed
        assert kills[-1][1] < len(lines), f"the kills did not land while input arrived: {kills}"
        wait_all(services,
                 lambda: totals(services, "segmentd_partitions_assigned") == PARTITIONS
                 and all_caught_up(services)
                 and all(s.get("/readyz")[0] == 200 for s in services), 240,
                 "both instances to process the rest of the input")
        time.sleep(1)
        for s in services:
            s.stop()

        expected, broken = expected_transitions(lines, placed, tmp, SETTINGS)
        committed = consume_all(bootstrap, "member-transitions", timeout=120,
                                consumer_config={"isolation.level": "read_committed"})
        check_at_least_once(expected, committed)
        ids = Counter(json.loads(r.value)["transition_id"] for r in committed)
        twice = [tid for tid, n in ids.items() if n > 1]
        assert not twice, f"{len(twice)} transitions seen more than once, e.g. {twice[:3]}"
        assert len(committed) == len(expected), (len(committed), len(expected))

        dlq = consume_all(bootstrap, "purchases.dlq", timeout=60,
                          consumer_config={"isolation.level": "read_committed"})
        sources = Counter((h["segmentd-source-partition"], h["segmentd-source-offset"])
                          for r in dlq for h in [{k: v.decode() for k, v in r.headers}])
        assert sorted(sources) == sorted((str(p), str(o)) for p, o, _ in broken) and broken, \
            (len(sources), len(broken))
        assert max(sources.values()) == 1, "a dead letter was committed twice"

        uncommitted = consume_all(bootstrap, "member-transitions", timeout=120,
                                  consumer_config={"isolation.level": "read_uncommitted"})
        check_at_least_once(expected, uncommitted)
        print(f"ok: {KILLS} kills (instance, records produced, seconds down): {kills}; "
              f"{len(expected)} transitions and {len(broken)} dead letters each committed once; "
              f"{len(uncommitted) - len(committed)} aborted copies seen read_uncommitted")


if __name__ == "__main__":
    sys.exit(main())
