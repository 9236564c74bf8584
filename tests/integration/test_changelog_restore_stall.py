#!/usr/bin/env python3
"""Against a real broker: the broker goes away in the middle of a restore from the state
changelog. A new instance restores partition 0 from a changelog far larger than the
reader fetches ahead (400 MB of one unfinished commit's records). Twice, each time with
a fresh broker: once as soon as /readyz says it is restoring (the restore is asking for
the changelog's offsets), once after it has read its first records
(segmentd_restore_records_total > 0), the instance is frozen (SIGSTOP), the broker killed
with SIGKILL, and the instance let go again (SIGCONT). The changelog cannot be read any
more: after state.restore_timeout (set to 10 s here; asking for the offsets, or without a
record while reading) the service logs service_failed naming the changelog topic and
partition, and exits 1: not a crash, not a hang (librdkafka 2.0's query_watermark_offsets
waited forever here), and neither before the limit nor long after it."""
import os
import signal
import sys
import tempfile
import time
from pathlib import Path

from confluent_kafka import Producer

from kafka_test_support import Broker, create_topic
from segmentd_service import Service, create_service_topics

GROUP = "stall"
CHANGELOG = f"{GROUP}-state-changelog"
RECORDS = 200_000
VALUE_BYTES = 2048
RESTORE_TIMEOUT_S = 10
# The service's wait starts when it asks (just before the broker is killed) and ends
# after the request in flight (up to 5 s): the exit comes within these bounds of the kill.
EARLIEST_S = RESTORE_TIMEOUT_S - 2
LATEST_S = RESTORE_TIMEOUT_S + 15
SETTINGS = ["time.idle_delay=36500d", "kafka.session.timeout.ms=6000",
            f"state.restore_timeout={RESTORE_TIMEOUT_S}s"]


def fill_changelog(bootstrap):
    """Member records without a checkpoint after them: read by a restore, never applied."""
    producer = Producer({"bootstrap.servers": bootstrap, "linger.ms": 20})
    value = os.urandom(VALUE_BYTES)
    for i in range(RECORDS):
        while True:
            try:
                producer.produce(CHANGELOG, key=b"mjunk-%d" % i, value=value, partition=0)
                break
            except BufferError:
                producer.poll(0.1)
        producer.poll(0)
    assert producer.flush(120) == 0, "changelog records unsent"


def restoring(svc, after_first_records):
    if after_first_records:
        m = svc.metrics()
        return m is not None and m.total("segmentd_restore_records_total") > 0
    return "restoring partition 0" in svc.get("/readyz")[1]


def broker_gone_during_restore(tmp, after_first_records):
    """Returns (seconds from the broker's death to the exit, service_failed detail)."""
    broker = Broker()
    with broker as bootstrap:
        create_service_topics(bootstrap, 1)
        create_topic(bootstrap, CHANGELOG, 1, {"cleanup.policy": "compact"})
        fill_changelog(bootstrap)
        broker_pid = int((Path(broker.dir) / "broker.pid").read_text())

        svc = Service(bootstrap, tmp / f"state-{after_first_records}", SETTINGS,
                      group=GROUP).start()
        deadline = time.monotonic() + 90
        while not restoring(svc, after_first_records):
            assert svc.proc.poll() is None, f"exited {svc.proc.returncode}:\n{svc.tail()}"
            assert time.monotonic() < deadline, f"no restore seen:\n{svc.tail()}"
            time.sleep(0.01)
        svc.proc.send_signal(signal.SIGSTOP)
        os.kill(broker_pid, signal.SIGKILL)
        gone = time.monotonic()
        svc.proc.send_signal(signal.SIGCONT)
        took, detail = svc.wait_failed(180, since=gone)
        assert f"{CHANGELOG} partition 0" in detail, detail
        return took, detail


def main():
    with tempfile.TemporaryDirectory(prefix="segmentd-it-") as tmp:
        tmp = Path(tmp)
        took, detail = broker_gone_during_restore(tmp, after_first_records=False)
        assert EARLIEST_S <= took <= LATEST_S, \
            f"gave up {took:.0f} s after the broker went, not at state.restore_timeout"
        print(f"gone as the restore began: exit 1 after {took:.0f} s: {detail}")
        took, detail = broker_gone_during_restore(tmp, after_first_records=True)
        assert EARLIEST_S <= took <= LATEST_S, \
            f"gave up {took:.0f} s after the broker went, not at state.restore_timeout"
        assert detail.startswith(f"reading {CHANGELOG} partition 0"), detail
        print(f"gone while reading: exit 1 after {took:.0f} s: {detail}")
        print("ok")
        return 0


if __name__ == "__main__":
    sys.exit(main())
