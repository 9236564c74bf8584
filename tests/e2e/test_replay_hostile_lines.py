#!/usr/bin/env python3
"""Properties of the dead-letter file and of memory on hostile input:
- every DLQ line is valid JSON in valid UTF-8, also for input lines whose bytes are not
  UTF-8; those carry raw_base64, which decodes to the original bytes, the others raw;
- a ~100 MB line without a newline costs no more memory than a normal run (peak RSS
  measured): it goes to the DLQ as too_large, its raw cut to input.max_event_bytes with
  raw_truncated, and the lines after it are still read; the same with --sort."""
import base64
import json
import random
import resource
import subprocess
import sys
from pathlib import Path

from replay_harness import Binaries, read_json, temp_dir

HUGE_BYTES = 100 << 20
PEAK_RSS_LIMIT = 96 << 20  # a normal run takes about 30 MiB


def event(i):
    return json.dumps({"event_id": f"e{i}", "member_id": f"m{i % 50}", "type": "purchase",
                       "ts": 1700000000000 + i * 60000, "amount": "12.50", "currency": "EUR",
                       "store_id": "s1", "items": [{"sku": "a", "qty": 1}]}).encode()


def hostile_lines(rng):
    lines = []
    for i in range(2000):
        line = bytearray(event(i))
        if i % 5 == 0:  # random bytes in random places, often not UTF-8
            for _ in range(rng.randint(1, 4)):
                line[rng.randrange(len(line))] = rng.randrange(256)
            line = line.replace(b"\n", b" ")
        lines.append(bytes(line))
    lines.append(b'{"event_id":"x\xff\xfe","member_id":"m1"}')
    lines.append(b"\xc3\x28 not json")
    return lines


def main():
    bins = Binaries()
    rng = random.Random(17)
    with temp_dir() as tmp:
        tmp = Path(tmp)
        lines = hostile_lines(rng)
        huge_at = 1000
        events = tmp / "events.jsonl"
        with open(events, "wb") as f:
            for n, line in enumerate(lines):
                if n == huge_at:  # written in pieces: this process stays small
                    f.write(b'{"event_id":"')
                    for _ in range(HUGE_BYTES >> 20):
                        f.write(b"h" * (1 << 20))
                    f.write(b'"\n')
                f.write(line + b"\n")
        originals = {n + 1 + (n >= huge_at): line for n, line in enumerate(lines)}
        huge_line = huge_at + 1

        cmd = [bins.segmentd, "replay", "--input", str(events), "--output", str(tmp / "out.jsonl"),
               "--dlq", str(tmp / "dlq.jsonl"), "--summary-json", str(tmp / "summary.json")]
        result = subprocess.run(cmd, capture_output=True, text=True)
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
        assert result.returncode == 0, result.stderr
        print(f"peak RSS {peak >> 20} MiB with a {HUGE_BYTES >> 20} MiB line")
        assert peak < PEAK_RSS_LIMIT, f"peak RSS {peak >> 20} MiB"

        raw_dlq = (tmp / "dlq.jsonl").read_bytes()
        dlq = [json.loads(line) for line in raw_dlq.decode("utf-8").splitlines()]
        base64_count = 0
        for letter in dlq:
            n = letter["line"]
            if n == huge_line:
                assert letter["reason"] == "too_large", letter["reason"]
                assert letter["raw_truncated"] is True
                assert str(HUGE_BYTES + 14) in letter["detail"], letter["detail"]
                assert letter["raw"] == '{"event_id":"' + "h" * (65536 - 13)
                continue
            assert "raw_truncated" not in letter
            if "raw_base64" in letter:
                base64_count += 1
                assert base64.b64decode(letter["raw_base64"], validate=True) == originals[n]
                assert "raw" not in letter
            else:
                assert letter["raw"].encode("utf-8") == originals[n], n
        assert huge_line in {d["line"] for d in dlq}, "the huge line is not in the DLQ"
        assert base64_count >= 2, base64_count
        summary = read_json(tmp / "summary.json")
        assert summary["events_read"] == len(lines) + 1, summary["events_read"]
        assert sum(summary["rejected"].values()) == len(dlq)
        print(f"{len(dlq)} dead letters, all valid JSON; {base64_count} as raw_base64")

        # --sort reads through the same bounded reader and writes the same dead letters.
        sorted_dir = tmp / "sorted"
        sorted_dir.mkdir()
        result = subprocess.run([bins.segmentd, "replay", "--sort", "--input", str(events),
                                 "--output", str(sorted_dir / "out.jsonl"),
                                 "--dlq", str(sorted_dir / "dlq.jsonl")],
                                capture_output=True, text=True)
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
        assert result.returncode == 0, result.stderr
        assert peak < PEAK_RSS_LIMIT, f"--sort: peak RSS {peak >> 20} MiB"
        assert (sorted_dir / "dlq.jsonl").read_bytes() == raw_dlq
        print(f"--sort: same dead letters, peak RSS {peak >> 20} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
