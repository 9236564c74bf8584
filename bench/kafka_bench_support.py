"""Measurement pieces for benchmarks of a stream engine through a real Kafka broker.

Engine-neutral: an engine is described by the command line that starts it (given the
topics, consumer group, a scratch dir and a free HTTP port), so segmentd
(bench/kafka_bench.py) and a peer such as a Kafka Streams app (bench/peers/) go
through the same measurements. Needs confluent_kafka: run with /usr/bin/python3
(Debian's python3-confluent-kafka, installed by deploy/install-deps.sh).

The API, in the order a harness uses it:

    broker_session(bootstrap=None) -> context manager yielding BrokerInfo(bootstrap, pid)
        Starts a fresh broker (deploy/kafka-broker.sh via tests/integration/
        kafka_test_support.Broker) unless bootstrap is given; pid is the broker's JVM
        (None for an external broker), used to report the broker's CPU.
    generate_dataset(gen_bin, path, members, events, seed) -> Path   (segmentd-gen)
    Dataset.load(path) -> Dataset
        .lines        the raw JSON lines (bytes), for preloading historic events
        .keys         their record keys (member_id bytes, or None for broken lines)
        .live         LiveEvents: the same events as templates whose ts is set at produce time
    fresh_topics(bootstrap, prefix, partitions) -> Topics(input, output, dlq)
        Creates PREFIX-purchases / PREFIX-transitions / PREFIX-dlq; the output topic
        has message.timestamp.type=LogAppendTime, so an output record's timestamp is
        the moment the broker appended it (the engine's acknowledgement).
        delete_topics(bootstrap, topics) drops them again.
    changelog_volumes(bootstrap, application_id) -> [TopicVolume(topic, records, kept, bytes)]
        The changelog topics an engine run wrote (`<id>-state-changelog`, Kafka
        Streams' `<id>-<store>-changelog`); delete_group_topics(bootstrap, id) drops them.
    preload(bootstrap, topic, lines, keys) -> (records, seconds)
        Bulk produce, no per-message callbacks, waits for every ack.
    Engine(name, command, ...)                      how to start one engine
        command(ctx: EngineContext) -> argv; ctx has bootstrap, topics,
        application_id (consumer group), work_dir (a new dir for this run: state goes
        there), http_port (free, for its metrics), historic (True: historic events,
        throughput phase; False: live events, latency phase).
        Optional: env(ctx) -> dict; metrics_url(ctx) -> Prometheus URL;
        consumed_metric (a counter of input records read; without it progress is
        read from the committed offsets of group application_id, so the engine's
        commit interval is the resolution: make it short); latency_histogram and
        other_histograms (engine-side histograms whose quantiles are reported);
        ready(ctx, engine_process) -> bool; stop_signal, stop_timeout.
    measure_throughput(bootstrap, engine, topics, work_dir, ...) -> ThroughputResult
        Starts the engine on a preloaded input topic and times it from the first to
        the last record consumed; CPU seconds and peak RSS of its process tree from /proc.
    measure_latency(bootstrap, engine, topics, live, rate, seconds, work_dir, ...)
        -> LatencyResult
        Starts the engine, waits until it turns a probe event into a transition,
        produces live events at a fixed rate (paced_produce) for warmup+seconds, waits
        until the group's committed offsets reach the end, then joins output
        transitions with cause=event to their input event by event_id:
        latency = output LogAppendTime - input CreateTime (ms), percentiles over the
        events produced after the warmup, plus a per-second breakdown.
    paced_produce(bootstrap, topic, live, rate, seconds, ...) -> PacedResult
    join_latencies(bootstrap, topics, since_ms, until_ms) -> JoinResult
    read_topic(bootstrap, topic, handle) -> records: handle(msg) for each record
    ProcTree(pid)                 cpu_seconds(), peak_rss_bytes() from /proc
    scrape(url) / histogram_quantiles(samples, name, qs, base=None)
    percentile(sorted_values, q), format_table(headers, rows), loadavg()

A peer engine, for example (bench/kafka_bench.py has segmentd's, segmentd_engine()):

    peer = Engine("kafka-streams", lambda ctx: [
        "java", "-Xmx512m", "-jar", JAR, "--bootstrap-servers", ctx.bootstrap,
        "--state-dir", str(ctx.work_dir / "state"), "--application-id", ctx.application_id,
        "--set", f"input.topic={ctx.topics.input}", "--set", f"output.topic={ctx.topics.output}",
        "--set", f"output.dlq_topic={ctx.topics.dlq}",
        *(["--set", "time.idle_delay=36500d"] if ctx.historic else [])])
    with broker_session() as broker:
        data = Dataset.load(generate_dataset(GEN, "/tmp/ev.jsonl", 200_000, 1_000_000, 1))
        topics = fresh_topics(broker.bootstrap, "tp", 8)
        preload(broker.bootstrap, topics.input, data.lines, data.keys)
        tp = measure_throughput(broker.bootstrap, peer, topics, "/tmp/work",
                                broker_pid=broker.pid)
        topics = fresh_topics(broker.bootstrap, "lat50k", 8)
        lat = measure_latency(broker.bootstrap, peer, topics, data.live, 50_000, 25,
                              "/tmp/work", broker_pid=broker.pid)

Use fresh topics for every measurement (measure_latency expects empty ones).
Every result is a dataclass; dataclasses.asdict() makes it JSON for side-by-side reports.
"""
from __future__ import annotations

import contextlib
import json
import multiprocessing
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "integration"))

from confluent_kafka import (OFFSET_BEGINNING, TIMESTAMP_LOG_APPEND_TIME, Consumer,  # noqa: E402
                             KafkaError, KafkaException, Producer, TopicPartition)
from confluent_kafka.admin import AdminClient  # noqa: E402

import kafka_test_support  # noqa: E402

CLK_TCK = os.sysconf("SC_CLK_TCK")


def log(msg):
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def free_port():
    return kafka_test_support.free_port()


def loadavg():
    """The 1-minute load average (other work on the machine skews every figure)."""
    return float(Path("/proc/loadavg").read_text().split()[0])


# ------------------------------------------------------------------ broker


@dataclass
class BrokerInfo:
    bootstrap: str
    pid: int | None  # the broker JVM when this harness started it


@contextlib.contextmanager
def broker_session(bootstrap=None):
    """Yields BrokerInfo: the given bootstrap, or a fresh broker stopped on exit."""
    if bootstrap:
        yield BrokerInfo(bootstrap, None)
        return
    saved = os.environ.pop("SEGMENTD_KAFKA_BOOTSTRAP", None)
    try:
        broker = kafka_test_support.Broker()
        with broker as address:
            pid = None
            with contextlib.suppress(OSError, ValueError):
                pid = int((Path(broker.dir) / "broker.pid").read_text())
            yield BrokerInfo(address, pid)
    finally:
        if saved is not None:
            os.environ["SEGMENTD_KAFKA_BOOTSTRAP"] = saved


# ------------------------------------------------------------------ topics


@dataclass
class Topics:
    input: str
    output: str
    dlq: str


def fresh_topics(bootstrap, prefix, partitions):
    """Creates the three topics of one measurement; the output (and DLQ) topics stamp
    records with the broker's append time."""
    topics = Topics(f"{prefix}-purchases", f"{prefix}-transitions", f"{prefix}-dlq")
    append_time = {"message.timestamp.type": "LogAppendTime"}
    kafka_test_support.create_topic(bootstrap, topics.input, partitions)
    kafka_test_support.create_topic(bootstrap, topics.output, partitions, append_time)
    kafka_test_support.create_topic(bootstrap, topics.dlq, 1, append_time)
    return topics


def delete_topics(bootstrap, topics: Topics):
    """Deletes a measurement's topics (frees broker disk and page cache between phases)."""
    admin = AdminClient({"bootstrap.servers": bootstrap})
    futures = admin.delete_topics([topics.input, topics.output, topics.dlq],
                                  operation_timeout=30)
    for f in futures.values():
        with contextlib.suppress(Exception):
            f.result(30)


@dataclass
class TopicVolume:
    topic: str
    records: int   # records written (sum of the partitions' end offsets)
    kept: int      # records still in the topic when read (compaction may have removed some)
    bytes: int     # key + value bytes of those kept records


def changelog_volumes(bootstrap, application_id):
    """The changelog topics an engine with this application id wrote, with their volume:
    segmentd's `<id>-state-changelog` (SPEC 7) and Kafka Streams' `<id>-<store>-changelog`.
    Read right after the engine stopped; the broker may already have compacted closed
    segments (Kafka Streams stamps changelog records with event time, so historic input
    rolls its segments often), so `bytes` covers only the `kept` records."""
    admin = AdminClient({"bootstrap.servers": bootstrap})
    names = sorted(t for t in admin.list_topics(timeout=10).topics
                   if t.startswith(f"{application_id}-") and t.endswith("-changelog"))
    volumes = []
    for name in names:
        size = [0]

        def add(msg):
            size[0] += len(msg.key() or b"") + len(msg.value() or b"")
        kept = read_topic(bootstrap, name, add)
        volumes.append(TopicVolume(name, sum(end_offsets(bootstrap, name).values()), kept,
                                   size[0]))
    return volumes


def delete_group_topics(bootstrap, application_id):
    """Deletes the internal topics (changelogs, ...) of one engine run."""
    admin = AdminClient({"bootstrap.servers": bootstrap})
    names = [t for t in admin.list_topics(timeout=10).topics
             if t.startswith(f"{application_id}-")]
    if names:
        for f in admin.delete_topics(names, operation_timeout=30).values():
            with contextlib.suppress(Exception):
                f.result(30)


def end_offsets(bootstrap, topic):
    """{partition: high watermark}."""
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": f"bench-{uuid.uuid4()}",
                  "enable.auto.commit": False})
    try:
        md = c.list_topics(topic, timeout=10).topics[topic]
        return {p: c.get_watermark_offsets(TopicPartition(topic, p), timeout=10)[1]
                for p in sorted(md.partitions)}
    finally:
        c.close()


_COORDINATOR_MOVING = {KafkaError.NOT_COORDINATOR, KafkaError.COORDINATOR_LOAD_IN_PROGRESS,
                       KafkaError.COORDINATOR_NOT_AVAILABLE}


class GroupOffsets:
    """Committed offsets of a consumer group on one topic (how far an engine got)."""

    def __init__(self, bootstrap, group, topic):
        self.topic = topic
        self.consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": group,
                                  "enable.auto.commit": False})
        md = self.consumer.list_topics(topic, timeout=10).topics[topic]
        self.partitions = sorted(md.partitions)

    def committed(self, retry_for=30.0):
        """Retries for up to retry_for s while the group coordinator moves or loads
        (NOT_COORDINATOR, COORDINATOR_LOAD_IN_PROGRESS right after a group starts)."""
        deadline = time.monotonic() + retry_for
        while True:
            try:
                tps = self.consumer.committed(
                    [TopicPartition(self.topic, p) for p in self.partitions], timeout=10)
                return {tp.partition: max(tp.offset, 0) for tp in tps}
            except KafkaException as e:
                err = e.args[0]
                if not (err.retriable() or err.code() in _COORDINATOR_MOVING) \
                        or time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def total(self):
        return sum(self.committed().values())

    def close(self):
        self.consumer.close()


# ------------------------------------------------------------------ data


def generate_dataset(gen_bin, path, members, events, seed):
    """Runs segmentd-gen (historic events, 2023-2024) unless PATH already holds that
    dataset (a .args file beside it records the arguments)."""
    path = Path(path)
    args = [str(gen_bin), "--members", str(members), "--events", str(events),
            "--seed", str(seed), "--output", str(path)]
    stamp = path.with_suffix(path.suffix + ".args")
    wanted = " ".join(args[1:])
    if path.exists() and stamp.exists() and stamp.read_text() == wanted:
        return path
    subprocess.run(args, check=True, capture_output=True)
    stamp.write_text(wanted)
    return path


@dataclass
class LiveEvents:
    """Events as templates rendered at produce time with ts = CreateTime = now (epoch ms).

    items[i] is (key, event_id, member_id, rest) for a well-formed event, rendered as
    {"event_id":E,"member_id":M,"ts":NOW,<rest>} with the other fields unchanged; or
    (None, None, None, raw_line) for a line that is not such an event (the generator's
    broken lines, kept verbatim for the dead-letter path). Past the end the list is
    used again with event and member ids prefixed "L<lap>." (fresh members, fresh ids),
    so any rate and duration can be sustained.
    """
    items: list

    def __len__(self):
        return len(self.items)

    def render(self, index, ts_bytes):
        """(key, value) of the index-th event (index may exceed len: next laps)."""
        lap, i = divmod(index, len(self.items))
        key, eid, mid, rest = self.items[i]
        if key is None:
            return None, rest
        if lap:
            p = b"L%d." % lap
            key, eid, mid = p + key, p + eid, p + mid
        return key, b'{"event_id":"%s","member_id":"%s","ts":%s%s' % (eid, mid, ts_bytes, rest)


def _json_inner(s):
    return json.dumps(s, ensure_ascii=False)[1:-1].encode()


@dataclass
class Dataset:
    lines: list   # [bytes]
    keys: list    # [bytes | None]
    live: LiveEvents

    @staticmethod
    def load(path):
        lines = Path(path).read_bytes().split(b"\n")
        if lines and lines[-1] == b"":
            lines.pop()
        keys, items = [], []
        for line in lines:
            try:
                obj = json.loads(line)
            except ValueError:
                obj = None
            member = obj.get("member_id") if isinstance(obj, dict) else None
            event = obj.get("event_id") if isinstance(obj, dict) else None
            if not isinstance(member, str) or not isinstance(event, str) or "ts" not in obj:
                keys.append(member.encode() if isinstance(member, str) else None)
                items.append((None, None, None, line))
                continue
            key = member.encode()
            keys.append(key)
            rest = {k: v for k, v in obj.items() if k not in ("event_id", "member_id", "ts")}
            rest_text = json.dumps(rest, ensure_ascii=False, separators=(",", ":")).encode()
            rest_bytes = b"}" if rest_text == b"{}" else b"," + rest_text[1:]
            items.append((key, _json_inner(event), _json_inner(member), rest_bytes))
        return Dataset(lines, keys, LiveEvents(items))


def _producer_conf(bootstrap, extra=None):
    conf = {"bootstrap.servers": bootstrap,
            # Like a Java producer's defaults in Kafka 3.x: acks=all, idempotent, and
            # murmur2 partitioning of the key (so Java peers agree on partitions).
            "acks": "all", "enable.idempotence": True, "partitioner": "murmur2_random",
            "linger.ms": 5, "queue.buffering.max.messages": 500000,
            "queue.buffering.max.kbytes": 1048576,
            # No per-message delivery reports: only failures call back.
            "delivery.report.only.error": True}
    conf.update(extra or {})
    return conf


class _Failures:
    def __init__(self):
        self.count = 0
        self.first = None

    def __call__(self, err, msg):
        if err is not None:
            self.count += 1
            self.first = self.first or err


def preload(bootstrap, topic, lines, keys, producer_config=None):
    """Produces lines (historic events, keyed) as fast as the broker takes them and
    waits for every ack. Returns (records, seconds)."""
    failures = _Failures()
    conf = _producer_conf(bootstrap, {"linger.ms": 20, "batch.num.messages": 10000,
                                      "compression.type": "none", "on_delivery": failures})
    conf.update(producer_config or {})
    p = Producer(conf)
    produce = p.produce
    started = time.monotonic()
    for line, key in zip(lines, keys):
        while True:
            try:
                produce(topic, line, key)
                break
            except BufferError:
                p.poll(0.05)
    remaining = p.flush(300)
    seconds = time.monotonic() - started
    if failures.count or remaining:
        raise KafkaException(failures.first or KafkaError(KafkaError._MSG_TIMED_OUT,
                                                          f"{remaining} records unsent"))
    return len(lines), seconds


# ------------------------------------------------------------------ /proc


def _stat_fields(pid):
    text = Path(f"/proc/{pid}/stat").read_text()
    return text[text.rindex(")") + 2:].split()  # fields from 3 (state) on


class ProcTree:
    """CPU time and peak RSS of a process and its descendants, from /proc.

    cpu_seconds(): utime+stime of every live process in the tree, plus the reaped
    children's time (cutime+cstime) of the root. peak_rss_bytes(): the sum of each
    live process's VmHWM (peak resident set). Both remember the last value read, so
    they still answer after the process exited (call them just before stopping it).
    """

    def __init__(self, pid):
        self.pid = pid
        self._cpu = 0.0
        self._hwm = 0

    def pids(self):
        children = {}
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                with contextlib.suppress(OSError, ValueError, IndexError):
                    children.setdefault(int(_stat_fields(entry)[1]), []).append(int(entry))
        out, todo = [], [self.pid]
        while todo:
            p = todo.pop()
            out.append(p)
            todo.extend(children.get(p, []))
        return out

    def cpu_seconds(self):
        total = 0
        try:
            for i, p in enumerate(self.pids()):
                f = _stat_fields(p)
                total += int(f[11]) + int(f[12])  # utime, stime (fields 14, 15)
                if i == 0:
                    total += int(f[13]) + int(f[14])  # cutime, cstime
        except (OSError, ValueError, IndexError):
            return self._cpu
        self._cpu = max(self._cpu, total / CLK_TCK)
        return self._cpu

    def peak_rss_bytes(self):
        total = 0
        for p in self.pids():
            with contextlib.suppress(OSError):
                for line in Path(f"/proc/{p}/status").read_text().splitlines():
                    if line.startswith("VmHWM:"):
                        total += int(line.split()[1]) * 1024
        self._hwm = max(self._hwm, total)
        return self._hwm


# ------------------------------------------------------------------ metrics

_SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)')
_LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def scrape(url, timeout=2):
    """Prometheus text from url as {(name, frozenset(labels)): value}; None if unreachable."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            text = r.read().decode()
    except (urllib.error.URLError, ConnectionError, OSError):
        return None
    out = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = _SAMPLE.match(line)
        if m:
            labels = frozenset(_LABEL.findall(m.group(2) or ""))
            out[(m.group(1), labels)] = float(m.group(3))
    return out


def metric_total(samples, name):
    return sum(v for (n, _), v in samples.items() if n == name)


def histogram_quantiles(samples, name, qs, base=None):
    """Quantile estimates of a Prometheus histogram (summed over label sets), like
    PromQL's histogram_quantile: linear within the bucket. With base (an earlier
    scrape) the difference is used, i.e. the observations between the two scrapes.
    Returns ({q: seconds or None}, count). A quantile in the +Inf bucket answers the
    largest finite bound."""
    def buckets(s):
        b = {}
        for (n, labels), v in s.items():
            if n == f"{name}_bucket":
                le = dict(labels)["le"]
                b[float("inf") if le == "+Inf" else float(le)] = \
                    b.get(float("inf") if le == "+Inf" else float(le), 0) + v
        return b
    now = buckets(samples)
    if base is not None:
        before = buckets(base)
        now = {le: v - before.get(le, 0) for le, v in now.items()}
    bounds = sorted(now)
    total = now[bounds[-1]] if bounds else 0
    result = {}
    for q in qs:
        if total <= 0:
            result[q] = None
            continue
        rank = q * total
        prev_le, prev_count = 0.0, 0.0
        for le in bounds:
            if now[le] >= rank:
                if le == float("inf"):
                    result[q] = prev_le
                else:
                    in_bucket = now[le] - prev_count
                    frac = (rank - prev_count) / in_bucket if in_bucket > 0 else 1.0
                    result[q] = prev_le + (le - prev_le) * frac
                break
            prev_le, prev_count = le, now[le]
    return result, int(total)


# ------------------------------------------------------------------ engines


@dataclass
class EngineContext:
    bootstrap: str
    topics: Topics
    application_id: str   # consumer group (and Kafka Streams application.id)
    work_dir: Path        # new, empty dir owned by this engine run (its state goes here)
    http_port: int        # a loopback port that was free, for the engine's metrics
    historic: bool        # True: historic events (throughput); False: live events


@dataclass
class Engine:
    """How to run one engine. Only name and command are required.

    command(ctx) -> argv. The process is started in its own session with cwd
    ctx.work_dir, stdout+stderr to work_dir/engine.log, and stopped with stop_signal
    (then SIGKILL after stop_timeout s). Its whole process tree is measured, so a
    wrapper script is fine.
    metrics_url(ctx) -> a Prometheus /metrics URL, for consumed_metric (progress at
    50 ms resolution; otherwise the group's committed offsets are polled, so the
    engine's commit interval bounds the resolution) and latency_histogram (engine-side
    latency quantiles, reported beside the end-to-end ones); other_histograms are
    reported too (LatencyResult.engine_other).
    ready(ctx, proc) -> bool: optional extra readiness check before the latency probe.
    """
    name: str
    command: Callable[[EngineContext], list]
    env: Callable[[EngineContext], dict] | None = None
    metrics_url: Callable[[EngineContext], str] | None = None
    consumed_metric: str | None = None
    latency_histogram: str | None = None
    other_histograms: tuple = ()   # more histograms to report, e.g. commit durations
    ready: Callable | None = None
    stop_signal: int = signal.SIGTERM
    stop_timeout: float = 60.0


class EngineProcess:
    """A running engine (context manager: stop() on exit)."""

    def __init__(self, engine: Engine, ctx: EngineContext):
        self.engine, self.ctx = engine, ctx
        ctx.work_dir.mkdir(parents=True, exist_ok=True)
        self.log_path = ctx.work_dir / "engine.log"
        env = dict(os.environ)
        if engine.env:
            env.update(engine.env(ctx))
        self.argv = [str(a) for a in engine.command(ctx)]
        self._log = open(self.log_path, "ab")
        self.started = time.monotonic()
        self.proc = subprocess.Popen(self.argv, stdout=self._log, stderr=subprocess.STDOUT,
                                     cwd=ctx.work_dir, env=env, start_new_session=True)
        self.tree = ProcTree(self.proc.pid)
        self.exit_code = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
        return False

    def metrics(self):
        return scrape(self.engine.metrics_url(self.ctx)) if self.engine.metrics_url else None

    def check_alive(self):
        if self.proc.poll() is not None:
            raise RuntimeError(f"{self.engine.name} exited {self.proc.returncode}:\n{self.tail()}")

    def sample(self):
        """Reads CPU and peak RSS now (kept for after the exit)."""
        return self.tree.cpu_seconds(), self.tree.peak_rss_bytes()

    def stop(self):
        if self.exit_code is not None:
            return self.exit_code
        if self.proc.poll() is None:
            self.sample()
            with contextlib.suppress(ProcessLookupError):
                self.proc.send_signal(self.engine.stop_signal)
            try:
                self.proc.wait(self.engine.stop_timeout)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.exit_code = self.proc.returncode
        self._log.close()
        return self.exit_code

    def tail(self, lines=30):
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


def _context(bootstrap, topics, app_id, work_dir, historic):
    """The engine gets a new dir under work_dir (named after its group), so a reused
    work_dir never hands it state from an earlier run."""
    return EngineContext(bootstrap, topics, app_id, Path(work_dir) / app_id, free_port(),
                         historic)


# ------------------------------------------------------------------ throughput


@dataclass
class ThroughputResult:
    engine: str
    records: int            # records in the input topic
    seconds: float          # first record consumed -> last record consumed
    events_per_s: float
    startup_s: float        # engine start -> first record consumed
    total_s: float          # engine start -> last record consumed
    cpu_s: float            # CPU of the engine's process tree from start to the last record
    cpu_s_window: float     # CPU of the engine during the first->last window
    peak_rss_bytes: int
    broker_cpu_s: float | None   # broker CPU during the window (when its pid is known)
    progress_source: str    # metric name or "committed offsets"
    resolution_s: float     # progress polling interval
    outputs: int            # records in the output topic after the run
    dlq: int                # records in the DLQ topic after the run
    exit_code: int | None
    loadavg_before: float
    loadavg_after: float


def measure_throughput(bootstrap, engine: Engine, topics: Topics, work_dir, application_id=None,
                       timeout=900, broker_pid=None) -> ThroughputResult:
    """Starts the engine on an already loaded input topic (historic events) and
    measures it until it has read every record that was in the topic.

    Progress comes from engine.consumed_metric (polled every 50 ms) when the engine
    has metrics, else from the group's committed offsets (every 250 ms). The first
    sample that shows progress marks the first record, the first that shows all of
    them the last; each end is off by up to one polling interval.
    """
    app_id = application_id or f"bench-{uuid.uuid4().hex[:8]}"
    expected = sum(end_offsets(bootstrap, topics.input).values())
    ctx = _context(bootstrap, topics, app_id, work_dir, historic=True)
    use_metric = engine.consumed_metric and engine.metrics_url
    interval = 0.05 if use_metric else 0.25
    offsets = None if use_metric else GroupOffsets(bootstrap, app_id, topics.input)
    broker = ProcTree(broker_pid) if broker_pid else None
    load_before = loadavg()

    def progress(ep):
        if use_metric:
            m = ep.metrics()
            return None if m is None else metric_total(m, engine.consumed_metric)
        return offsets.total()

    try:
        with EngineProcess(engine, ctx) as ep:
            deadline = time.monotonic() + timeout
            first = last = None
            cpu_first = broker_first = None
            while True:
                ep.check_alive()
                n = progress(ep)
                now = time.monotonic()
                if n:
                    if first is None:
                        first = now
                        cpu_first = ep.tree.cpu_seconds()
                        broker_first = broker.cpu_seconds() if broker else None
                    if n >= expected:
                        last = now
                        break
                if now > deadline:
                    raise TimeoutError(f"{engine.name}: {n} of {expected} records after "
                                       f"{timeout}s:\n{ep.tail()}")
                time.sleep(interval)
            cpu, rss = ep.sample()
            broker_cpu = broker.cpu_seconds() - broker_first if broker else None
            started = ep.started
        exit_code = ep.exit_code
    finally:
        if offsets:
            offsets.close()
    seconds = max(last - first, interval)
    return ThroughputResult(
        engine=engine.name, records=expected, seconds=seconds,
        events_per_s=expected / seconds, startup_s=first - started, total_s=last - started,
        cpu_s=cpu, cpu_s_window=cpu - cpu_first, peak_rss_bytes=rss, broker_cpu_s=broker_cpu,
        progress_source=engine.consumed_metric if use_metric else "committed offsets",
        resolution_s=interval,
        outputs=sum(end_offsets(bootstrap, topics.output).values()),
        dlq=sum(end_offsets(bootstrap, topics.dlq).values()),
        exit_code=exit_code, loadavg_before=load_before, loadavg_after=loadavg())


# ------------------------------------------------------------------ paced producer


@dataclass
class PacedResult:
    target_rate: float
    records: int
    seconds: float           # first produce call -> last produce call (all processes)
    achieved_rate: float
    max_behind_s: float      # largest lag of any producer behind its schedule
    producers: int
    start_ms: int            # wall clock (epoch ms) of the first and last produce call
    end_ms: int
    cpu_s: float             # CPU of the producer processes
    failed: int


def _pace_worker(conf, topic, live, indices, rate, start_wall, seconds, conn):
    failures = _Failures()
    conf = dict(conf, on_delivery=failures)
    p = Producer(conf)
    produce, poll = p.produce, p.poll
    n_total = int(rate * seconds)
    render = live.render
    time_ns = time.time_ns
    perf = time.perf_counter
    # Start on the common wall-clock instant, then pace on the monotonic clock.
    while time.time() < start_wall:
        time.sleep(min(0.01, max(0.0, start_wall - time.time())))
    t0 = perf()
    sent = 0
    behind = 0.0
    first_ms = last_ms = None
    cpu0 = time.process_time()
    while sent < n_total:
        elapsed = perf() - t0
        due = min(n_total, int(elapsed * rate) + 1)
        if due <= sent:
            poll(0)
            wait = sent / rate - (perf() - t0)
            if wait > 0:
                time.sleep(min(wait, 0.001))
            continue
        behind = max(behind, elapsed - sent / rate)
        due = min(due, sent + 2000)
        now_ms = time_ns() // 1_000_000
        ts = b"%d" % now_ms
        if first_ms is None:
            first_ms = now_ms
        for i in range(sent, due):
            key, value = render(indices(i), ts)
            while True:
                try:
                    produce(topic, value, key, timestamp=now_ms)
                    break
                except BufferError:
                    poll(0.005)
        sent = due
        last_ms = now_ms
        poll(0)
    remaining = p.flush(120)
    conn.send({"records": sent, "first_ms": first_ms, "last_ms": last_ms, "behind": behind,
               "cpu": time.process_time() - cpu0, "failed": failures.count + remaining})
    conn.close()


class _Stride:
    """Index map of one producer process: its k-th record is global record k*step+offset."""

    def __init__(self, offset, step):
        self.offset, self.step = offset, step

    def __call__(self, k):
        return k * self.step + self.offset


def paced_produce(bootstrap, topic, live: LiveEvents, rate, seconds, producers=1,
                  first_index=0, linger_ms=1, producer_config=None) -> PacedResult:
    """Produces live events at a fixed total rate for `seconds` from `producers` forked
    processes (each rate/producers, records interleaved so the input order stays that
    of the dataset; no per-message callbacks). Each batch of due records is stamped
    with the wall clock at the produce call: ts in the JSON and the record's
    CreateTime are the same epoch ms. Blocks until all records are acknowledged.
    first_index picks where in the (endless) event sequence to start.

    Interleaving means one member's events may leave from different processes; they
    are produced about a millisecond apart at most, but their order across processes
    is not guaranteed.
    """
    ctx = multiprocessing.get_context("fork")
    conf = _producer_conf(bootstrap, {"linger.ms": linger_ms})
    conf.update(producer_config or {})
    start_wall = time.time() + 0.5
    procs, pipes = [], []
    for k in range(producers):
        parent, child = ctx.Pipe(duplex=False)
        indices = _Stride(first_index + k, producers)
        proc = ctx.Process(target=_pace_worker, daemon=True,
                           args=(conf, topic, live, indices, rate / producers, start_wall,
                                 seconds, child))
        proc.start()
        child.close()
        procs.append(proc)
        pipes.append(parent)
    reports = []
    for proc, pipe in zip(procs, pipes):
        reports.append(pipe.recv())
        proc.join()
    records = sum(r["records"] for r in reports)
    start_ms = min(r["first_ms"] for r in reports)
    end_ms = max(r["last_ms"] for r in reports)
    span = max((end_ms - start_ms) / 1000, 1e-3)
    return PacedResult(target_rate=rate, records=records, seconds=span,
                       achieved_rate=records / span,
                       max_behind_s=max(r["behind"] for r in reports), producers=producers,
                       start_ms=start_ms, end_ms=end_ms,
                       cpu_s=sum(r["cpu"] for r in reports),
                       failed=sum(r["failed"] for r in reports))


# ------------------------------------------------------------------ latency join

_EVENT_ID = re.compile(rb'"event_id":"((?:[^"\\]|\\.)*)"')


def read_topic(bootstrap, topic, handle, timeout=300):
    """Calls handle(msg) for every record of topic (from the beginning, to the end
    offsets found at the start, or the partition's end: a transactional topic ends with a
    commit marker, never delivered). Returns the number of records read."""
    ends = end_offsets(bootstrap, topic)
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": f"bench-read-{uuid.uuid4()}",
                  "enable.auto.commit": False, "enable.partition.eof": True,
                  "fetch.max.bytes": 52428800, "queued.max.messages.kbytes": 262144})
    try:
        todo = {p for p, end in ends.items() if end > 0}
        c.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in todo])
        n = 0
        deadline = time.monotonic() + timeout
        while todo:
            if time.monotonic() > deadline:
                raise TimeoutError(f"reading {topic}: partitions {sorted(todo)} unfinished")
            for msg in c.consume(10000, 0.5):
                if msg.error() is not None and msg.error().code() == KafkaError._PARTITION_EOF:
                    todo.discard(msg.partition())
                    continue
                if msg.error() is not None:
                    raise KafkaException(msg.error())
                handle(msg)
                n += 1
                if msg.offset() + 1 >= ends[msg.partition()]:
                    todo.discard(msg.partition())
        return n
    finally:
        c.close()


@dataclass
class JoinResult:
    latencies_ms: list        # sorted, one per event-caused transition in the window
    timeline: list            # [(input CreateTime ms, latency ms)] in CreateTime order
    outputs: int              # transitions in the output topic
    event_caused: int         # of which cause=event
    unmatched: int            # cause=event transitions whose event_id is not in the input
    not_log_append_time: int  # output records not stamped with LogAppendTime
    inputs: int
    inputs_in_window: int     # input records with CreateTime in [since_ms, until_ms]


def join_latencies(bootstrap, topics: Topics, since_ms=None, until_ms=None) -> JoinResult:
    """Reads the output topic (transitions) and the input topic, joins each
    cause=event transition to its event by event_id (the earliest input record with
    that id, should the event have been delivered twice) and returns
    latency = output LogAppendTime - input CreateTime for the events whose CreateTime
    lies in [since_ms, until_ms]."""
    wanted = {}   # event_id bytes -> [output append ms]
    counts = {"outputs": 0, "event": 0, "not_lat": 0}

    def on_output(msg):
        counts["outputs"] += 1
        ts_type, ts = msg.timestamp()
        if ts_type != TIMESTAMP_LOG_APPEND_TIME:
            counts["not_lat"] += 1
        try:
            t = json.loads(msg.value())
        except ValueError:
            return
        if t.get("cause") != "event" or not isinstance(t.get("event_id"), str):
            return
        counts["event"] += 1
        wanted.setdefault(_json_inner(t["event_id"]), []).append(ts)

    read_topic(bootstrap, topics.output, on_output)
    created = {}
    in_window = [0]
    lo = since_ms if since_ms is not None else -2 ** 63
    hi = until_ms if until_ms is not None else 2 ** 63

    def on_input(msg):
        if lo <= msg.timestamp()[1] <= hi:
            in_window[0] += 1
        m = _EVENT_ID.search(msg.value() or b"")
        if m is None:
            return
        eid = m.group(1)
        if eid in wanted:
            ts = msg.timestamp()[1]
            if eid not in created or ts < created[eid]:
                created[eid] = ts

    inputs = read_topic(bootstrap, topics.input, on_input)
    timeline, unmatched = [], 0
    for eid, outs in wanted.items():
        c = created.get(eid)
        if c is None:
            unmatched += len(outs)
            continue
        if (since_ms is not None and c < since_ms) or (until_ms is not None and c > until_ms):
            continue
        timeline.extend((c, o - c) for o in outs)
    timeline.sort()
    latencies = sorted(lat for _, lat in timeline)
    return JoinResult(latencies, timeline, counts["outputs"], counts["event"], unmatched,
                      counts["not_lat"], inputs, in_window[0])


def percentile(sorted_values, q):
    """Nearest-rank percentile (q in 0..1) of an ascending list; None if empty."""
    if not sorted_values:
        return None
    rank = max(1, -(-int(q * len(sorted_values) * 1000) // 1000))
    return sorted_values[min(len(sorted_values), rank) - 1]


# ------------------------------------------------------------------ latency phase


@dataclass
class LatencyResult:
    engine: str
    target_rate: float
    achieved_rate: float       # records produced / produce span (warmup included)
    produced: int
    window_input_rate: float   # records in the input topic per s of the window
    producer_failed: int       # records the producer could not deliver
    producers: int
    producer_max_behind_s: float
    producer_cpu_s: float
    warmup_s: float
    seconds: float             # measured window after the warmup
    samples: int               # event-caused transitions measured
    p50_ms: float | None
    p90_ms: float | None
    p99_ms: float | None
    p999_ms: float | None
    max_ms: float | None
    drained: bool              # the group committed every input record by the end
    drain_s: float             # from the last produce to fully committed
    engine_cpu_s: float        # engine CPU during the paced window
    engine_cpu_pct: float      # ... as percent of one core
    engine_peak_rss_bytes: int
    broker_cpu_pct: float | None
    engine_hist: dict          # {"p50": s, "p99": s, "count": n, "mean": s} of latency_histogram
    engine_other: dict         # {histogram: {"p50": s, "p99": s, "count": n, "mean": s}}
    outputs: int
    unmatched: int
    not_log_append_time: int
    exit_code: int | None
    loadavg_before: float
    loadavg_after: float
    per_second: list           # [[second of the window, samples, p50 ms, p99 ms, max ms]]


def per_second(timeline, since_ms):
    """Per-second latency summary of a join's timeline, from since_ms on."""
    buckets = {}
    for created, lat in timeline:
        if created >= since_ms:
            buckets.setdefault((created - since_ms) // 1000, []).append(lat)
    out = []
    for sec in sorted(buckets):
        v = sorted(buckets[sec])
        out.append([sec, len(v), percentile(v, 0.5), percentile(v, 0.99), v[-1]])
    return out


def _probe(bootstrap, topics, ep, timeout=120):
    """Produces a probe event (a new member's first purchase, ts now) every 0.5 s until
    a transition for one of them is on the output topic: the engine is consuming,
    processing and producing."""
    tag = uuid.uuid4().hex[:8]
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": f"bench-probe-{tag}",
                  "enable.auto.commit": False, "auto.offset.reset": "earliest"})
    p = Producer(_producer_conf(bootstrap, {"linger.ms": 0}))
    try:
        md = c.list_topics(topics.output, timeout=10).topics[topics.output]
        c.assign([TopicPartition(topics.output, q, OFFSET_BEGINNING) for q in md.partitions])
        deadline = time.monotonic() + timeout
        n = 0
        next_send = 0.0
        while time.monotonic() < deadline:
            ep.check_alive()
            if time.monotonic() >= next_send:
                now = time.time_ns() // 1_000_000
                member = f"bench-probe-{tag}-{n}"
                value = json.dumps({"event_id": f"probe-{tag}-{n}", "member_id": member,
                                    "ts": now, "amount": "1.00"}, separators=(",", ":"))
                p.produce(topics.input, value.encode(), member.encode(), timestamp=now)
                p.flush(10)
                n += 1
                next_send = time.monotonic() + 0.5
            msg = c.poll(0.1)
            if msg is not None and msg.error() is None and b"bench-probe-" + tag.encode() in (
                    msg.value() or b""):
                return n
        raise TimeoutError(f"{ep.engine.name} produced no transition for probe events within "
                           f"{timeout}s:\n{ep.tail()}")
    finally:
        c.close()


def wait_drained(bootstrap, group, topic, timeout=120, check=None):
    """Waits until group's committed offsets reach topic's end offsets. Returns
    (drained, seconds waited)."""
    ends = end_offsets(bootstrap, topic)
    offsets = GroupOffsets(bootstrap, group, topic)
    started = time.monotonic()
    try:
        while True:
            committed = offsets.committed()
            if all(committed.get(p, 0) >= e for p, e in ends.items()):
                return True, time.monotonic() - started
            if time.monotonic() - started > timeout:
                return False, time.monotonic() - started
            if check:
                check()
            time.sleep(0.1)
    finally:
        offsets.close()


def measure_latency(bootstrap, engine: Engine, topics: Topics, live: LiveEvents, rate, seconds,
                    work_dir, warmup=5.0, producers=1, linger_ms=1, first_index=0,
                    application_id=None, broker_pid=None, drain_timeout=120,
                    quantiles=(0.5, 0.99)) -> LatencyResult:
    """One fixed-rate latency measurement on fresh (empty) topics.

    Starts the engine (live mode), waits until it turns a probe event into a
    transition, produces live events at `rate` for warmup+seconds, waits until the
    engine's group has committed every input record (at most drain_timeout s), stops
    the engine and joins transitions with their events. Events created during the
    warmup are left out of the percentiles. Engine (and broker) CPU covers the paced
    window, warmup included; engine_hist is the difference of a scrape at the
    warmup's end and one after the drain.
    """
    app_id = application_id or f"bench-{uuid.uuid4().hex[:8]}"
    ctx = _context(bootstrap, topics, app_id, work_dir, historic=False)
    broker = ProcTree(broker_pid) if broker_pid else None
    load_before = loadavg()
    with EngineProcess(engine, ctx) as ep:
        if engine.ready:
            deadline = time.monotonic() + 120
            while not engine.ready(ctx, ep):
                ep.check_alive()
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{engine.name} not ready:\n{ep.tail()}")
                time.sleep(0.2)
        _probe(bootstrap, topics, ep)
        cpu0 = ep.tree.cpu_seconds()
        broker0 = broker.cpu_seconds() if broker else None
        t0 = time.monotonic()
        hist_base = {}

        def scrape_after_warmup():
            time.sleep(warmup)
            hist_base["m"] = ep.metrics()
        scraper = threading.Thread(target=scrape_after_warmup, daemon=True)
        scraper.start()
        paced = paced_produce(bootstrap, topics.input, live, rate, warmup + seconds,
                              producers=producers, first_index=first_index,
                              linger_ms=linger_ms)
        elapsed = time.monotonic() - t0
        cpu = ep.tree.cpu_seconds() - cpu0
        broker_cpu = broker.cpu_seconds() - broker0 if broker else None
        scraper.join()
        drained, drain_s = wait_drained(bootstrap, app_id, topics.input, drain_timeout,
                                        check=ep.check_alive)
        m = ep.metrics()
        def summary(name):
            qs, count = histogram_quantiles(m, name, quantiles, base=hist_base.get("m"))
            out = {f"p{round(q * 100, 1):g}": v for q, v in qs.items()}
            out["count"] = count
            base = hist_base.get("m") or {}
            total = metric_total(m, f"{name}_sum") - metric_total(base, f"{name}_sum")
            out["mean"] = total / count if count else None
            return out
        hist = summary(engine.latency_histogram) if engine.latency_histogram and m else {}
        other = {name: summary(name) for name in engine.other_histograms} if m else {}
        _, rss = ep.sample()
    exit_code = ep.exit_code
    since = paced.start_ms + int(warmup * 1000)
    join = join_latencies(bootstrap, topics, since_ms=since, until_ms=paced.end_ms)
    lat = join.latencies_ms
    return LatencyResult(
        engine=engine.name, target_rate=rate, achieved_rate=paced.achieved_rate,
        produced=paced.records, producers=producers,
        window_input_rate=join.inputs_in_window / max((paced.end_ms - since) / 1000, 1e-3),
        producer_failed=paced.failed,
        producer_max_behind_s=paced.max_behind_s, producer_cpu_s=paced.cpu_s,
        warmup_s=warmup, seconds=(paced.end_ms - since) / 1000, samples=len(lat),
        p50_ms=percentile(lat, 0.50), p90_ms=percentile(lat, 0.90),
        p99_ms=percentile(lat, 0.99), p999_ms=percentile(lat, 0.999),
        max_ms=lat[-1] if lat else None, drained=drained, drain_s=drain_s,
        engine_cpu_s=cpu, engine_cpu_pct=100 * cpu / elapsed, engine_peak_rss_bytes=rss,
        broker_cpu_pct=100 * broker_cpu / elapsed if broker else None, engine_hist=hist,
        engine_other=other,
        outputs=join.outputs, unmatched=join.unmatched,
        not_log_append_time=join.not_log_append_time, exit_code=exit_code,
        loadavg_before=load_before, loadavg_after=loadavg(),
        per_second=per_second(join.timeline, since))


# ------------------------------------------------------------------ report


def format_table(headers, rows):
    """A Markdown table (also readable as plain text)."""
    cells = [[str(h) for h in headers]] + [["" if c is None else str(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    def line(r):
        return "| " + " | ".join(c.rjust(w) for c, w in zip(r, widths)) + " |"
    return "\n".join([line(cells[0]), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
                     + [line(r) for r in cells[1:]])
