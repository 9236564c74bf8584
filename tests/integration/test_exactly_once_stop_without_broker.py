#!/usr/bin/env python3
"""processing.guarantee = exactly_once with no broker at all (bootstrap on a port nobody
listens on): initialising the transactional producer is retried while the brokers are
away, but SIGTERM still stops the service: after the start-up access check (10 s) and at
most 20 s more of retries it logs service_failed naming the transactional call and exits
1. Before, the retries went on forever and only SIGKILL ended it."""
import signal
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
        took, detail = svc.wait_failed(60)
        assert "initialising transactions" in detail and "the service is stopping" in detail, \
            svc.tail()
        print(f"ok: exit 1 {took:.0f} s after SIGTERM: {detail}")
        return 0


if __name__ == "__main__":
    sys.exit(main())
