#!/usr/bin/env python3
"""Restore time from the state changelog (SPEC 7): how long a fresh `segmentd run`
instance with an EMPTY state dir takes to become ready when its partitions' state must
come back from `<application.id>-state-changelog`.

For each member count: generate a history (segmentd-gen, --events-per-member events per
member), preload it into a fresh input topic, run a first instance until its group
offsets reach the end (that writes the changelog) and stop it; then start a second
instance on an empty state dir and time it from start to /readyz 200, with its CPU
seconds (process tree, /proc) and the restore's own figures (log line
partition_restored_from_changelog, summed over partitions).

    /usr/bin/python3 bench/restore_bench.py --segmentd build/app/segmentd \\
        --gen build/bench/segmentd-gen --members 100000,1000000

--cpu N pins both instances to core N (taskset), for "on one core" figures.
"""
import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import kafka_bench_support as kbs  # noqa: E402


def segmentd_args(binary, bootstrap, topics, app_id, state_dir, port, settings):
    args = [binary, "run"]
    for o in [f"kafka.bootstrap.servers={bootstrap}", f"state.dir={state_dir}",
              f"http.listen=127.0.0.1:{port}", f"input.topic={topics.input}",
              f"output.topic={topics.output}", f"output.dlq_topic={topics.dlq}",
              f"application.id={app_id}", "time.idle_delay=36500d",
              # Dynamic membership: the writer leaves the group when it stops, so the
              # restorer is assigned at once (a static member would be waited for).
              "kafka.group.instance.id=", *settings]:
        args += ["--set", o]
    return args


def ready(port):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=1) as r:
            return r.status == 200
    except Exception:  # noqa: BLE001  (not up yet, or 503)
        return False


def stop(proc, log):
    proc.terminate()
    code = proc.wait(120)
    log.close()
    if code != 0:
        raise RuntimeError(f"segmentd exited {code}")


def run_one(args, binary, bootstrap, members, work):
    prefix = f"restore{members}"
    topics = kbs.fresh_topics(bootstrap, prefix, args.partitions)
    app_id = f"{prefix}-app"
    data = kbs.generate_dataset(args.gen, work / f"{prefix}.jsonl", members,
                                members * args.events_per_member, args.seed)
    dataset = kbs.Dataset.load(data)
    records, seconds = kbs.preload(bootstrap, topics.input, dataset.lines, dataset.keys)
    kbs.log(f"{members} members: {records} events preloaded in {seconds:.1f}s")
    wrap = ["taskset", "-c", str(args.cpu)] if args.cpu is not None else []

    port = kbs.free_port()
    log = open(work / f"{prefix}-writer.log", "wb")
    writer = subprocess.Popen(wrap + segmentd_args(binary, bootstrap, topics, app_id,
                                                   work / f"{prefix}-writer", port, args.set),
                              stdout=log, stderr=log)
    try:
        for attempt in range(10):  # a new broker's group coordinator may not be ready yet
            try:
                drained, took = kbs.wait_drained(bootstrap, app_id, topics.input, timeout=3600)
                break
            except kbs.KafkaException:
                if attempt == 9:
                    raise
                time.sleep(1)
        if not drained:
            raise RuntimeError("the writer did not finish")
    finally:
        stop(writer, log)
    changelog = f"{app_id}-state-changelog"
    changelog_records = sum(kbs.end_offsets(bootstrap, changelog).values())
    kbs.log(f"writer done in {took:.1f}s; changelog {changelog_records} records")
    shutil.rmtree(work / f"{prefix}-writer", ignore_errors=True)

    port = kbs.free_port()
    log_path = work / f"{prefix}-restorer.log"
    log = open(log_path, "wb")
    started = time.monotonic()
    restorer = subprocess.Popen(wrap + segmentd_args(binary, bootstrap, topics, app_id,
                                                     work / f"{prefix}-restorer", port, args.set),
                                stdout=log, stderr=log)
    tree = kbs.ProcTree(restorer.pid)
    try:
        while not ready(port):
            if restorer.poll() is not None:
                raise RuntimeError(f"restorer exited {restorer.returncode}, see {log_path}")
            tree.cpu_seconds()
            tree.peak_rss_bytes()
            time.sleep(0.05)
        to_ready = time.monotonic() - started
        cpu = tree.cpu_seconds()
        rss = tree.peak_rss_bytes()
    finally:
        stop(restorer, log)
    restored = [json.loads(l) for l in log_path.read_text().splitlines()
                if '"partition_restored_from_changelog"' in l]
    kbs.delete_topics(bootstrap, topics)
    shutil.rmtree(work / f"{prefix}-restorer", ignore_errors=True)
    return {
        "members": members,
        "changelog_records": changelog_records,
        "restored_records": sum(int(r["records"]) for r in restored),
        "restored_mib": sum(int(r["bytes"]) for r in restored) / 2**20,
        "restore_seconds": sum(float(r["seconds"]) for r in restored),
        "seconds_to_ready": to_ready,
        "cpu_seconds_to_ready": cpu,
        "peak_rss_mib": rss / 2**20,
    }


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--segmentd", required=True)
    p.add_argument("--gen", required=True)
    p.add_argument("--members", default="100000,1000000")
    p.add_argument("--events-per-member", type=int, default=2)
    p.add_argument("--partitions", type=int, default=1)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--cpu", type=int, default=None, help="pin segmentd to this core")
    p.add_argument("--bootstrap", default=None, help="an existing broker")
    p.add_argument("--set", action="append", default=[], help="extra segmentd setting")
    p.add_argument("--json", default=None, help="write the results here too")
    args = p.parse_args(argv)
    binary = str(Path(args.segmentd).resolve())
    results = []
    with kbs.broker_session(args.bootstrap) as broker, \
            tempfile.TemporaryDirectory(prefix="segmentd-restore-bench-") as tmp:
        for members in (int(m) for m in args.members.split(",")):
            results.append(run_one(args, binary, broker.bootstrap, members, Path(tmp)))
            kbs.log(json.dumps(results[-1]))
    headers = ["members", "changelog records", "restored records", "MiB", "restore s",
               "start to ready s", "CPU s", "peak RSS MiB"]
    rows = [[r["members"], r["changelog_records"], r["restored_records"],
             f"{r['restored_mib']:.1f}", f"{r['restore_seconds']:.2f}",
             f"{r['seconds_to_ready']:.2f}", f"{r['cpu_seconds_to_ready']:.2f}",
             f"{r['peak_rss_mib']:.0f}"] for r in results]
    print(kbs.format_table(headers, rows))
    print(f"load average {kbs.loadavg():.1f}")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
