"""Shared helpers for the end-to-end replay tests: run the real binaries, read JSON Lines."""
import json
import os
import subprocess
import tempfile
from pathlib import Path


class Binaries:
    def __init__(self):
        self.segmentd = os.environ["E2E_SEGMENTD_BIN"]
        self.generator = os.environ["E2E_GEN_BIN"]


def generate(bins, out_path, *, members, events, seed, extra=()):
    manifest = str(out_path) + ".manifest"
    subprocess.run([bins.generator, "--members", str(members), "--events", str(events),
                    "--seed", str(seed), "--output", str(out_path), "--manifest", manifest,
                    *extra], check=True, capture_output=True)
    return manifest


def replay(bins, input_path, out_dir, *args, check=True):
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    cmd = [bins.segmentd, "replay", "--input", str(input_path),
           "--output", str(out_dir / "out.jsonl"), "--dlq", str(out_dir / "dlq.jsonl"),
           "--summary-json", str(out_dir / "summary.json"), *args]
    result = subprocess.run(cmd, capture_output=True, text=True)
    if check and result.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)} exited {result.returncode}: {result.stderr}")
    return result


def read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def read_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def temp_dir():
    return tempfile.TemporaryDirectory(prefix="segmentd-e2e-")
