#!/usr/bin/env python3
"""Runs one golden scenario of shared/conformance through `segmentd replay` and compares.

Transitions are compared per member, ordered by seq, on the fields the conformance README
names (money as decimals); the DLQ on the set of (line, reason) and on raw == input line;
where the scenario has expected_actions.jsonl, the run gets --actions and the actions are
compared per member, ordered by the k of action_id, on the README's fields.
On failure it names the scenario and the first differing transition, and exits 1.
"""
import json
import shlex
import subprocess
import sys
import tempfile
from decimal import Decimal
from pathlib import Path

FIELDS = ["transition_id", "member_id", "family", "from", "to", "effective_ts",
          "effective_time", "cause", "event_id", "seq"]
SNAPSHOT_FIELDS = ["purchases", "first_purchase_ts", "last_purchase_ts"]


def read_jsonl(path):
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return [json.loads(line, parse_float=Decimal) for line in lines if line.strip()]


def comparable(t):
    row = {f: t.get(f) for f in FIELDS}
    snapshot = t.get("snapshot") or {}
    for f in SNAPSHOT_FIELDS:
        row["snapshot." + f] = snapshot.get(f)
    row["snapshot.monetary_total"] = Decimal(str(snapshot.get("monetary_total")))
    return row


def by_member(transitions):
    members = {}
    for t in transitions:
        members.setdefault(t["member_id"], []).append(comparable(t))
    for rows in members.values():
        rows.sort(key=lambda r: r["seq"])
    return members


def first_difference(want, got, what):
    """The first member whose sequence of `what` records differs, described; else None."""
    for member in sorted(set(want) | set(got)):
        a, b = want.get(member, []), got.get(member, [])
        for i in range(max(len(a), len(b))):
            exp = a[i] if i < len(a) else None
            act = b[i] if i < len(b) else None
            if exp != act:
                return (f"member {member!r}, {what} #{i + 1}:\n"
                        f"  expected {json.dumps(exp, default=str)}\n"
                        f"  actual   {json.dumps(act, default=str)}")
    return None


def compare_transitions(expected, actual):
    return first_difference(by_member(expected), by_member(actual), "transition")


ACTION_FIELDS = ["action_id", "member_id", "action", "due_ts", "due_time", "detail"]


def action_number(action):
    return int(action["action_id"].rsplit(":a", 1)[1])


def compare_actions(expected, actual):
    def by_member(actions):
        members = {}
        for a in actions:
            members.setdefault(a["member_id"], []).append(a)
        return {m: [{f: a.get(f) for f in ACTION_FIELDS} for a in sorted(rows, key=action_number)]
                for m, rows in members.items()}
    return first_difference(by_member(expected), by_member(actual), "action")


def compare_dlq(expected, actual, input_lines):
    want = {(d["line"], d["reason"]) for d in expected}
    got = {(d["line"], d["reason"]) for d in actual}
    if want != got:
        return f"DLQ differs: missing {sorted(want - got)}, unexpected {sorted(got - want)}"
    for d in actual:
        if d["raw"] != input_lines[d["line"] - 1]:
            return f"DLQ line {d['line']}: raw is not the input line"
    return None


def main():
    segmentd, scenario = sys.argv[1], Path(sys.argv[2])
    args = shlex.split((scenario / "args").read_text()) if (scenario / "args").exists() else []
    with tempfile.TemporaryDirectory() as tmp:
        out, dlq = Path(tmp) / "out.jsonl", Path(tmp) / "dlq.jsonl"
        actions = Path(tmp) / "actions.jsonl"
        expected_actions = scenario / "expected_actions.jsonl"
        cmd = [segmentd, "replay", "--input", str(scenario / "events.jsonl"),
               "--output", str(out), "--dlq", str(dlq)] + args
        if expected_actions.exists():
            cmd += ["--actions", str(actions)]
        run = subprocess.run(cmd, capture_output=True, text=True)
        if run.returncode != 0:
            print(f"scenario {scenario.name}: segmentd exited {run.returncode}\n{run.stderr}")
            return 1
        input_lines = (scenario / "events.jsonl").read_text(encoding="utf-8").split("\n")
        problem = (compare_transitions(read_jsonl(scenario / "expected.jsonl"), read_jsonl(out))
                   or compare_dlq(read_jsonl(scenario / "expected_dlq.jsonl"), read_jsonl(dlq),
                                  input_lines))
        if not problem and expected_actions.exists():
            problem = compare_actions(read_jsonl(expected_actions),
                                      read_jsonl(actions) if actions.exists() else [])
    if problem:
        print(f"scenario {scenario.name} FAILED: {problem}")
        return 1
    print(f"scenario {scenario.name}: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
