#!/usr/bin/env python3
"""Property: the same input gives byte-identical output on every run; every broken line is
in the DLQ with its reason, every valid line is applied or counted duplicate: counts add up."""
import sys
from pathlib import Path

from replay_harness import Binaries, generate, read_json, read_jsonl, replay, temp_dir


def main():
    bins = Binaries()
    with temp_dir() as tmp:
        tmp = Path(tmp)
        for seed in (1, 2, 3):
            events = tmp / f"events-{seed}.jsonl"
            manifest = generate(bins, events, members=3000, events=60000, seed=seed,
                                extra=["--broken-rate", "0.01", "--dup-rate", "0.02"])
            replay(bins, events, tmp / f"a{seed}", "--set", "state.cache_size=2MiB")
            replay(bins, events, tmp / f"b{seed}")
            for name in ("out.jsonl", "dlq.jsonl"):
                a = (tmp / f"a{seed}" / name).read_bytes()
                b = (tmp / f"b{seed}" / name).read_bytes()
                assert a == b, f"seed {seed}: {name} differs between two runs"
            check_counts(tmp / f"a{seed}", events, manifest)
            print(f"seed {seed}: identical output, counts add up")
    return 0


def check_counts(run_dir, events_path, manifest_path):
    summary = read_json(run_dir / "summary.json")
    dlq = read_jsonl(run_dir / "dlq.jsonl")
    lines = events_path.read_text(encoding="utf-8").split("\n")
    non_blank = sum(1 for line in lines if line.strip())
    assert summary["events_read"] == non_blank, (summary["events_read"], non_blank)
    rejected = sum(summary["rejected"].values())
    assert rejected == len(dlq), (rejected, len(dlq))
    assert summary["events_applied"] + summary["events_duplicate"] + rejected == non_blank
    assert summary["events_duplicate"] > 0, "the generator injected duplicates"
    expected = {(m["line"], m["reason"]) for m in read_jsonl(manifest_path)}
    got = {(d["line"], d["reason"]) for d in dlq}
    assert expected, "the generator injected broken lines"
    assert expected == got, f"missing {sorted(expected - got)[:5]} unexpected {sorted(got - expected)[:5]}"
    for d in dlq:
        line = lines[d["line"] - 1]
        if d.get("raw_truncated"):  # too_large: raw is its first input.max_event_bytes
            assert d["reason"] == "too_large", d["reason"]
            assert line.startswith(d["raw"]) and len(d["raw"]) < len(line), \
                f"line {d['line']}: raw is not a cut of the input"
        else:
            assert d["raw"] == line, f"line {d['line']}: raw differs from input"
    transitions = read_jsonl(run_dir / "out.jsonl")
    assert len(transitions) == summary["transitions"]


if __name__ == "__main__":
    sys.exit(main())
