#!/usr/bin/env python3
"""deploy/grafana/segmentd.json: every query (panels and variables) parses as PromQL, with
Grafana's variables filled in, through `promtool check rules` on a temporary rules file;
every metric it names is one segmentd exports; and it has the panels operators need."""
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

from exported_metrics import exported_names, unknown_names

DASHBOARD = Path(__file__).resolve().parents[2] / "deploy" / "grafana" / "segmentd.json"
# Grafana's variables, as Grafana would fill them in.
VARIABLES = {"$__rate_interval": "5m", "$__interval": "1m", "$__range": "6h",
             "$job": ".+", "$instance": ".+"}
# Each of these metrics must be on some panel.
REQUIRED = ["segmentd_events_consumed_total", "segmentd_consumer_lag",
            "segmentd_processing_latency_seconds_bucket", "segmentd_members",
            "segmentd_transitions_total", "segmentd_events_rejected_total",
            "segmentd_commit_duration_seconds_bucket", "segmentd_rocksdb_disk_bytes",
            "segmentd_rocksdb_block_cache_hits_total",
            "segmentd_rocksdb_write_stall_seconds_total", "segmentd_ready",
            "segmentd_restore_in_progress", "segmentd_transitions_impossible_total",
            "segmentd_standby_lag_records",
            "process_cpu_seconds_total", "process_resident_memory_bytes"]


def panels(items):
    for item in items:
        yield item
        yield from panels(item.get("panels", []))


def queries(dashboard):
    for panel in panels(dashboard["panels"]):
        for target in panel.get("targets", []):
            yield f"panel {panel['title']!r}", target["expr"]
    for variable in dashboard["templating"]["list"]:
        if variable["type"] == "query":
            # label_values(SELECTOR, LABEL) is Grafana's; the selector is PromQL.
            match = re.fullmatch(r"label_values\((.+), *(\w+)\)", variable["definition"])
            assert match, variable["definition"]
            yield f"variable {variable['name']}", f"count by ({match[2]}) ({match[1]})"


def fill(expr):
    for name in sorted(VARIABLES, key=len, reverse=True):
        expr = expr.replace(name, VARIABLES[name])
    assert "$" not in expr, f"unknown variable in {expr}"
    return expr


def main():
    dashboard = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    found = list(queries(dashboard))
    rules = {"groups": [{"name": "dashboard", "rules": [
        {"record": f"dashboard:query_{i}", "expr": fill(expr)}
        for i, (_, expr) in enumerate(found)]}]}
    with tempfile.NamedTemporaryFile("w", suffix=".yml", prefix="segmentd-dashboard-") as f:
        yaml.safe_dump(rules, f)
        f.flush()
        result = subprocess.run(["promtool", "check", "rules", f.name],
                                capture_output=True, text=True)
    if result.returncode != 0:
        numbered = "\n".join(f"query_{i}: {where}: {e}" for i, (where, e) in enumerate(found))
        raise AssertionError(f"promtool check rules:\n{result.stdout}{result.stderr}\n{numbered}")
    text = "\n".join(expr for _, expr in found)
    unknown = unknown_names(text, exported_names())
    assert not unknown, f"metrics segmentd does not export: {sorted(unknown)}"
    missing = [m for m in REQUIRED if m not in text]
    assert not missing, f"no panel shows {missing}"
    ids = [p["id"] for p in panels(dashboard["panels"])]
    assert len(ids) == len(set(ids)), "panel ids repeat"
    print(f"{len(found)} dashboard queries parse and use exported metrics")
    return 0


if __name__ == "__main__":
    sys.exit(main())
