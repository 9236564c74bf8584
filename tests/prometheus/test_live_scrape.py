#!/usr/bin/env python3
"""A real Prometheus (Debian `prometheus`) scrapes a live `segmentd demo` (embedded Kafka
cluster, no broker) every second, with deploy/prometheus/alerts.yml loaded. Then, through
Prometheus's HTTP API:
  - segmentd_build_info carries the git revision;
  - every rule of alerts.yml is healthy (evaluated without error), and every alert
    expression evaluates without error; every segmentd metric an alert reads has series;
  - every dashboard query (deploy/grafana/segmentd.json, Grafana's variables filled in)
    evaluates without error and returns data, except those in EXPECTED_EMPTY (why there).
Under about 40 s."""
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import yaml

from test_dashboard import DASHBOARD, queries

SEGMENTD = os.environ["E2E_SEGMENTD_BIN"]
ALERTS = Path(__file__).resolve().parents[2] / "deploy" / "prometheus" / "alerts.yml"
# The windows a 1 s scrape interval fills within the test.
VARIABLES = {"$__rate_interval": "10s", "$__interval": "1s", "$__range": "1m",
             "$job": "segmentd", "$instance": ".+"}
# Dashboard queries a healthy demo run gives no data, by panel title and why.
EXPECTED_EMPTY = {
    # The demo's state fits in the RocksDB memtables: no table file, no block lookup.
    "RocksDB block cache hit ratio",
    # `> 0` filter on a counter of bugs: none in a healthy run. The panel's first query
    # (open fds) does return data; see the per-query check below.
    "Open file descriptors and impossible transitions#B",
}
SETTLE_SECONDS = 15


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url, timeout=5):
    with urllib.request.urlopen(url, timeout=timeout) as reply:
        return reply.status, reply.read().decode()


def wait_for(what, check, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


class PromApi:
    def __init__(self, port):
        self.base = f"http://127.0.0.1:{port}/api/v1/"

    def call(self, path, **params):
        url = self.base + path + ("?" + urllib.parse.urlencode(params) if params else "")
        try:
            _, body = get(url)
        except urllib.error.HTTPError as error:
            if error.code not in (400, 422):  # 503 while starting: not ready (an OSError)
                raise
            body = error.read().decode()  # a query that does not evaluate
        reply = json.loads(body)
        return reply

    def query(self, expr):
        reply = self.call("query", query=expr)
        assert reply["status"] == "success", f"{expr}: {reply.get('error')}"
        return reply["data"]["result"]


def fill(expr):
    for name in sorted(VARIABLES, key=len, reverse=True):
        expr = expr.replace(name, VARIABLES[name])
    assert "$" not in expr, expr
    return expr


def stop(process):
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def check_alerts(api):
    rules = api.call("rules")["data"]["groups"]
    loaded = [r for g in rules for r in g["rules"]]
    declared = [r for g in yaml.safe_load(ALERTS.read_text())["groups"] for r in g["rules"]]
    assert len(loaded) == len(declared), (len(loaded), len(declared))
    for rule in loaded:
        assert rule["health"] == "ok", f"{rule['name']}: {rule.get('lastError')}"
    for rule in declared:
        api.query(rule["expr"])  # asserts it evaluates
        for name in set(re.findall(r"\bsegmentd_[a-z0-9_]+", rule["expr"])):
            base = re.sub(r"_(bucket|sum|count)$", "", name)
            if base != name:
                name = base + "_count"
            assert api.query(f'{name}{{job="segmentd"}}'), f"{rule['alert']}: no series {name}"
    return len(declared)


def check_dashboard(api):
    dashboard = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    empty, counted = [], 0
    for panel in dashboard["panels"]:
        for i, target in enumerate(panel.get("targets", [])):
            counted += 1
            result = api.query(fill(target["expr"]))
            key = panel["title"] + ("" if i == 0 else f"#{chr(65 + i)}")
            if not result and key not in EXPECTED_EMPTY and panel["title"] not in EXPECTED_EMPTY:
                empty.append(key)
    for where, expr in queries(dashboard):
        if where.startswith("variable"):
            assert api.query(fill(expr)), f"{where}: no data"
    assert not empty, f"dashboard queries without data: {empty}"
    return counted


def main():
    if shutil.which("prometheus") is None:
        print("prometheus is not installed (deploy/install-deps.sh)")
        return 77
    work = Path(tempfile.mkdtemp(prefix="segmentd-live-scrape-"))
    segmentd_port, prometheus_port = free_port(), free_port()
    demo = prometheus = None
    try:
        demo = subprocess.Popen(
            [SEGMENTD, "demo", "--members", "3000", "--events", "400000", "--rate", "4000",
             "--partitions", "2", "--set", f"http.listen=127.0.0.1:{segmentd_port}"],
            stdout=open(work / "demo.out", "w"), stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL)
        wait_for("segmentd /readyz", lambda: get(
            f"http://127.0.0.1:{segmentd_port}/readyz")[0] == 200)
        (work / "prometheus.yml").write_text(yaml.safe_dump({
            "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
            "rule_files": [str(ALERTS)],
            "scrape_configs": [{"job_name": "segmentd", "static_configs": [
                {"targets": [f"127.0.0.1:{segmentd_port}"]}]}]}))
        prometheus = subprocess.Popen(
            ["prometheus", f"--config.file={work / 'prometheus.yml'}",
             f"--storage.tsdb.path={work / 'data'}",
             f"--web.listen-address=127.0.0.1:{prometheus_port}"],
            stdout=open(work / "prometheus.log", "w"), stderr=subprocess.STDOUT)
        api = PromApi(prometheus_port)
        wait_for("Prometheus to start", lambda: get(
            f"http://127.0.0.1:{prometheus_port}/-/ready")[0] == 200)
        wait_for("Prometheus to scrape segmentd",
                 lambda: any(s["value"][1] == "1" for s in api.query('up{job="segmentd"}')))
        time.sleep(SETTLE_SECONDS)
        assert demo.poll() is None, "segmentd demo ended early:\n" + (work / "demo.out").read_text()
        build = api.query('segmentd_build_info{job="segmentd"}')
        assert build and build[0]["metric"].get("revision"), build
        alerts = check_alerts(api)
        panels = check_dashboard(api)
        print(f"{alerts} alert rules healthy and evaluated; {panels} dashboard queries "
              f"evaluated, all with data but {sorted(EXPECTED_EMPTY)}")
        return 0
    finally:
        for process in (prometheus, demo):
            if process is not None:
                stop(process)
        if demo is not None and demo.returncode not in (0, None):
            print((work / "demo.out").read_text()[-3000:], file=sys.stderr)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
