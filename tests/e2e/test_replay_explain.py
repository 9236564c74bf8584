#!/usr/bin/env python3
"""`segmentd replay --explain MEMBER` prints the member's explanation (JSON, as GET
/members/MEMBER answers) after the replay: for every member of a conformance scenario,
its label per family is the `to` of its last expected transition, `seq` that
transition's seq, and each label comes with a rule text. --explain with --output -
(both on stdout) is refused with exit 2."""
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

SEGMENTD = os.environ["E2E_SEGMENTD_BIN"]
SCENARIO = Path(os.environ["E2E_SHARED_DIR"]) / "conformance" / "at_risk_rounding"


def explain(member, out_dir):
    args = (SCENARIO / "args").read_text().split() if (SCENARIO / "args").exists() else []
    result = subprocess.run(
        [SEGMENTD, "replay", "--input", str(SCENARIO / "events.jsonl"), "--output",
         str(out_dir / "out.jsonl"), *args, "--explain", member],
        capture_output=True, text=True, check=True)
    return json.loads(result.stdout)


def main():
    last = {}
    for line in (SCENARIO / "expected.jsonl").read_text().splitlines():
        t = json.loads(line)
        last[(t["member_id"], t["family"])] = t
    members = sorted({m for m, _ in last})
    assert members, "no expected transitions"
    with tempfile.TemporaryDirectory() as tmp:
        for member in members:
            e = explain(member, Path(tmp))
            assert e["schema"] == "segmentd.member_explanation.v1", e
            assert e["member_id"] == member and e["known"], e
            assert e["seq"] == max(t["seq"] for (m, _), t in last.items() if m == member), e
            for family in e["families"]:
                want = last.get((member, family["family"]))
                assert family["label"] == (want["to"] if want else "none"), (member, family)
                assert family["rule"], (member, family)
        unknown = explain("no-such-member", Path(tmp))
        assert not unknown["known"] and unknown["families"][0]["label"] == "none", unknown
        refused = subprocess.run(
            [SEGMENTD, "replay", "--input", str(SCENARIO / "events.jsonl"), "--output", "-",
             "--explain", members[0]], capture_output=True, text=True)
        assert refused.returncode == 2, refused
    print(f"{len(members)} members explained as their last transitions say")
    return 0


if __name__ == "__main__":
    sys.exit(main())
