#!/usr/bin/env python3
"""`segmentd run` without kafka.bootstrap.servers is a configuration error: it exits 2
at start-up with a message naming the setting, instead of waiting for a broker."""
import os
import subprocess
import sys
import tempfile

from kafka_test_support import free_port

SEGMENTD = os.environ["E2E_SEGMENTD_BIN"]


def main():
    with tempfile.TemporaryDirectory(prefix="segmentd-it-") as tmp:
        env = {k: v for k, v in os.environ.items() if not k.startswith("SEGMENTD_KAFKA__")}
        try:
            r = subprocess.run([SEGMENTD, "run", "--set", f"state.dir={tmp}/state",
                                "--set", f"http.listen=127.0.0.1:{free_port()}"],
                               capture_output=True, text=True, timeout=20, env=env)
        except subprocess.TimeoutExpired:
            raise AssertionError("segmentd run without bootstrap servers did not exit")
        assert r.returncode == 2, f"expected exit 2, got {r.returncode}:\n{r.stderr}"
        assert "kafka.bootstrap.servers" in r.stderr, r.stderr
        print("ok: exit 2 naming kafka.bootstrap.servers")


if __name__ == "__main__":
    sys.exit(main())
