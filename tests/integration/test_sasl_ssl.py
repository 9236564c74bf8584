#!/usr/bin/env python3
"""Against a real broker with a SASL_SSL listener (SCRAM-SHA-512, certificates generated
for the test): `segmentd run` with the password from the environment consumes events and
publishes the transitions `segmentd replay` gives; a wrong password (from the config
file) and an untrusted broker certificate (no kafka.ssl.ca.location) each fail at
start-up, within seconds, with exit 1 and a log line saying what to check; the password
appears neither in the logs nor on /metrics."""
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from kafka_test_support import Broker, consume_all, produce_lines
from segmentd_service import (Service, check_at_least_once, create_service_topics,
                              expected_transitions, generate, member_key)

SETTINGS = ["time.idle_delay=36500d"]  # the history lies in the past: no idle advance
START_UP_LIMIT = 20  # seconds a refused start-up may take (the check gives up after 10)


def secure_settings(secure, with_ca=True):
    """--set arguments for the SASL_SSL listener, without the password."""
    keys = ["security.protocol", "sasl.mechanism", "sasl.username"]
    if with_ca:
        keys.append("ssl.ca.location")
    return SETTINGS + [f"kafka.{k}={secure[k]}" for k in keys]


def service_log(svc):
    return svc.log_path.read_text(errors="replace")


def assert_no_secret(text, password, where):
    assert password not in text, f"the SASL password appears in {where}"


def state_dir(tmp, name):
    return tmp / ("state-" + name.replace(" ", "-"))


def service_log_of(tmp, name):
    return state_dir(tmp, name).with_suffix(".log").read_text(errors="replace")


def log_events(svc):
    return [json.loads(line) for line in service_log(svc).splitlines() if line.startswith("{")]


def events_in_transitions_out(bootstrap, tmp, secure):
    lines = generate(tmp / "events.jsonl", members=200, events=2000, seed=8)
    create_service_topics(bootstrap, 2)
    password = secure["sasl.password"]
    svc = Service(secure["bootstrap.servers"], tmp / "state", secure_settings(secure),
                  env={"SEGMENTD_KAFKA__SASL__PASSWORD": password}).start()
    assert password not in " ".join(svc.args), "the password is on the command line"
    svc.wait_until(lambda m: svc.get("/readyz")[0] == 200, 60, "/readyz 200")
    placed = produce_lines(bootstrap, "purchases", lines, key_fn=member_key)
    svc.wait_until(lambda m: m.total("segmentd_events_consumed_total") >= len(lines), 60,
                   "every record consumed")
    status, metrics_text = svc.get("/metrics")
    assert status == 200
    svc.stop()

    expected, _ = expected_transitions(lines, placed, tmp, SETTINGS)
    out = consume_all(bootstrap, "member-transitions", timeout=30, expect_count=len(expected))
    check_at_least_once(expected, out)
    assert expected, "the generated history gave no transitions"
    assert_no_secret(metrics_text, password, "/metrics")
    assert_no_secret(service_log(svc), password, "the log")
    print(f"ok: SASL_SSL: {len(lines)} events in, {len(out)} transitions out")


def refused_at_start_up(tmp, name, settings, expect_in_detail, secret, config_file=None,
                        env=None):
    svc = Service(settings[0], state_dir(tmp, name), settings[1:], config_file=config_file,
                  env=env).start()
    started = time.monotonic()
    try:
        code = svc.proc.wait(START_UP_LIMIT)
    except subprocess.TimeoutExpired:
        svc.kill()
        raise AssertionError(f"{name}: still running after {START_UP_LIMIT}s:\n{svc.tail()}")
    svc.log.close()
    took = time.monotonic() - started
    assert code == 1, f"{name}: exit {code}, expected 1:\n{svc.tail()}"
    events = log_events(svc)
    failed = [e for e in events if e.get("event") == "service_failed"]
    assert len(failed) == 1, f"{name}: no single service_failed line:\n{svc.tail()}"
    assert expect_in_detail in failed[0]["detail"], f"{name}: {failed[0]['detail']}"
    assert not any(e.get("event") == "service_started" for e in events), f"{name}: it started"
    assert_no_secret(service_log(svc), secret, f"the log of the {name} run")
    print(f"ok: {name}: exit 1 after {took:.1f}s: {failed[0]['detail'][:100]}...")


def main():
    broker = Broker(security="sasl_ssl")
    with tempfile.TemporaryDirectory(prefix="segmentd-it-") as tmp, broker as bootstrap:
        tmp = Path(tmp)
        secure = broker.secure_settings()
        password = secure["sasl.password"]
        events_in_transitions_out(bootstrap, tmp, secure)

        wrong = f"wrong-{password[::-1]}"
        config = tmp / "wrong-password.toml"
        config.write_text(f'[kafka]\n"sasl.password" = "{wrong}"\n')
        refused_at_start_up(tmp, "wrong password",
                            [secure["bootstrap.servers"], *secure_settings(secure)],
                            "Kafka refused the credentials", wrong, config_file=config)
        assert_no_secret(service_log_of(tmp, "wrong password"), password, "a failed run's log")

        refused_at_start_up(tmp, "untrusted certificate",
                            [secure["bootstrap.servers"], *secure_settings(secure, with_ca=False)],
                            "certificate verify failed", password,
                            env={"SEGMENTD_KAFKA__SASL__PASSWORD": password})


if __name__ == "__main__":
    sys.exit(main())
