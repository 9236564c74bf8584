#!/usr/bin/env python3
"""Property: `replay` never destroys its input or mixes two outputs in one file. Two names
of one file (the same path, another spelling, a hard link, a symbolic link, the default
dead-letter name, --summary-json, standard input) are refused with exit 2 and a message
naming both, before anything is written; a missing input leaves an existing output alone;
a resumable run (outputs already there) checks the same."""
import os
import subprocess
import sys
from pathlib import Path

from replay_harness import Binaries, generate, temp_dir


def run(bins, *args, stdin=None, cwd=None):
    return subprocess.run([bins.segmentd, "replay", *args], capture_output=True, text=True,
                          stdin=stdin, cwd=cwd)


def expect_refused(bins, files, args, names, **kwargs):
    before = {path: path.read_bytes() for path in files if path.exists()}
    result = run(bins, *args, **kwargs)
    assert result.returncode == 2, f"{args}: exit {result.returncode}, {result.stderr}"
    assert "same file" in result.stderr, result.stderr
    for name in names:
        assert name in result.stderr, f"{args}: {name!r} not named in {result.stderr!r}"
    for path, content in before.items():
        assert path.read_bytes() == content, f"{args}: {path} was changed"
    print(f"refused: {' '.join(args)}")


def main():
    bins = Binaries()
    with temp_dir() as tmp:
        tmp = Path(tmp)
        events = tmp / "v.jsonl"
        generate(bins, events, members=200, events=3000, seed=3, extra=["--broken-rate", "0.01"])
        os.link(events, tmp / "hard.jsonl")
        os.symlink(events, tmp / "soft.jsonl")
        out, dlq = tmp / "out.jsonl", tmp / "dlq.jsonl"
        inputs = [events]
        e, o = str(events), str(out)

        expect_refused(bins, inputs, ["--input", e, "--output", e], ["--input " + e, "--output " + e])
        expect_refused(bins, inputs, ["--input", "v.jsonl", "--output", "./v.jsonl"],
                       ["--output ./v.jsonl", "--input v.jsonl"], cwd=tmp)
        expect_refused(bins, inputs, ["--input", e, "--output", o, "--dlq", "./v.jsonl"],
                       ["--dlq ./v.jsonl"], cwd=tmp)
        expect_refused(bins, inputs, ["--input", e, "--output", str(tmp / "hard.jsonl")],
                       ["hard.jsonl"])
        expect_refused(bins, inputs, ["--input", e, "--output", o, "--dlq", str(tmp / "soft.jsonl")],
                       ["soft.jsonl"])
        expect_refused(bins, inputs, ["--input", e, "--output", o, "--summary-json", e],
                       ["--summary-json"])
        # Two outputs on one name that does not exist yet.
        expect_refused(bins, inputs, ["--input", e, "--output", "x.jsonl", "--dlq", "./x.jsonl"],
                       ["--output x.jsonl", "--dlq ./x.jsonl"], cwd=tmp)
        assert not (tmp / "x.jsonl").exists()
        # The default dead-letter file (OUTPUT.dlq) is the input.
        dlq_named = tmp / "t.jsonl.dlq"
        dlq_named.write_bytes(events.read_bytes())
        expect_refused(bins, [dlq_named], ["--input", str(dlq_named), "--output", str(tmp / "t.jsonl")],
                       ["--dlq (default)"])
        # Standard input redirected from the file written as the output.
        with open(events, "rb") as stdin:
            expect_refused(bins, inputs, ["--input", "-", "--output", e], ["standard input"],
                           stdin=stdin)

        # A missing input fails before any output is touched.
        out.write_text("keep me\n")
        result = run(bins, "--input", str(tmp / "missing.jsonl"), "--output", o, "--dlq", str(dlq))
        assert result.returncode != 0 and "missing.jsonl" in result.stderr, result.stderr
        assert out.read_text() == "keep me\n", "a missing input truncated the existing output"
        print("missing input: output left alone")

        # Resumable: outputs and state exist; the same check applies, and the normal rerun
        # is not refused.
        state = ["--set", f"state.dir={tmp / 'state'}"]
        args = ["--input", e, "--output", o, "--dlq", str(dlq), *state]
        assert run(bins, *args).returncode == 0
        first = out.read_bytes(), dlq.read_bytes()
        expect_refused(bins, inputs + [out, dlq],
                       ["--input", e, "--output", o, "--dlq", str(tmp / "hard.jsonl"), *state],
                       ["hard.jsonl"])
        result = run(bins, *args)
        assert result.returncode == 0, result.stderr
        assert (out.read_bytes(), dlq.read_bytes()) == first, "the rerun changed the outputs"
        print("resumable run: checked, and a plain rerun still works")
    return 0


if __name__ == "__main__":
    sys.exit(main())
