#!/usr/bin/python3
"""segmentd through a real Kafka broker: sustained throughput, and end-to-end latency at
fixed input rates.

    /usr/bin/python3 bench/kafka_bench.py --segmentd build/app/segmentd \\
        --gen build/bench/segmentd-gen [--bootstrap HOST:PORT] [--json out.json]

One run:
  1. starts a single-node broker (deploy/kafka-broker.sh) unless --bootstrap is given,
     and generates a dataset with segmentd-gen (--events lines, --members members);
  2. throughput: preloads the dataset (historic events, keyed by member id) into an
     input topic of --partitions partitions, starts `segmentd run` and times it from the
     first to the last record consumed (segmentd_events_consumed_total, polled every
     50 ms); CPU seconds (/proc/PID/stat utime+stime) and peak RSS (VmHWM);
  3. latency: for each rate in --rates, fresh topics and a fresh segmentd; live events
     (the dataset's events with ts rewritten to the wall clock at produce time) are
     produced at that rate for --warmup + --seconds; the output topic stamps records with
     LogAppendTime, so latency = a transition's append time - its event's CreateTime,
     joined by event_id, over the transitions with cause=event whose event was
     produced after the warmup. Also segmentd's own segmentd_processing_latency_seconds
     quantiles (read -> ack) over the same window.

--guarantees at_least_once,exactly_once runs each phase once per processing.guarantee,
one after the other on the same broker and dataset (fresh topics and state each time);
--changelog on,off likewise once per state.changelog (with --guarantees: every pair).
The throughput table also gives what each run wrote to its state changelog topic
(records, including exactly once's commit markers, and key + value bytes).

Only transitions caused by an event are timed: in live mode these are a member's first
(none -> new) and second (new -> active) purchase, so the measured events are a sample
of the stream, not every event. Runs with /usr/bin/python3 (Debian's confluent_kafka).
The measurement pieces live in bench/kafka_bench_support.py; segmentd_engine() below is
how segmentd plugs into them (a peer engine supplies its own Engine).
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import shlex
import shutil
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import kafka_bench_support as kbs  # noqa: E402

REPO = kbs.REPO


def segmentd_engine(binary, settings=(), name="segmentd", wrapper=()):
    """An Engine running `segmentd run` on the context's topics. settings are extra
    key=value options (after the harness's own, so they win). Historic runs set
    time.idle_delay=36500d so the idle advance does not move clocks to the wall clock.
    wrapper is a command prefix (e.g. ["taskset", "-c", "1"])."""
    binary = str(Path(binary).resolve())

    def command(ctx: kbs.EngineContext):
        args = [*wrapper, binary, "run"]
        opts = [f"kafka.bootstrap.servers={ctx.bootstrap}",
                f"state.dir={ctx.work_dir / 'state'}",
                f"http.listen=127.0.0.1:{ctx.http_port}",
                f"input.topic={ctx.topics.input}", f"output.topic={ctx.topics.output}",
                f"output.dlq_topic={ctx.topics.dlq}", f"application.id={ctx.application_id}"]
        if ctx.historic:
            opts.append("time.idle_delay=36500d")
        for o in [*opts, *settings]:
            args += ["--set", o]
        return args

    def ready(ctx, ep):
        status = None
        try:
            import urllib.request
            with urllib.request.urlopen(f"http://127.0.0.1:{ctx.http_port}/readyz",
                                        timeout=1) as r:
                status = r.status
        except Exception:  # noqa: BLE001  (not up yet, or 503 while not ready)
            pass
        return status == 200

    return kbs.Engine(
        name=name, command=command,
        metrics_url=lambda ctx: f"http://127.0.0.1:{ctx.http_port}/metrics",
        consumed_metric="segmentd_events_consumed_total",
        latency_histogram="segmentd_processing_latency_seconds",
        other_histograms=("segmentd_commit_duration_seconds", "segmentd_commit_pause_seconds"),
        ready=ready)


def ms(v):
    return "-" if v is None else f"{v:.0f}"


def hist_ms(v):
    return "-" if v is None else f"{v * 1000:.1f}"


def mib(b):
    return f"{b / 1048576:.0f}"


def throughput_table(results, volumes):
    rows = []
    for r, volume in zip(results, volumes):
        rows.append([r.engine, f"{r.records:,}", f"{r.seconds:.2f}", f"{r.events_per_s:,.0f}",
                     f"{r.cpu_s:.1f}", f"{r.cpu_s_window:.1f}",
                     f"{r.records / r.cpu_s_window:,.0f}" if r.cpu_s_window else "-",
                     mib(r.peak_rss_bytes),
                     "-" if r.broker_cpu_s is None else f"{r.broker_cpu_s:.1f}",
                     f"{r.startup_s:.2f}", f"{r.outputs:,}", f"{r.dlq:,}",
                     f"{sum(v.records for v in volume):,}",
                     f"{sum(v.bytes for v in volume) / 1048576:.1f}"])
    return kbs.format_table(
        ["engine", "records", "first→last s", "events/s", "CPU s (total)", "CPU s (window)",
         "events/CPU-s", "peak RSS MiB", "broker CPU s", "start→first s", "transitions",
         "DLQ", "changelog records", "changelog MiB"], rows)


def latency_table(results):
    rows = []
    for r in results:
        h = r.engine_hist or {}
        rows.append([r.engine, f"{r.target_rate:,.0f}", f"{r.window_input_rate:,.0f}",
                     f"{r.seconds:.0f}", f"{r.samples:,}", ms(r.p50_ms), ms(r.p90_ms),
                     ms(r.p99_ms), ms(r.p999_ms), ms(r.max_ms), hist_ms(h.get("p50")),
                     hist_ms(h.get("p99")), f"{r.engine_cpu_pct:.0f}",
                     "-" if r.broker_cpu_pct is None else f"{r.broker_cpu_pct:.0f}",
                     mib(r.engine_peak_rss_bytes), "yes" if r.drained else "NO",
                     f"{r.producer_max_behind_s * 1000:.0f}", f"{r.loadavg_before:.1f}"])
    return kbs.format_table(
        ["engine", "target ev/s", "achieved ev/s (in topic)", "window s", "samples", "p50 ms",
         "p90 ms", "p99 ms", "p99.9 ms", "max ms", "engine p50 ms", "engine p99 ms", "engine CPU %",
         "broker CPU %", "peak RSS MiB", "drained", "producer max behind ms", "load avg"],
        rows)


def histogram_table(results):
    rows = []
    for r in results:
        for name, h in sorted((r.engine_other or {}).items()):
            rows.append([r.engine, f"{r.target_rate:,.0f}", name, f"{h.get('count', 0):,}",
                         hist_ms(h.get("mean")), hist_ms(h.get("p50")), hist_ms(h.get("p99"))])
    return kbs.format_table(["engine", "target ev/s", "histogram", "count", "mean ms",
                             "p50 ms", "p99 ms"], rows) if rows else ""


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--segmentd", default=str(REPO / "build" / "app" / "segmentd"))
    ap.add_argument("--gen", default=str(REPO / "build" / "bench" / "segmentd-gen"))
    ap.add_argument("--bootstrap", help="use this broker instead of starting one")
    ap.add_argument("--events", type=int, default=1_000_000)
    ap.add_argument("--members", type=int, default=200_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--partitions", type=int, default=8)
    ap.add_argument("--rates", default="10000,50000",
                    help="comma-separated input rates (events/s) for the latency phase")
    ap.add_argument("--seconds", type=float, default=25, help="measured seconds per rate")
    ap.add_argument("--warmup", type=float, default=5, help="unmeasured seconds per rate")
    ap.add_argument("--producers", type=int, default=1,
                    help="paced producer processes for the latency phase")
    ap.add_argument("--linger-ms", type=float, default=1,
                    help="linger.ms of the paced producer (adds to the measured latency)")
    ap.add_argument("--set", dest="settings", action="append", default=[], metavar="KEY=VALUE",
                    help="extra segmentd option (repeatable)")
    ap.add_argument("--wrap", default="", metavar="CMD",
                    help='command prefix for segmentd, e.g. "taskset -c 1" (diagnostics)')
    ap.add_argument("--guarantees", default="",
                    help="comma-separated processing.guarantee values to compare, e.g. "
                         "at_least_once,exactly_once (default: the configured one)")
    ap.add_argument("--changelog", default="",
                    help="comma-separated state.changelog settings to compare: on,off "
                         "(default: the configured one)")
    ap.add_argument("--skip-throughput", action="store_true")
    ap.add_argument("--skip-latency", action="store_true")
    ap.add_argument("--work-dir", help="scratch dir (default: a new temp dir, removed after)")
    ap.add_argument("--keep", action="store_true", help="keep the scratch dir and topics")
    ap.add_argument("--json", help="write every result as JSON to this file")
    args = ap.parse_args(argv)

    for b in (args.segmentd, args.gen):
        if not os.access(b, os.X_OK):
            ap.error(f"not an executable: {b}")
    rates = [float(r) for r in args.rates.split(",") if r.strip()]
    work = Path(args.work_dir) if args.work_dir else Path(
        tempfile.mkdtemp(prefix="segmentd-kafka-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    run_id = uuid.uuid4().hex[:6]
    guarantees = [g.strip() for g in args.guarantees.split(",") if g.strip()]
    changelogs = [c.strip() for c in args.changelog.split(",") if c.strip()]
    if any(c not in ("on", "off") for c in changelogs):
        ap.error("--changelog takes on and/or off")
    engines = []
    for g in guarantees or [None]:
        for c in changelogs or [None]:
            settings = list(args.settings)
            name = "segmentd"
            if g:
                settings.append(f"processing.guarantee={g}")
                name += f" {g}"
            if c:
                settings.append(f"state.changelog={'true' if c == 'on' else 'false'}")
                name += f" changelog {c}"
            engines.append(segmentd_engine(args.segmentd, settings, name=name,
                                           wrapper=shlex.split(args.wrap)))
    command = "/usr/bin/python3 " + " ".join(shlex.quote(a) for a in sys.argv)

    header = {
        "command": command, "date": time.strftime("%Y-%m-%d %H:%M:%S %z"),
        "host": f"{platform.node()} {os.cpu_count()} cores, {platform.python_version()}",
        "segmentd": args.segmentd, "settings": args.settings, "events": args.events,
        "members": args.members, "seed": args.seed, "partitions": args.partitions,
    }
    kbs.log(f"work dir {work}; load average {kbs.loadavg():.2f}")
    data_path = kbs.generate_dataset(args.gen, work / "events.jsonl", args.members,
                                     args.events, args.seed)
    kbs.log(f"dataset {data_path}: loading")
    data = kbs.Dataset.load(data_path)
    broken = sum(1 for k in data.keys if k is None)
    kbs.log(f"{len(data.lines):,} lines ({broken} without a member key)")

    tp_results, tp_volumes, lat_results = [], [], []
    try:
        with kbs.broker_session(args.bootstrap) as broker:
            kbs.log(f"broker {broker.bootstrap} (pid {broker.pid})")
            for i, engine in enumerate(engines):
                if args.skip_throughput:
                    break
                topics = kbs.fresh_topics(broker.bootstrap, f"bench-{run_id}-tp{i}",
                                          args.partitions)
                n, secs = kbs.preload(broker.bootstrap, topics.input, data.lines, data.keys)
                kbs.log(f"preloaded {n:,} records in {secs:.1f}s; starting {engine.name}")
                app_id = f"bench-{run_id}-tp{i}"
                r = kbs.measure_throughput(broker.bootstrap, engine, topics, work / f"tp{i}",
                                           application_id=app_id, broker_pid=broker.pid)
                volume = kbs.changelog_volumes(broker.bootstrap, app_id)
                kbs.log(f"throughput: {r.events_per_s:,.0f} events/s, CPU {r.cpu_s:.1f}s, "
                        f"peak RSS {mib(r.peak_rss_bytes)} MiB, changelog "
                        f"{sum(v.records for v in volume):,} records (exit {r.exit_code})")
                tp_results.append(r)
                tp_volumes.append(volume)
                if not args.keep:
                    kbs.delete_topics(broker.bootstrap, topics)
                    kbs.delete_group_topics(broker.bootstrap, app_id)
            for i, engine in enumerate(engines):
                if args.skip_latency:
                    break
                for rate in rates:
                    tag = f"bench-{run_id}-lat{int(rate)}-{i}"
                    topics = kbs.fresh_topics(broker.bootstrap, tag, args.partitions)
                    kbs.log(f"latency at {rate:,.0f} events/s for {args.warmup:g}+"
                            f"{args.seconds:g}s")
                    r = kbs.measure_latency(broker.bootstrap, engine, topics, data.live, rate,
                                            args.seconds, work / tag, warmup=args.warmup,
                                            producers=args.producers,
                                            linger_ms=args.linger_ms, broker_pid=broker.pid)
                    kbs.log(f"  achieved {r.achieved_rate:,.0f}/s, {r.samples:,} samples, "
                            f"p50 {ms(r.p50_ms)} ms, p99 {ms(r.p99_ms)} ms, "
                            f"drained {r.drained} (exit {r.exit_code})")
                    lat_results.append(r)
                    if not args.keep:
                        kbs.delete_topics(broker.bootstrap, topics)
    finally:
        if not args.keep and not args.work_dir:
            shutil.rmtree(work, ignore_errors=True)

    print()
    print(f"command: {command}")
    print(f"date: {header['date']}; host: {header['host']}; load average now "
          f"{kbs.loadavg():.2f}")
    print(f"dataset: segmentd-gen --members {args.members} --events {args.events} "
          f"--seed {args.seed}; {args.partitions} partitions; segmentd settings: "
          f"{' '.join(args.settings) or '(defaults)'}"
          + (f"; wrapped in: {args.wrap}" if args.wrap else ""))
    if tp_results:
        print("\nSustained throughput (preloaded historic events, first→last record consumed)\n")
        print(throughput_table(tp_results, tp_volumes))
    if lat_results:
        print(f"\nLatency at fixed input rates (event CreateTime → transition LogAppendTime, "
              f"cause=event transitions of events produced after a {args.warmup:g}s warmup; "
              f"producer linger.ms={args.linger_ms:g}; engine p50/p99: "
              f"segmentd_processing_latency_seconds, read → ack, bucket-interpolated)\n")
        print(latency_table(lat_results))
        other = histogram_table(lat_results)
        if other:
            print("\nEngine-side histograms over the same windows (bucket-interpolated)\n")
            print(other)
    if args.json:
        Path(args.json).write_text(json.dumps(
            {"header": header, "throughput": [dataclasses.asdict(r) for r in tp_results],
             "changelog": [[dataclasses.asdict(v) for v in vs] for vs in tp_volumes],
             "latency": [dataclasses.asdict(r) for r in lat_results]}, indent=2))
    bad = [r for r in lat_results if not r.drained or r.exit_code] + \
          [r for r in tp_results if r.exit_code]
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
