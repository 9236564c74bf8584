#!/usr/bin/env python3
"""deploy/prometheus/alerts.yml: every expression parses (`promtool check rules`) and uses
metrics segmentd exports (or a documented planned one), every alert has a unit test, and
the unit tests pass (`promtool test rules`)."""
import subprocess
import sys
from pathlib import Path

import yaml

from exported_metrics import exported_names, unknown_names

PROMETHEUS = Path(__file__).resolve().parents[2] / "deploy" / "prometheus"


def promtool(*args):
    result = subprocess.run(["promtool", *args], capture_output=True, text=True)
    assert result.returncode == 0, f"promtool {' '.join(args)}: exit {result.returncode}\n" \
                                   f"{result.stdout}{result.stderr}"
    return result.stdout


def main():
    rules = PROMETHEUS / "alerts.yml"
    tests = PROMETHEUS / "tests" / "alerts_test.yml"
    promtool("check", "rules", str(rules))
    rule_list = [r for g in yaml.safe_load(rules.read_text())["groups"] for r in g["rules"]]
    alerts = {r["alert"] for r in rule_list}
    tested = {t["alertname"] for case in yaml.safe_load(tests.read_text())["tests"]
              for t in case.get("alert_rule_test", [])
              if any(a for a in [t.get("exp_alerts")])}
    assert alerts == tested, f"alerts without a firing test: {sorted(alerts - tested)}"
    unknown = unknown_names("\n".join(r["expr"] for r in rule_list), exported_names())
    assert not unknown, f"metrics segmentd does not export: {sorted(unknown)}"
    promtool("test", "rules", str(tests))
    print(f"{len(alerts)} alerts: parse, and each fires (and stays quiet) as its test says")
    return 0


if __name__ == "__main__":
    sys.exit(main())
