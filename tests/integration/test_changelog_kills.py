#!/usr/bin/env python3
"""Against a real broker: three instances share a 6-partition stream while input keeps
arriving; ten times, one of them is killed with SIGKILL at a random moment (during
processing, a commit or a restore) and started again, half the time on an EMPTY state
dir. Dynamic group membership, so every kill moves partitions (after the 6 s session
timeout) and every restart moves them again, each time restored from the state
changelog where the new owner's local state is missing or behind. After each kill the
input is deleted below the group's committed offsets, so a partition rebuilt from the
input or resumed from stale local state would be wrong. At least once: the
output holds every transition of the per-partition replay, nothing unexpected,
duplicates only as exact copies."""
import random
import sys
import tempfile
import time
from pathlib import Path

from kafka_test_support import (Broker, committed_offsets, consume_all, delete_records,
                                group_caught_up, produce_lines)
from segmentd_service import (Service, check_at_least_once, create_service_topics,
                              expected_transitions, generate, member_key)

PARTITIONS = 6
KILLS = 10
SETTINGS = ["time.idle_delay=36500d"]
LIVE = SETTINGS + ["kafka.session.timeout.ms=6000", "kafka.heartbeat.interval.ms=1000",
                   "kafka.group.instance.id="]


def main():
    rng = random.Random(11)
    with tempfile.TemporaryDirectory(prefix="segmentd-it-") as tmp, Broker() as bootstrap:
        tmp = Path(tmp)
        lines = generate(tmp / "events.jsonl", members=6000, events=66000, seed=41)
        create_service_topics(bootstrap, PARTITIONS, 2)
        first = len(lines) // 3
        placed = produce_lines(bootstrap, "purchases", lines[:first], key_fn=member_key)
        chunks = [lines[first + i * (len(lines) - first) // KILLS:
                        first + (i + 1) * (len(lines) - first) // KILLS] for i in range(KILLS)]
        state_dirs = []

        def start(state_dir=None):
            if state_dir is None:
                state_dir = tmp / f"state-{len(state_dirs)}"
                state_dirs.append(state_dir)
            return Service(bootstrap, state_dir, LIVE).start()

        services = [start() for _ in range(3)]
        # The group, not one instance: a rebalance can hand services[0] partitions whose
        # input another instance already consumed, and it then never consumes an event.
        deadline = time.monotonic() + 60
        while not group_caught_up(bootstrap, "segmentd-test", "purchases", PARTITIONS):
            for s in services:
                assert s.proc.poll() is None, f"segmentd exited {s.proc.returncode}:\n{s.tail()}"
            assert time.monotonic() < deadline, "the first third was not consumed:\n" + \
                "\n---\n".join(s.tail(8) for s in services)
            time.sleep(0.3)
        fresh_restarts = 0
        for chunk in chunks:
            placed += produce_lines(bootstrap, "purchases", chunk, key_fn=member_key)
            time.sleep(rng.uniform(0.0, 1.0))  # while the chunk is processed, or after
            victim = rng.randrange(3)
            services[victim].kill()
            if rng.random() < 0.5:
                services[victim] = start()  # an empty state dir
                fresh_restarts += 1
            else:
                services[victim] = start(services[victim].log_path.with_suffix(""))
            time.sleep(rng.uniform(0.5, 2.0))
            committed = committed_offsets(bootstrap, "segmentd-test", "purchases", PARTITIONS)
            delete_records(bootstrap, "purchases", {p: o for p, o in committed.items() if o > 0})

        deadline = time.monotonic() + 120
        while True:
            ms = [s.metrics() for s in services]
            if all(m is not None for m in ms) and \
                    sum(m.total("segmentd_partitions_assigned") for m in ms) == PARTITIONS and \
                    all(m.caught_up() for m in ms) and \
                    all(s.get("/readyz")[0] == 200 for s in services) and \
                group_caught_up(bootstrap, "segmentd-test", "purchases", PARTITIONS):
                break
            for s in services:
                assert s.proc.poll() is None, f"segmentd exited {s.proc.returncode}:\n{s.tail()}"
            assert time.monotonic() < deadline, "not caught up:\n" + \
                "\n---\n".join(s.tail(8) for s in services)
            time.sleep(0.3)
        restored = sum(m.total("segmentd_restore_records_total") for m in ms)
        time.sleep(1)
        for s in services:
            s.stop()

        expected, _ = expected_transitions(lines, placed, tmp, SETTINGS)
        out = consume_all(bootstrap, "member-transitions", timeout=120)
        check_at_least_once(expected, out)
        print(f"ok: {KILLS} kills ({fresh_restarts} restarts on an empty state dir); "
              f"{len(expected)} transitions all present, {len(out) - len(expected)} exact "
              f"re-emissions; the last instances restored {restored:.0f} changelog records")


if __name__ == "__main__":
    sys.exit(main())
