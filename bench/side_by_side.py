#!/usr/bin/python3
"""segmentd and its Kafka Streams peer side by side: same broker, same data, one run.

    /usr/bin/python3 bench/side_by_side.py --segmentd build/app/segmentd \\
        --gen build/bench/segmentd-gen [--events 1000000 --members 100000] [--rate 5000] \\
        [--segmentd-set KEY=VALUE ...]

One run on one machine:
  1. starts a single-node Kafka 3.9 broker (deploy/kafka-broker.sh) unless --bootstrap,
     builds the peer (bench/peers/kafka-streams, Maven) if its jar is missing, and
     generates the dataset with segmentd-gen;
  2. throughput, for each engine in turn: a fresh input topic of --partitions partitions
     preloaded with the dataset, the engine started on it and timed from the first to
     the last record consumed; CPU seconds and peak RSS of its process tree (/proc); the
     broker's CPU seconds over the same window (one broker, engines one after the other,
     so each engine's window holds only its own broker work); the size of its state
     directory on disk after it stopped; and the changelog topics it wrote (segmentd's
     `<application.id>-state-changelog`, the peer's `<application.id>-<store>-changelog`:
     records written, and the records and key+value bytes still there when read after the
     run, compaction having removed some), so the table says whether both did equal work;
  3. the transitions both engines wrote are read back and compared record by record
     (by transition_id: the value must be byte-identical), and counted by from -> to;
  4. latency at a fixed input rate (--rate) for each engine on fresh topics: live events,
     p50/p99/p99.9 from an event's CreateTime to its transition's LogAppendTime, over
     --seconds after a --warmup (15 s: the JVM's JIT needs that long; the same for both);
  5. prints the tables and the ratios the comparison is about: events per CPU-second of
     the engine alone and of engine + broker, and peak memory.

Both engines commit every second (segmentd's default; Kafka Streams' at-least-once
default is 30 s, which would also make its progress, read from committed offsets,
visible only every 30 s), use one processing thread and persistent RocksDB state. The
peer runs with its job-sized settings (bench/peers/kafka-streams/README.md) and a
--peer-heap heap. Measurement pieces: bench/kafka_bench_support.py. Runs with
/usr/bin/python3.
"""
from __future__ import annotations

import argparse
import collections
import dataclasses
import json
import os
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import kafka_bench_support as kbs  # noqa: E402
from kafka_bench import segmentd_engine  # noqa: E402

PEER_DIR = kbs.REPO / "bench" / "peers" / "kafka-streams"
PEER_JAR = PEER_DIR / "target" / "segmentd-peer.jar"


def peer_engine(heap, settings=()):
    """The peer on the context's topics; heap is the JVM's -Xmx. The parallel collector:
    at 1M events / 100k members it used 12 % less CPU than G1 (the default) and less
    memory, in one run each on the shared machine."""
    def command(ctx: kbs.EngineContext):
        args = ["java", f"-Xmx{heap}", "-XX:+UseParallelGC", "-jar", str(PEER_JAR),
                "--bootstrap-servers", ctx.bootstrap, "--application-id", ctx.application_id,
                "--state-dir", str(ctx.work_dir / "state"),
                "--set", f"input.topic={ctx.topics.input}",
                "--set", f"output.topic={ctx.topics.output}",
                "--set", f"output.dlq_topic={ctx.topics.dlq}",
                "--set", "processing.commit_interval=1s"]
        if ctx.historic:
            args += ["--set", "time.idle_delay=36500d"]
        for s in settings:
            args += ["--set", s]
        return args
    return kbs.Engine(name="kafka-streams", command=command)


def build_peer():
    if not PEER_JAR.exists():
        kbs.log("building the Kafka Streams peer (mvn package)")
        subprocess.run(["mvn", "-q", "-f", str(PEER_DIR / "pom.xml"), "package", "-DskipTests"],
                       check=True)


def state_bytes(engine_dir):
    """Bytes under the engine's state dir (engine_dir/state) after it stopped."""
    return sum(f.stat().st_size for f in (Path(engine_dir) / "state").rglob("*") if f.is_file())


def read_transitions(bootstrap, topic):
    """{transition_id: value bytes} and the number of records (duplicates included)."""
    values, count = {}, [0]

    def handle(msg):
        count[0] += 1
        value = msg.value()
        values[json.loads(value)["transition_id"]] = value
    kbs.read_topic(bootstrap, topic, handle)
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


def changelog_cell(volumes):
    if not volumes:
        return "none"
    return (f"{len(volumes)} topic{'s' if len(volumes) > 1 else ''}, "
            f"{sum(v.records for v in volumes):,} rec written, "
            f"{sum(v.kept for v in volumes):,} kept: "
            f"{sum(v.bytes for v in volumes) / 1048576:,.1f} MiB")


def per_cpu_s(records, *cpu):
    if any(c is None for c in cpu) or not sum(cpu):
        return None
    return records / sum(cpu)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--segmentd", required=True)
    ap.add_argument("--gen", required=True)
    ap.add_argument("--bootstrap")
    ap.add_argument("--events", type=int, default=1_000_000)
    ap.add_argument("--members", type=int, default=100_000)
    ap.add_argument("--partitions", type=int, default=8)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--rate", type=int, default=5_000, help="input rate of the latency phase")
    ap.add_argument("--seconds", type=float, default=20,
                    help="measured window of the latency phase")
    ap.add_argument("--warmup", type=float, default=15,
                    help="unmeasured seconds before the latency window (JIT, caches)")
    ap.add_argument("--peer-heap", default="512m", help="the peer JVM's maximum heap (-Xmx)")
    ap.add_argument("--segmentd-set", action="append", default=[], metavar="KEY=VALUE",
                    help="extra segmentd setting (repeatable)")
    ap.add_argument("--peer-set", action="append", default=[], metavar="KEY=VALUE",
                    help="extra peer setting (repeatable), e.g. state.changelog=false")
    ap.add_argument("--work-dir")
    ap.add_argument("--json", help="also write the results as JSON to this file")
    args = ap.parse_args()

    build_peer()
    work = Path(args.work_dir or tempfile.mkdtemp(prefix="segmentd-sbs-"))
    work.mkdir(parents=True, exist_ok=True)
    engines = [segmentd_engine(args.segmentd, args.segmentd_set),
               peer_engine(args.peer_heap, args.peer_set)]
    data_path = work / f"events-{args.members}-{args.events}-{args.seed}.jsonl"
    kbs.generate_dataset(args.gen, data_path, args.members, args.events, args.seed)
    data = kbs.Dataset.load(data_path)
    run_id = uuid.uuid4().hex[:6]
    load = [kbs.loadavg()]

    throughput, latency, outputs, state, changelogs = [], [], {}, {}, {}
    with kbs.broker_session(args.bootstrap) as broker:
        for engine in engines:
            topics = kbs.fresh_topics(broker.bootstrap, f"tp-{run_id}-{engine.name}",
                                      args.partitions)
            kbs.preload(broker.bootstrap, topics.input, data.lines, data.keys)
            run_dir = work / f"throughput-{engine.name}"
            app_id = f"sbs-{run_id}-{engine.name}"
            kbs.log(f"throughput: {engine.name}")
            result = kbs.measure_throughput(broker.bootstrap, engine, topics, run_dir,
                                            application_id=app_id, broker_pid=broker.pid)
            throughput.append(result)
            load.append(kbs.loadavg())
            state[engine.name] = state_bytes(run_dir / app_id)
            changelogs[engine.name] = kbs.changelog_volumes(broker.bootstrap, app_id)
            outputs[engine.name], _ = read_transitions(broker.bootstrap, topics.output)
            kbs.delete_topics(broker.bootstrap, topics)
            kbs.delete_group_topics(broker.bootstrap, app_id)
        for engine in engines:
            topics = kbs.fresh_topics(broker.bootstrap, f"lat-{run_id}-{engine.name}",
                                      args.partitions)
            kbs.log(f"latency at {args.rate:,}/s: {engine.name}")
            app_id = f"sbs-{run_id}-lat-{engine.name}"
            latency.append(kbs.measure_latency(broker.bootstrap, engine, topics, data.live,
                                               args.rate, args.seconds,
                                               work / f"latency-{engine.name}",
                                               warmup=args.warmup, application_id=app_id,
                                               broker_pid=broker.pid))
            load.append(kbs.loadavg())
            kbs.delete_topics(broker.bootstrap, topics)
            kbs.delete_group_topics(broker.bootstrap, app_id)

    print(f"\n## {args.events:,} events, {args.members:,} members, {args.partitions} partitions"
          f"; segmentd settings: {' '.join(args.segmentd_set) or '(defaults)'}; peer settings: "
          f"{' '.join(args.peer_set) or '(defaults)'}, heap {args.peer_heap}; 1-min load "
          f"average {min(load):.1f}-{max(load):.1f} on {os.cpu_count()} cores\n")
    print("Throughput (preloaded historic events, first -> last record consumed; broker CPU: "
          "the one broker's, over that engine's window)\n")

    def num(v):
        return "-" if v is None else f"{v:,.0f}"
    rows = []
    for r in throughput:
        rows.append([r.engine, f"{r.events_per_s:,.0f}", f"{r.cpu_s_window:.1f}",
                     "-" if r.broker_cpu_s is None else f"{r.broker_cpu_s:.1f}",
                     num(per_cpu_s(r.records, r.cpu_s_window)),
                     num(per_cpu_s(r.records, r.cpu_s_window, r.broker_cpu_s)),
                     f"{r.peak_rss_bytes / 1048576:,.0f}", f"{state[r.engine] / 1048576:,.0f}",
                     changelog_cell(changelogs[r.engine]), f"{r.outputs:,}"])
    print(kbs.format_table(["engine", "events/s", "engine CPU s", "broker CPU s",
                            "events/CPU-s engine", "events/CPU-s engine+broker",
                            "peak RSS MiB", "state MiB", "changelog written", "transitions"],
                           rows))
    print(f"\nLatency at {args.rate:,} events/s (event CreateTime -> transition LogAppendTime, "
          f"{args.seconds:g} s after a {args.warmup:g} s warm-up)\n")
    print(kbs.format_table(
        ["engine", "achieved ev/s", "samples", "p50 ms", "p99 ms", "p99.9 ms", "max ms",
         "engine CPU %", "broker CPU %", "drained"],
        [[lat.engine, f"{lat.window_input_rate:,.0f}", f"{lat.samples:,}", num(lat.p50_ms),
          num(lat.p99_ms), num(lat.p999_ms), num(lat.max_ms), f"{lat.engine_cpu_pct:.0f}",
          num(lat.broker_cpu_pct), "yes" if lat.drained else "NO"] for lat in latency]))
    a, b = throughput
    print()
    for label, cpu_a, cpu_b in (("engine", [a.cpu_s_window], [b.cpu_s_window]),
                                ("engine + broker", [a.cpu_s_window, a.broker_cpu_s],
                                 [b.cpu_s_window, b.broker_cpu_s])):
        ea, eb = per_cpu_s(a.records, *cpu_a), per_cpu_s(b.records, *cpu_b)
        if ea and eb:
            print(f"segmentd / peer, events per CPU-second ({label}): {ea / eb:.2f}x")
    print(f"segmentd / peer, peak RSS: {a.peak_rss_bytes / b.peak_rss_bytes:.2f}x")
    print("changelog: " + "; ".join(f"{n}: {changelog_cell(v)}" + (
        " (" + ", ".join(f"{t.topic} {t.records:,} written, {t.kept:,} kept: "
                         f"{t.bytes / 1048576:,.1f} MiB" for t in v)
        + ")" if v else "") for n, v in changelogs.items()))
    names = [e.name for e in engines]
    counts = [by_change(outputs[n]) for n in names]
    changes = sorted(set(counts[0]) | set(counts[1]))
    print("\n" + kbs.format_table(["from -> to", *names],
                                  [[k, *(f"{c.get(k, 0):,}" for c in counts)] for k in changes]))
    same, report = compare(names[0], outputs[names[0]], names[1], outputs[names[1]])
    print("\n" + report)
    print("same transitions: " + ("yes" if same else "NO"))
    results = json.dumps({
        "args": vars(args), "loadavg": load,
        "throughput": [dataclasses.asdict(r) for r in throughput],
        "latency": [dataclasses.asdict(r) for r in latency], "state_bytes": state,
        "changelogs": {n: [dataclasses.asdict(t) for t in v] for n, v in changelogs.items()},
        "same": same}, default=str)
    (work / "side_by_side.json").write_text(results)
    if args.json:
        Path(args.json).write_text(results)
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
