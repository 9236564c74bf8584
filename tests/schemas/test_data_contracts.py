#!/usr/bin/env python3
"""The JSON Schemas of schemas/ against real data: every expected transition and action of
the conformance scenarios, every line of their inputs (valid lines must pass; rejected
lines must fail when their reason is one a schema can express), and the events, DLQ and
transitions of a real `segmentd replay` of generated data."""
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import jsonschema

SCHEMA_DIR = Path(__file__).resolve().parents[2] / "schemas"

# DLQ reasons (SPEC 2) that depend only on the event's JSON value: a line rejected for one
# of these must fail the input event schema.
SCHEMA_REASONS = {"invalid_json", "missing_field", "invalid_field", "out_of_range",
                  "unknown_type"}
# Reasons a schema cannot express: the byte size against input.max_event_bytes, and the
# wall clock (live mode only).
NON_SCHEMA_REASONS = {"too_large", "future_timestamp"}
# Details of schema reasons that still are beyond a schema: a key given twice (JSON
# parsers keep one of them) and ids over 128 bytes but not 128 characters.
NON_SCHEMA_DETAILS = ("given more than once",)


def load_validators():
    schemas = {}
    for path in sorted(SCHEMA_DIR.glob("*.schema.json")):
        schema = json.loads(path.read_text(encoding="utf-8"))
        jsonschema.Draft202012Validator.check_schema(schema)
        schemas[path.name.removesuffix(".schema.json")] = schema
    assert set(schemas) == {"input-event", "purchase-event", "profile-event", "transition",
                            "action"}, sorted(schemas)
    store = {s["$id"]: s for s in schemas.values()}
    checker = jsonschema.Draft202012Validator.FORMAT_CHECKER
    validators = {}
    for name, schema in schemas.items():
        try:  # jsonschema >= 4.18
            from referencing import Registry, Resource
            registry = Registry().with_resources(
                (uri, Resource.from_contents(s)) for uri, s in store.items())
            validators[name] = jsonschema.Draft202012Validator(
                schema, registry=registry, format_checker=checker)
        except ImportError:  # Debian 12: jsonschema 4.10
            resolver = jsonschema.RefResolver.from_schema(schema, store=store)
            validators[name] = jsonschema.Draft202012Validator(
                schema, resolver=resolver, format_checker=checker)
    return validators


def reject_constant(name):
    raise ValueError(f"{name} is not JSON")


def parse_json(text):
    """The JSON value of a line, or None when it is not JSON (NaN and Infinity included)."""
    try:
        return json.loads(text, parse_constant=reject_constant)
    except ValueError:
        return None


def errors(validator, value):
    return [f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}"
            for e in validator.iter_errors(value)]


def read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def check_output(validator, record, where, id_key, id_suffix):
    problems = errors(validator, record)
    assert not problems, f"{where}: {problems}\n{record}"
    expected_id = f"{record['member_id']}:{id_suffix(record)}"
    assert record[id_key] == expected_id, f"{where}: {id_key} {record[id_key]} != {expected_id}"


def check_transitions(validators, path):
    records = read_jsonl(path)
    for n, t in enumerate(records, 1):
        check_output(validators["transition"], t, f"{path}:{n}", "transition_id",
                     lambda r: r["seq"])
    return len(records)


def check_actions(validators, path):
    records = read_jsonl(path)
    for n, a in enumerate(records, 1):
        check_output(validators["action"], a, f"{path}:{n}", "action_id",
                     lambda r: "a" + r["action_id"].rsplit(":a", 1)[1])
    return len(records)


def check_input(validators, events_path, rejected):
    """rejected: line number -> (reason, detail). Returns (valid, failing, unexpressible)."""
    validator = validators["input-event"]
    counts = {"valid": 0, "rejected_by_schema": 0, "beyond_schema": 0}
    with open(events_path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip():
                continue
            value = parse_json(line)
            problems = ["not JSON"] if value is None else errors(validator, value)
            where = f"{events_path}:{number}"
            if number not in rejected:
                assert not problems, f"{where}: accepted by segmentd, fails the schema: " \
                                     f"{problems}\n{line}"
                counts["valid"] += 1
                continue
            reason, detail = rejected[number]
            assert reason in SCHEMA_REASONS | NON_SCHEMA_REASONS, \
                f"{where}: reason {reason!r}: decide whether a schema can express it"
            if reason in NON_SCHEMA_REASONS or detail.endswith(NON_SCHEMA_DETAILS):
                counts["beyond_schema"] += 1
                continue
            assert problems, f"{where}: rejected as {reason} ({detail}), passes the schema\n{line}"
            counts["rejected_by_schema"] += 1
    return counts


def check_scenarios(validators, shared):
    scenarios = sorted(p for p in (shared / "conformance").iterdir() if p.is_dir())
    assert scenarios, f"no scenarios under {shared / 'conformance'}"
    totals = {"transitions": 0, "actions": 0, "valid": 0, "rejected_by_schema": 0,
              "beyond_schema": 0}
    for scenario in scenarios:
        totals["transitions"] += check_transitions(validators, scenario / "expected.jsonl")
        if (scenario / "expected_actions.jsonl").exists():
            totals["actions"] += check_actions(validators, scenario / "expected_actions.jsonl")
        rejected = {d["line"]: (d["reason"], d["detail"])
                    for d in read_jsonl(scenario / "expected_dlq.jsonl")}
        for key, n in check_input(validators, scenario / "events.jsonl", rejected).items():
            totals[key] += n
    assert totals["actions"] > 0 and totals["rejected_by_schema"] > 0, totals
    print(f"{len(scenarios)} scenarios: {totals}")


def mutated(record, path, value):
    copy = json.loads(json.dumps(record))
    target = copy
    for key in path[:-1]:
        target = target[key]
    if value is DELETE:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return copy


DELETE = object()
# Changes that break SPEC 3.1 / 5.7; each must fail the schema (so the schemas are not
# vacuous: the real files above only show that valid records pass).
TRANSITION_BREAKS = [
    (("family",), "loyalty"), (("to",), "sleepy"), (("seq",), 0), (("cause",), "manual"),
    (("effective_time",), "2024-01-10T10:00:00Z"), (("effective_ts",), "1704880800000"),
    (("snapshot",), DELETE), (("snapshot", "purchases"), -1), (("schema",), "segmentd.v2"),
    (("event_id",), DELETE),
]
ACTION_BREAKS = [
    (("action",), "call"), (("action_id",), "leo:1"), (("due_time",), "2024-02-21"),
    (("detail",), DELETE), (("schema",), "segmentd.transition.v1"),
]


def check_breaks(validators, shared):
    transition = read_jsonl(shared / "conformance" / "basic_lifecycle" / "expected.jsonl")[0]
    timer = next(t for s in (shared / "conformance").iterdir() if s.is_dir()
                 for t in read_jsonl(s / "expected.jsonl") if t["cause"] == "timer")
    rfm = next(t for t in read_jsonl(shared / "conformance" / "rfm_grid" / "expected.jsonl"))
    cases = [(transition, path, value) for path, value in TRANSITION_BREAKS]
    cases += [(timer, ("event_id",), "e-1"), (rfm, ("to",), "active/loyal"),
              (transition, ("cause",), "timer")]
    for record, path, value in cases:
        assert errors(validators["transition"], mutated(record, path, value)), (path, value)
    actions = {a["action"]: a for s in (shared / "conformance").iterdir()
               if (s / "expected_actions.jsonl").exists()
               for a in read_jsonl(s / "expected_actions.jsonl")}
    assert set(actions) == {"follow_up", "replenish", "birthday"}, sorted(actions)
    cases = [(actions["birthday"], path, value) for path, value in ACTION_BREAKS]
    cases += [(actions["follow_up"], ("detail", "step"), 4),
              (actions["replenish"], ("detail", "expected_ts"), DELETE),
              (actions["birthday"], ("detail", "birthday"), "02-30")]
    for record, path, value in cases:
        assert errors(validators["action"], mutated(record, path, value)), (path, value)
    print(f"{len(TRANSITION_BREAKS) + 3 + len(ACTION_BREAKS) + 3} broken records fail")


def check_generated_replay(validators, segmentd, generator):
    with tempfile.TemporaryDirectory(prefix="segmentd-schemas-") as tmp:
        tmp = Path(tmp)
        events = tmp / "events.jsonl"
        subprocess.run([generator, "--members", "2000", "--events", "40000", "--seed", "7",
                        "--broken-rate", "0.01", "--output", str(events)],
                       check=True, capture_output=True)
        subprocess.run([segmentd, "replay", "--input", str(events),
                        "--output", str(tmp / "out.jsonl"), "--dlq", str(tmp / "dlq.jsonl"),
                        "--no-progress"], check=True, capture_output=True)
        transitions = check_transitions(validators, tmp / "out.jsonl")
        assert transitions > 1000, f"only {transitions} transitions from 40,000 events"
        rejected = {d["line"]: (d["reason"], d["detail"])
                    for d in read_jsonl(tmp / "dlq.jsonl")}
        counts = check_input(validators, events, rejected)
        assert counts["rejected_by_schema"] > 0, counts
        print(f"replay of generated data: {transitions} transitions valid; input {counts}")


def main():
    validators = load_validators()
    check_scenarios(validators, Path(os.environ["E2E_SHARED_DIR"]))
    check_breaks(validators, Path(os.environ["E2E_SHARED_DIR"]))
    check_generated_replay(validators, os.environ["E2E_SEGMENTD_BIN"], os.environ["E2E_GEN_BIN"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
