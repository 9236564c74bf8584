#!/usr/bin/env python3
"""deploy/prometheus/alerts.yml: every expression parses (`promtool check rules`), every
alert has a unit test, and the unit tests pass (`promtool test rules`)."""
import subprocess
import sys
from pathlib import Path

import yaml

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
    alerts = {r["alert"] for g in yaml.safe_load(rules.read_text())["groups"] for r in g["rules"]}
    tested = {t["alertname"] for case in yaml.safe_load(tests.read_text())["tests"]
              for t in case.get("alert_rule_test", [])
              if any(a for a in [t.get("exp_alerts")])}
    assert alerts == tested, f"alerts without a firing test: {sorted(alerts - tested)}"
    promtool("test", "rules", str(tests))
    print(f"{len(alerts)} alerts: parse, and each fires (and stays quiet) as its test says")
    return 0


if __name__ == "__main__":
    sys.exit(main())
