#!/usr/bin/env python3
"""Checks the Kafka Streams peer against segmentd on a real broker.

Generates a purchase stream (segmentd-gen), produces it keyed by member id to a
4-partition `purchases` topic, runs the peer until it has consumed every record, and
compares what it published with `segmentd replay --until 0` of each partition's records
in offset order (what a live run of segmentd produces for that partition: the clock stays
where the last event put it):

- transitions, by transition_id: every field equal (parsed JSON), and also the value
  bytes equal (segmentd's compact JSON); the key is the member id; CloudEvents headers;
- dead letters: one per line segmentd rejects, same (partition, offset), original bytes,
  same segmentd-error reason (and detail).

Prints a summary and the first few differences; exit status 0 when there are none.
Run with /usr/bin/python3 (it has confluent_kafka), from anywhere:

    /usr/bin/python3 bench/peers/kafka-streams/check_against_replay.py \\
        --segmentd /work/wt/build/app/segmentd --gen /work/wt/build/bench/segmentd-gen

Needs `mvn -q -f bench/peers/kafka-streams/pom.xml package -DskipTests` first.
--bootstrap HOST:PORT uses a running broker instead of starting one (then topic names
get a unique suffix).
"""
import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
sys.path.insert(0, str(REPO / "tests" / "integration"))
from kafka_test_support import Broker, consume_all, create_topic, produce_lines  # noqa: E402

PARTITIONS = 4
# The generated history lies in the past: no live idle advance on either side.
SETTINGS = ["time.idle_delay=36500d"]
SHOW = 5


def default_bin(env, rel):
    return os.environ.get(env) or str(REPO / "build" / rel)


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--segmentd", default=default_bin("E2E_SEGMENTD_BIN", "app/segmentd"))
    p.add_argument("--gen", default=default_bin("E2E_GEN_BIN", "bench/segmentd-gen"))
    p.add_argument("--jar", default=str(HERE / "target" / "segmentd-peer.jar"))
    p.add_argument("--members", type=int, default=2000)
    p.add_argument("--events", type=int, default=20000)
    p.add_argument("--seed", type=int, default=3)
    p.add_argument("--broken-rate", default="0.002")
    p.add_argument("--bootstrap", help="use this broker instead of starting one")
    p.add_argument("--keep", action="store_true", help="keep the work directory")
    p.add_argument("--timeout", type=float, default=300)
    p.add_argument("--kill-at", type=int, metavar="N",
                   help="SIGKILL the peer once it has consumed N records, restart it on the "
                        "same state dir and application id, and check what a crash costs "
                        "(re-emitted transitions are counted apart, not as differences)")
    p.add_argument("--empty-state", action="store_true",
                   help="with --kill-at: restart on an empty state dir (as a replacement "
                        "instance on another machine), so the stores come from the changelog")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="extra peer setting, e.g. processing.guarantee=exactly_once")
    return p.parse_args()


def member_key(line):
    try:
        value = json.loads(line)
    except ValueError:
        return None
    member = value.get("member_id") if isinstance(value, dict) else None
    return member if isinstance(member, str) else None


def replay_partition(segmentd, lines, work):
    """segmentd's transitions and dead letters for one partition's records."""
    work.mkdir(parents=True, exist_ok=True)
    (work / "events.jsonl").write_bytes(b"".join(l + b"\n" for l in lines))
    args = [segmentd, "replay", "--input", str(work / "events.jsonl"),
            "--output", str(work / "out.jsonl"), "--dlq", str(work / "dlq.jsonl"),
            "--until", "0", "--no-progress"]
    for s in SETTINGS:
        args += ["--set", s]
    subprocess.run(args, check=True, capture_output=True)
    out = [l for l in (work / "out.jsonl").read_bytes().split(b"\n") if l]
    dlq = [json.loads(l) for l in (work / "dlq.jsonl").read_text().splitlines() if l]
    return out, dlq


class Peer:
    """The peer as a child process; counters come from its JSON lines on stdout."""

    def __init__(self, jar, bootstrap, state_dir, topics, log_path, app_id, extra=()):
        self.args = ["java", "-Xmx512m", "-jar", jar,
                     "--bootstrap-servers", bootstrap, "--state-dir", str(state_dir),
                     "--application-id", app_id,
                     "--set", f"input.topic={topics['in']}",
                     "--set", f"output.topic={topics['out']}",
                     "--set", f"output.dlq_topic={topics['dlq']}",
                     "--stats-interval", "500ms"]
        for s in [*SETTINGS, *extra]:
            self.args += ["--set", s]
        self.log_path = log_path
        self.stats = {}

    def start(self):
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(self.args, stdout=subprocess.PIPE, stderr=self.log,
                                     text=True, bufsize=1)
        os.set_blocking(self.proc.stdout.fileno(), False)
        return self

    def poll_stats(self):
        while True:
            line = self.proc.stdout.readline()
            if not line:
                return self.stats
            if line.startswith("{"):
                self.stats = json.loads(line)

    def wait_until(self, predicate, timeout, what):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"peer exited {self.proc.returncode}:\n{self.tail()}")
            if predicate(self.poll_stats()):
                return self.stats
            time.sleep(0.25)
        raise TimeoutError(f"timed out waiting for {what}; stats {self.stats}\n{self.tail()}")

    def kill(self):
        self.proc.kill()
        self.proc.wait()
        self.log.close()

    def wait_quiet(self, quiet_for, timeout):
        """Until its consumed count has not moved for quiet_for seconds (after moving)."""
        deadline = time.monotonic() + timeout
        last, since = None, time.monotonic()
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"peer exited {self.proc.returncode}:\n{self.tail()}")
            consumed = self.poll_stats().get("consumed", 0)
            if consumed != last:
                last, since = consumed, time.monotonic()
            elif consumed > 0 and time.monotonic() - since >= quiet_for:
                return self.stats
            time.sleep(0.25)
        raise TimeoutError(f"peer never went quiet; stats {self.stats}\n{self.tail()}")

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        code = self.proc.wait(90)
        self.poll_stats()
        self.log.close()
        return code

    def tail(self, n=30):
        return "\n".join(Path(self.log_path).read_text(errors="replace").splitlines()[-n:])


def headers_of(record):
    return {k: (v.decode() if v is not None else None) for k, v in record.headers}


def compare_transitions(expected, out, problems):
    actual = defaultdict(list)
    for r in out:
        t = json.loads(r.value)
        actual[t["transition_id"]].append((r, t))
        h = headers_of(r)
        want_headers = {"ce_specversion": "1.0", "ce_id": t["transition_id"],
                        "ce_type": f"segmentd.transition.{t['family']}.{t['to']}",
                        "ce_time": t["effective_time"], "content-type": "application/json"}
        for k, v in want_headers.items():
            if h.get(k) != v:
                problems.append(f"header {k} of {t['transition_id']}: {h.get(k)!r}, want {v!r}")
        if r.key.decode() != t["member_id"]:
            problems.append(f"key of {t['transition_id']} is {r.key!r}")
    byte_diffs = 0
    for tid, raw in expected.items():
        if tid not in actual:
            problems.append(f"missing {tid}: {raw.decode()}")
            continue
        want = json.loads(raw)
        for r, t in actual[tid]:
            if t != want:
                problems.append(f"differs {tid}:\n  segmentd {raw.decode()}\n  peer     "
                                f"{r.value.decode()}")
            elif r.value != raw:
                byte_diffs += 1
                if byte_diffs <= SHOW:
                    problems.append(f"same fields, other bytes {tid}:\n  segmentd "
                                    f"{raw.decode()}\n  peer     {r.value.decode()}")
    problems += [f"unexpected {tid}: {v[0][0].value.decode()}"
                 for tid, v in actual.items() if tid not in expected]
    duplicates = sum(len(v) - 1 for v in actual.values())
    return duplicates


def compare_dlq(broken, dlq, topic, problems):
    got = {}
    for r in dlq:
        h = headers_of(r)
        got[(int(h["segmentd-source-partition"]), int(h["segmentd-source-offset"]))] = (r, h)
    for (p, offset), (raw, d) in broken.items():
        if (p, offset) not in got:
            problems.append(f"dead letter missing for partition {p} offset {offset}: {d}")
            continue
        r, h = got[(p, offset)]
        if r.value != raw:
            problems.append(f"dead letter {p}/{offset} is not the original bytes")
        if h.get("segmentd-error") != d["reason"] or h.get("segmentd-error-detail") != d["detail"]:
            problems.append(f"dead letter {p}/{offset}: {h.get('segmentd-error')} "
                            f"'{h.get('segmentd-error-detail')}', segmentd {d['reason']} "
                            f"'{d['detail']}'")
        if h.get("segmentd-source-topic") != topic:
            problems.append(f"dead letter {p}/{offset}: source topic {h.get('segmentd-source-topic')}")
    problems += [f"unexpected dead letter {k}" for k in got if k not in broken]


def main():
    a = parse_args()
    for path in (a.segmentd, a.gen, a.jar):
        if not Path(path).exists():
            sys.exit(f"not found: {path} (see --help)")
    work = Path(tempfile.mkdtemp(prefix="peer-check-"))
    suffix = "" if not a.bootstrap else "-" + uuid.uuid4().hex[:8]
    topics = {"in": "purchases" + suffix, "out": "member-transitions" + suffix,
              "dlq": "purchases.dlq" + suffix}
    if a.bootstrap:
        os.environ["SEGMENTD_KAFKA_BOOTSTRAP"] = a.bootstrap
    started = time.monotonic()
    try:
        subprocess.run([a.gen, "--members", str(a.members), "--events", str(a.events),
                        "--seed", str(a.seed), "--broken-rate", a.broken_rate, "--threads", "1",
                        "--output", str(work / "events.jsonl")], check=True, capture_output=True)
        lines = (work / "events.jsonl").read_bytes().split(b"\n")[:-1]
        with Broker() as bootstrap:
            create_topic(bootstrap, topics["in"], PARTITIONS)
            create_topic(bootstrap, topics["out"], 3)
            create_topic(bootstrap, topics["dlq"], 1)
            placed = produce_lines(bootstrap, topics["in"], lines, key_fn=member_key)

            app_id = "segmentd-peer-check-" + uuid.uuid4().hex[:8]
            extra = list(a.set)
            if a.kill_at is not None:  # the restarted instance need not wait 45 s for the dead one
                extra.append("kafka.session.timeout.ms=6000")
            peer = Peer(a.jar, bootstrap, work / "state", topics, work / "peer.log", app_id,
                        extra).start()
            killed_stats = None
            peer_started = time.monotonic()
            if a.kill_at is not None:
                killed_stats = peer.wait_until(lambda s: s.get("consumed", 0) >= a.kill_at,
                                               a.timeout, f"{a.kill_at} records consumed")
                peer.kill()
                if a.empty_state:
                    shutil.rmtree(work / "state")
                peer = Peer(a.jar, bootstrap, work / "state", topics, work / "peer.log", app_id,
                            extra).start()
                stats = peer.wait_quiet(8, a.timeout)
            else:
                stats = peer.wait_until(lambda s: s.get("consumed", 0) >= len(lines), a.timeout,
                                        "every record consumed")
                consume_all(bootstrap, topics["out"], timeout=120,
                            expect_count=stats["transitions"])
            peer_seconds = time.monotonic() - peer_started
            code = peer.stop()
            stats = peer.stats
            # Records flushed by the clean close (none expected) are read here too.
            out = consume_all(bootstrap, topics["out"], timeout=120)
            dlq = consume_all(bootstrap, topics["dlq"], timeout=120)

        by_partition = defaultdict(list)
        for line, (partition, offset) in zip(lines, placed):
            by_partition[partition].append((offset, line))
        expected, broken = {}, {}
        for p, records in sorted(by_partition.items()):
            records.sort()
            transitions, dead = replay_partition(a.segmentd, [l for _, l in records],
                                                 work / f"replay-{p}")
            for raw in transitions:
                expected[json.loads(raw)["transition_id"]] = raw
            for d in dead:
                offset, raw = records[d["line"] - 1]
                broken[(p, offset)] = (raw, d)

        problems = []
        duplicates = compare_transitions(expected, out, problems)
        if a.kill_at is None and duplicates:
            problems.append(f"{duplicates} transitions published twice without a crash")
        compare_dlq(broken, dlq, topics["in"], problems)
        if code != 0:
            problems.append(f"peer exited {code} after SIGTERM")
        print(json.dumps({
            "records": len(lines), "partitions": PARTITIONS,
            "segmentd_transitions": len(expected), "peer_transitions": len(out),
            "peer_duplicates": duplicates, "segmentd_dead_letters": len(broken),
            "peer_dead_letters": len(dlq), "peer_stats": stats,
            **({"killed_at": killed_stats} if killed_stats else {}),
            "differences": len(problems), "peer_seconds": round(peer_seconds, 1),
            "seconds": round(time.monotonic() - started, 1)}))
        for p in problems[:SHOW]:
            print(p)
        if len(problems) > SHOW:
            print(f"... and {len(problems) - SHOW} more")
        return 0 if not problems else 1
    finally:
        if a.keep:
            print(f"work directory kept: {work}", file=sys.stderr)
        else:
            subprocess.run(["rm", "-rf", str(work)])


if __name__ == "__main__":
    sys.exit(main())
