"""Runs `segmentd run` (and `segmentd replay`) for the integration tests.

    with Broker() as bootstrap:
        svc = Service(bootstrap, state_dir, ["time.idle_delay=36500d"])
        svc.start(); svc.wait_until(lambda m: m.total("segmentd_events_consumed_total") >= n)
        svc.stop()   # SIGTERM, expects exit 0
"""
import json
import os
import re
import signal
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

from kafka_test_support import create_topic, free_port

SEGMENTD = os.environ["E2E_SEGMENTD_BIN"]
GENERATOR = os.environ["E2E_GEN_BIN"]

SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (-?[0-9.e+-]+|NaN|[+-]Inf)$')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(,|$)')


def parse_prometheus(text):
    """Strict parse of the text format: {(name, frozenset(labels)): value}; raises on any
    line that is not a comment, HELP/TYPE or a sample, or a sample without a TYPE."""
    samples, typed = {}, set()
    for line in text.splitlines():
        if not line:
            continue
        if line.startswith("# HELP ") or line.startswith("# TYPE "):
            parts = line.split(" ", 3)
            if line.startswith("# TYPE "):
                assert parts[3] in ("counter", "gauge", "histogram", "summary", "untyped"), line
                typed.add(parts[2])
            continue
        m = SAMPLE.match(line)
        assert m, f"not a Prometheus sample line: {line!r}"
        name, labels_text = m.group(1), m.group(3) or ""
        base = re.sub(r"_(bucket|sum|count)$", "", name)
        assert name in typed or base in typed, f"sample without TYPE: {line!r}"
        labels = {}
        pos = 0
        while pos < len(labels_text):
            lm = LABEL.match(labels_text, pos)
            assert lm, f"bad labels in {line!r}"
            labels[lm.group(1)] = lm.group(2)
            pos = lm.end()
        samples[(name, frozenset(labels.items()))] = float(m.group(4))
    return samples


class Metrics:
    def __init__(self, samples):
        self.samples = samples

    def total(self, name, **labels):
        want = set(labels.items())
        return sum(v for (n, ls), v in self.samples.items() if n == name and want <= set(ls))

    def caught_up(self):
        """Every assigned partition read up to the end its latest fetch told. A partition
        has no lag sample until a fetch since its assignment told its end, so a sum of 0
        alone would pass for partitions not yet read."""
        lags = [v for (n, _), v in self.samples.items() if n == "segmentd_consumer_lag"]
        return len(lags) == self.total("segmentd_partitions_assigned") and sum(lags) == 0


class Service:
    """`segmentd run` with `settings` as --set arguments; `config_file` (--config) and
    `env` (extra environment variables) carry what --set may not, such as credentials."""

    def __init__(self, bootstrap, state_dir, settings=(), topic="purchases",
                 output="member-transitions", dlq="purchases.dlq", group="segmentd-test",
                 config_file=None, env=None):
        self.port = free_port()
        self.log_path = Path(state_dir).with_suffix(".log")
        self.env = dict(os.environ, **(env or {}))
        self.args = [SEGMENTD, "run", *(["--config", str(config_file)] if config_file else []),
                     "--set", f"kafka.bootstrap.servers={bootstrap}",
                     "--set", f"state.dir={state_dir}",
                     "--set", f"http.listen=127.0.0.1:{self.port}",
                     "--set", f"input.topic={topic}", "--set", f"output.topic={output}",
                     "--set", f"output.dlq_topic={dlq}", "--set", f"application.id={group}",
                     "--set", "processing.commit_interval=200ms"]
        for s in settings:
            self.args += ["--set", s]
        self.proc = None

    def start(self):
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(self.args, stdout=self.log, stderr=self.log, env=self.env)
        return self

    def get(self, path):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=2) as r:
                return r.status, r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()
        except (urllib.error.URLError, ConnectionError):
            return None, ""

    def metrics(self):
        status, body = self.get("/metrics")
        if status != 200:
            return None
        return Metrics(parse_prometheus(body))

    def wait_until(self, predicate, timeout=60, what="condition"):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"segmentd exited {self.proc.returncode}:\n{self.tail()}")
            m = self.metrics()
            if m is not None and predicate(m):
                return m
            time.sleep(0.2)
        raise AssertionError(f"timed out waiting for {what}:\n{self.tail()}")

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        code = self.proc.wait(60)
        self.log.close()
        assert code == 0, f"segmentd exited {code} after SIGTERM:\n{self.tail()}"

    def wait_failed(self, timeout, since=None):
        """Waits for a fatal exit (code 1); returns (seconds from `since`, a
        time.monotonic() value, or from now, to the exit; the detail of the last
        service_failed log line)."""
        since = time.monotonic() if since is None else since
        try:
            code = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError(f"segmentd did not stop within {timeout} s:\n{self.tail()}")
        took = time.monotonic() - since
        self.log.close()
        assert code == 1, f"exit {code}, expected 1:\n{self.tail()}"
        failures = [json.loads(l) for l in self.log_path.read_text().splitlines()
                    if '"service_failed"' in l]
        assert failures, f"no service_failed line:\n{self.tail()}"
        return took, failures[-1]["detail"]

    def kill(self):
        self.proc.kill()
        self.proc.wait()
        self.log.close()

    def tail(self, lines=30):
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


def create_service_topics(bootstrap, input_partitions, output_partitions=1):
    """The topics a Service uses with its defaults: purchases, member-transitions and
    purchases.dlq (one partition)."""
    for topic, n in (("purchases", input_partitions), ("member-transitions", output_partitions),
                     ("purchases.dlq", 1)):
        create_topic(bootstrap, topic, n)


def generate(path, members, events, seed, extra=()):
    subprocess.run([GENERATOR, "--members", str(members), "--events", str(events),
                    "--seed", str(seed), "--output", str(path), *extra],
                   check=True, capture_output=True)
    return Path(path).read_bytes().split(b"\n")[:-1]


def member_key(line):
    try:
        value = json.loads(line)
        member = value.get("member_id") if isinstance(value, dict) else None
        return member if isinstance(member, str) else None
    except ValueError:
        return None


def replay_partition(lines, work_dir, settings=()):
    """The replay of one partition's records in offset order, with the clock left where
    the last event put it (--until 0), as a live run leaves it: [transition dict]."""
    work_dir = Path(work_dir)
    work_dir.mkdir(parents=True, exist_ok=True)
    events = work_dir / "events.jsonl"
    events.write_bytes(b"".join(line + b"\n" for line in lines))
    args = [SEGMENTD, "replay", "--input", str(events), "--output", str(work_dir / "out.jsonl"),
            "--until", "0"]
    for s in settings:
        args += ["--set", s]
    subprocess.run(args, check=True, capture_output=True)
    return [json.loads(l) for l in (work_dir / "out.jsonl").read_text().splitlines() if l]


def expected_transitions(lines, placed, work_dir, settings=()):
    """{transition_id: transition} that per-partition replays of `lines` (placed at
    [(partition, offset)]) give, and the replays' dead letters as
    [(partition, offset, dlq entry)]."""
    by_partition = {}
    for line, (partition, offset) in zip(lines, placed):
        by_partition.setdefault(partition, []).append((offset, line))
    expected, dead_letters = {}, []
    for p, records in sorted(by_partition.items()):
        records.sort()
        replay_dir = Path(work_dir) / f"replay-{p}"
        for t in replay_partition([l for _, l in records], replay_dir, settings):
            expected[t["transition_id"]] = t
        for d in (replay_dir / "out.jsonl.dlq").read_text().splitlines():
            entry = json.loads(d)
            dead_letters.append((p, records[entry["line"] - 1][0], entry))
    return expected, dead_letters


def check_at_least_once(expected, records):
    """Asserts the output records hold every expected transition, nothing unexpected, and
    duplicates only as exact copies. Returns {transition_id: [transition, ...]}."""
    seen = {}
    for r in records:
        t = json.loads(r.value)
        seen.setdefault(t["transition_id"], []).append(t)
    missing = [tid for tid in expected if tid not in seen]
    unexpected = [tid for tid in seen if tid not in expected]
    differing = [tid for tid, ts in seen.items()
                 if tid in expected and any(t != expected[tid] for t in ts)]
    assert not missing, f"{len(missing)} transitions missing, e.g. {missing[:3]}"
    assert not unexpected, f"{len(unexpected)} unexpected, e.g. {unexpected[:3]}"
    assert not differing, f"{len(differing)} differ from the replay, e.g. " + \
        "; ".join(f"{tid}: expected {expected[tid]}, live {seen[tid]}" for tid in differing[:2])
    return seen
