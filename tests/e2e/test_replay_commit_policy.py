#!/usr/bin/env python3
"""Property: `replay` commits by the work done, every `replay.commit_events` lines, sooner
when the cached members exceed state.cache_size, and at the end, whatever the
wall clock does (processing.commit_interval is `segmentd run`'s), so the same replay
commits the same number of times however fast it runs."""
import sys
from pathlib import Path

from replay_harness import Binaries, generate, read_json, replay, temp_dir


def commits(bins, events, out_dir, state_dir, *extra):
    replay(bins, events, out_dir, "--set", f"state.dir={state_dir}", *extra)
    summary = read_json(Path(out_dir) / "summary.json")
    return summary["events_read"], summary["commits"]


def main():
    bins = Binaries()
    with temp_dir() as tmp:
        tmp = Path(tmp)
        events = tmp / "events.jsonl"
        generate(bins, events, members=500, events=10000, seed=3)
        lines = sum(1 for _ in open(events, encoding="utf-8"))
        for every, interval in ((1000, "1ms"), (1000, "1h"), (3000, "1ms"), (20000, "1ms")):
            name = f"{every}-{interval}"
            read, made = commits(bins, events, tmp / name, tmp / f"state-{name}",
                                 "--set", f"replay.commit_events={every}",
                                 "--set", f"processing.commit_interval={interval}")
            assert read == lines, f"{name}: read {read} of {lines} lines"
            expected = lines // every + 1  # one per `every` lines, and the final one
            assert made == expected, f"{name}: {made} commits, expected {expected}"
            print(f"commit_events={every}, commit_interval={interval}: {made} commits")

        # 5,000 members outgrow a 1 MiB cache: commits come sooner, as many in each run.
        crowded = tmp / "crowded.jsonl"
        generate(bins, crowded, members=5000, events=10000, seed=3)
        made = set()
        for interval in ("1ms", "1h"):
            name = f"crowded-{interval}"
            _, count = commits(bins, crowded, tmp / name, tmp / f"state-{name}",
                               "--set", "replay.commit_events=1000000", "--set",
                               "state.cache_size=1MiB",
                               "--set", f"processing.commit_interval={interval}")
            made.add(count)
        assert len(made) == 1 and made.pop() > 2, f"crowded cache: {made} commits"
        print("members over the cache budget: more commits, the same in each run")
    return 0


if __name__ == "__main__":
    sys.exit(main())
