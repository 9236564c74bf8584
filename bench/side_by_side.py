#!/usr/bin/python3
"""segmentd and its Kafka Streams peer side by side: same broker, same data, one run.

    /usr/bin/python3 bench/side_by_side.py --segmentd build/app/segmentd \\
        --gen build/bench/segmentd-gen [--events 5000000 --members 500000] [--rate 10000]

One run on one machine:
  1. starts a single-node Kafka 3.9 broker (deploy/kafka-broker.sh) unless --bootstrap,
     builds the peer (bench/peers/kafka-streams, Maven) if its jar is missing, and
     generates the dataset with segmentd-gen;
  2. throughput, for each engine in turn: a fresh input topic of --partitions partitions
     preloaded with the dataset, the engine started on it and timed from the first to
     the last record consumed; CPU seconds and peak RSS of its process tree (/proc);
     the size of its state directory on disk after it stopped;
  3. the transitions both engines wrote are read back and compared record by record
     (by transition_id: the value must be byte-identical), and counted by from -> to;
  4. latency at a fixed input rate (--rate) for each engine on fresh topics: live events,
     p50/p99 from an event's CreateTime to its transition's LogAppendTime;
  5. prints the tables and the ratios the comparison is about: events per CPU-second
     and peak memory.

Both engines commit every second (segmentd's default; Kafka Streams' at-least-once
default is 30 s, which would also make its progress, read from committed offsets,
visible only every 30 s), use one processing thread and persistent RocksDB state.
Measurement pieces: bench/kafka_bench_support.py. Runs with /usr/bin/python3.
"""
from __future__ import annotations

import argparse
import collections
import json
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import kafka_bench_support as kbs  # noqa: E402
from kafka_bench import segmentd_engine  # noqa: E402

PEER_DIR = kbs.REPO / "bench" / "peers" / "kafka-streams"
PEER_JAR = PEER_DIR / "target" / "segmentd-peer.jar"


def peer_engine(heap):
    def command(ctx: kbs.EngineContext):
        args = ["java", f"-Xmx{heap}", "-jar", str(PEER_JAR),
                "--bootstrap-servers", ctx.bootstrap, "--application-id", ctx.application_id,
                "--state-dir", str(ctx.work_dir / "state"),
                "--set", f"input.topic={ctx.topics.input}",
                "--set", f"output.topic={ctx.topics.output}",
                "--set", f"output.dlq_topic={ctx.topics.dlq}",
                "--set", "processing.commit_interval=1s"]
        if ctx.historic:
            args += ["--set", "time.idle_delay=36500d"]
        return args
    return kbs.Engine(name="kafka-streams", command=command)


def build_peer():
    if not PEER_JAR.exists():
        kbs.log("building the Kafka Streams peer (mvn package)")
        subprocess.run(["mvn", "-q", "-f", str(PEER_DIR / "pom.xml"), "package", "-DskipTests"],
                       check=True)


def state_bytes(run_dir):
    """Bytes under the engine's state dir (run_dir/<group>/state) after it stopped."""
    return sum(f.stat().st_size for state in Path(run_dir).glob("*/state")
               for f in state.rglob("*") if f.is_file())


def read_transitions(bootstrap, topic):
    """{transition_id: value bytes} and the number of records (duplicates included)."""
    values, count = {}, [0]

    def handle(msg):
        count[0] += 1
        value = msg.value()
        values[json.loads(value)["transition_id"]] = value
    kbs._read_topic(bootstrap, topic, handle)
    return values, count[0]


def by_change(values):
    counts = collections.Counter()
    for v in values.values():
        t = json.loads(v)
        counts[f"{t['from']} -> {t['to']}"] += 1
    return counts


def compare(a_name, a, b_name, b):
    only_a = [tid for tid in a if tid not in b]
    only_b = [tid for tid in b if tid not in a]
    differ = [tid for tid in a if tid in b and a[tid] != b[tid]]
    lines = [f"transitions: {a_name} {len(a):,}, {b_name} {len(b):,}; only in {a_name} "
             f"{len(only_a):,}, only in {b_name} {len(only_b):,}, different values {len(differ):,}"]
    for tid in (only_a[:3] + only_b[:3]):
        lines.append(f"  {tid}: {a_name} {a.get(tid)} / {b_name} {b.get(tid)}")
    for tid in differ[:3]:
        lines.append(f"  {tid}:\n    {a_name} {a[tid].decode()}\n    {b_name} {b[tid].decode()}")
    return not (only_a or only_b or differ), "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--segmentd", required=True)
    ap.add_argument("--gen", required=True)
    ap.add_argument("--bootstrap")
    ap.add_argument("--events", type=int, default=5_000_000)
    ap.add_argument("--members", type=int, default=500_000)
    ap.add_argument("--partitions", type=int, default=8)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--rate", type=int, default=10_000, help="input rate of the latency phase")
    ap.add_argument("--seconds", type=float, default=20, help="measured window of the latency phase")
    ap.add_argument("--peer-heap", default="1g")
    ap.add_argument("--work-dir")
    args = ap.parse_args()

    build_peer()
    work = Path(args.work_dir or tempfile.mkdtemp(prefix="segmentd-sbs-"))
    work.mkdir(parents=True, exist_ok=True)
    engines = [segmentd_engine(args.segmentd), peer_engine(args.peer_heap)]
    data_path = work / f"events-{args.members}-{args.events}-{args.seed}.jsonl"
    if not data_path.exists():
        kbs.generate_dataset(args.gen, data_path, args.members, args.events, args.seed)
    data = kbs.Dataset.load(data_path)

    throughput, latency, outputs, state = [], [], {}, {}
    with kbs.broker_session(args.bootstrap) as broker:
        for engine in engines:
            topics = kbs.fresh_topics(broker.bootstrap, f"tp-{engine.name}", args.partitions)
            kbs.preload(broker.bootstrap, topics.input, data.lines, data.keys)
            run_dir = work / f"throughput-{engine.name}"
            result = kbs.measure_throughput(broker.bootstrap, engine, topics, run_dir,
                                            broker_pid=broker.pid)
            throughput.append(result)
            state[engine.name] = state_bytes(run_dir)
            outputs[engine.name], _ = read_transitions(broker.bootstrap, topics.output)
            kbs.delete_topics(broker.bootstrap, topics)
        for engine in engines:
            topics = kbs.fresh_topics(broker.bootstrap, f"lat-{engine.name}", args.partitions)
            latency.append(kbs.measure_latency(broker.bootstrap, engine, topics, data.live,
                                               args.rate, args.seconds,
                                               work / f"latency-{engine.name}",
                                               broker_pid=broker.pid))
            kbs.delete_topics(broker.bootstrap, topics)

    print(f"\n## {args.events:,} events, {args.members:,} members, {args.partitions} partitions\n")
    rows = []
    for r, lat in zip(throughput, latency):
        rows.append([r.engine, f"{r.events_per_s:,.0f}", f"{r.cpu_s_window:.1f}",
                     f"{r.records / r.cpu_s_window:,.0f}" if r.cpu_s_window else "-",
                     f"{r.peak_rss_bytes / 1048576:,.0f}", f"{state[r.engine] / 1048576:,.0f}",
                     f"{args.rate:,}", "-" if lat.p99_ms is None else f"{lat.p99_ms:.0f}",
                     f"{r.outputs:,}"])
    print(kbs.format_table(["engine", "events/s", "CPU s", "events/CPU-s", "peak RSS MiB",
                            "state MiB", "latency rate ev/s", "p99 ms", "transitions"], rows))
    a, b = throughput
    if a.cpu_s_window and b.cpu_s_window:
        eff = (a.records / a.cpu_s_window) / (b.records / b.cpu_s_window)
        print(f"\nsegmentd / peer: {eff:.1f}x events per CPU-second, "
              f"{a.peak_rss_bytes / b.peak_rss_bytes:.2f}x peak memory")
    names = [e.name for e in engines]
    counts = [by_change(outputs[n]) for n in names]
    print("\n" + kbs.format_table(["from -> to", *names], [
        [k, *(f"{c.get(k, 0):,}" for c in counts)] for k in sorted(set(counts[0]) | set(counts[1]))]))
    same, report = compare(names[0], outputs[names[0]], names[1], outputs[names[1]])
    print("\n" + report)
    print("same transitions: " + ("yes" if same else "NO"))
    (work / "side_by_side.json").write_text(json.dumps({
        "throughput": [r.__dict__ for r in throughput],
        "latency": [r.__dict__ for r in latency], "state_bytes": state, "same": same}, default=str))
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
