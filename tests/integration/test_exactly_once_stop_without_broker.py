#!/usr/bin/env python3
"""processing.guarantee = exactly_once with no broker at all (bootstrap on a port nobody
listens on): initialising the transactional producer is retried while the brokers are
away, but SIGTERM still stops the service: after the start-up access check (10 s) and at
most 20 s more of retries it logs service_failed naming the transactional call and exits
1. Before, the retries went on forever and only SIGKILL ended it."""
import json
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from kafka_test_support import free_port
from segmentd_service import Service


def main():
    with tempfile.TemporaryDirectory(prefix="segmentd-it-") as tmp:
        tmp = Path(tmp)
        svc = Service(f"127.0.0.1:{free_port()}", tmp / "state",
                      ["processing.guarantee=exactly_once"]).start()
        time.sleep(3)
        assert svc.proc.poll() is None, f"exited early {svc.proc.returncode}:\n{svc.tail()}"
        svc.proc.send_signal(signal.SIGTERM)
        stopped = time.monotonic()
        try:
            code = svc.proc.wait(60)
        except subprocess.TimeoutExpired:
            svc.kill()
            raise AssertionError(f"segmentd ignored SIGTERM for 60 s:\n{svc.tail()}")
        took = time.monotonic() - stopped
        svc.log.close()
        assert code == 1, f"exit {code}, expected 1:\n{svc.tail()}"
        failures = [json.loads(l) for l in svc.log_path.read_text().splitlines()
                    if '"service_failed"' in l]
        assert failures and "initialising transactions" in failures[-1]["detail"] \
            and "the service is stopping" in failures[-1]["detail"], svc.tail()
        print(f"ok: exit 1 {took:.0f} s after SIGTERM: {failures[-1]['detail']}")
        return 0


if __name__ == "__main__":
    sys.exit(main())
