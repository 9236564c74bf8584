"""Helpers for integration tests against a real Kafka broker (deploy/kafka-broker.sh).

Needs confluent_kafka: Debian's python3-confluent-kafka (1.7.0) is installed for
/usr/bin/python3 by deploy/install-deps.sh, so run these tests with /usr/bin/python3.

    with Broker() as bootstrap:
        create_topic(bootstrap, "events", 4)
        produce_lines(bootstrap, "events", lines, key_fn=lambda l: l.split(",")[0])
        records = consume_all(bootstrap, "events", timeout=30, expect_count=len(lines))

Set SEGMENTD_KAFKA_BOOTSTRAP=host:port to use an already running broker instead
of starting one (topic names should then be unique per test run).
"""
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from confluent_kafka import (OFFSET_BEGINNING, Consumer, KafkaError, KafkaException, Producer,
                             TopicPartition)
from confluent_kafka.admin import AdminClient, NewTopic

BROKER_SCRIPT = Path(__file__).resolve().parents[2] / "deploy" / "kafka-broker.sh"


def free_port():
    """A loopback TCP port that was free a moment ago."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def error_lines(log_lines):
    """The ERROR and FATAL lines of a broker's log."""
    return [l for l in log_lines if " ERROR " in l or " FATAL " in l]


class Broker:
    """Context manager yielding a bootstrap address ("127.0.0.1:PORT").

    Starts a fresh single-node broker in a temp dir on a free port and stops it
    (and removes the dir) on exit; or, if SEGMENTD_KAFKA_BOOTSTRAP is set, just
    yields that. SEGMENTD_KAFKA_KEEP_DIR=1 keeps the dir (config, data, broker.log).

    security="sasl_ssl" also opens a SASL_SSL listener (SCRAM-SHA-512, certificates
    generated for the test); secure_settings() gives the librdkafka settings for it. Such
    a broker is always started fresh (an external one has no known credentials).
    """

    def __init__(self, port=None, security=None):
        self.port = port
        self.security = security
        self.dir = None
        self.bootstrap = None

    def __enter__(self):
        existing = os.environ.get("SEGMENTD_KAFKA_BOOTSTRAP")
        if existing and not self.security:
            self.bootstrap = existing
            return existing
        fixed_port = self.port
        for attempt in range(3):
            self.dir = tempfile.mkdtemp(prefix="segmentd-kafka-")
            self.port = fixed_port or free_port()
            try:
                self._script("start", self.dir, str(self.port))
                break
            except RuntimeError as e:
                # A free port can be taken between our check and the broker's bind (an
                # outgoing connection's ephemeral port, another test's broker): the broker
                # logs a BindException and shuts down, and its shutdown can push that line
                # out of the log's tail that the error quotes, so the whole log is read.
                log = self.log()
                port_taken = "already in use" in str(e) or "already in use" in log
                errors = error_lines(log.splitlines())
                self._cleanup()
                if fixed_port or attempt == 2 or not port_taken:
                    raise RuntimeError("\n".join(
                        [str(e), "--- ERROR/FATAL lines of broker.log ---", *errors[-10:]])) from e
        self.bootstrap = f"127.0.0.1:{self.port}"
        return self.bootstrap

    def __exit__(self, exc_type, *exc):
        if self.dir:
            if exc_type is not None:
                print(self.report(), file=sys.stderr)
            self._cleanup()
        return False

    def alive(self):
        """Whether the broker this Broker started still runs, as `kafka-broker.sh status`
        tells (its pid alive and running this dir's config: not a zombie, not a recycled
        pid); True for an external broker, which it cannot see."""
        if not self.dir:
            return True
        return subprocess.run([str(BROKER_SCRIPT), "status", self.dir],
                              capture_output=True).returncode == 0

    def report(self):
        """Why a test's broker may have failed it: whether it still runs, the disk space
        left under its data, and the end of its log (errors first)."""
        if not self.dir:
            return "broker: external (SEGMENTD_KAFKA_BOOTSTRAP), no report"
        disk = shutil.disk_usage(self.dir)
        lines = self.log().splitlines()
        errors = error_lines(lines)
        return "\n".join([
            f"broker on {self.bootstrap}: {'running' if self.alive() else 'NOT RUNNING'}; "
            f"{disk.free // 2**20} MiB free of {disk.total // 2**20} MiB under {self.dir}",
            f"--- its last {min(len(errors), 10)} ERROR/FATAL log lines ---", *errors[-10:],
            "--- the last 20 lines of broker.log ---", *lines[-20:]])

    def secure_settings(self):
        """{librdkafka property: value} for a client of the SASL_SSL listener: bootstrap.servers,
        security.protocol, sasl.mechanism, sasl.username, sasl.password, ssl.ca.location."""
        text = (Path(self.dir) / "sasl_ssl.properties").read_text()
        return dict(line.split("=", 1) for line in text.splitlines() if "=" in line)

    def log(self):
        """The broker's log so far ("" when reusing an external broker)."""
        if not self.dir:
            return ""
        path = Path(self.dir) / "broker.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def _script(self, *args):
        env = dict(os.environ, SEGMENTD_KAFKA_SECURITY=self.security or "")
        r = subprocess.run([str(BROKER_SCRIPT), *args], capture_output=True, text=True, env=env)
        if r.returncode != 0:
            raise RuntimeError(f"kafka-broker.sh {' '.join(args)} failed "
                               f"(exit {r.returncode}):\n{r.stdout}{r.stderr}")
        return r

    def _cleanup(self):
        try:
            self._script("stop", self.dir)
        finally:
            if os.environ.get("SEGMENTD_KAFKA_KEEP_DIR") != "1":
                shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None


def create_topic(bootstrap, name, partitions, config=None, timeout=30):
    """Creates a topic (replication factor 1) and waits until all its partitions have a leader."""
    admin = AdminClient({"bootstrap.servers": bootstrap})
    futures = admin.create_topics(
        [NewTopic(name, num_partitions=partitions, replication_factor=1, config=config or {})],
        operation_timeout=timeout)
    futures[name].result(timeout)
    deadline = time.monotonic() + timeout
    while True:
        md = admin.list_topics(topic=name, timeout=5).topics.get(name)
        if (md is not None and md.error is None and len(md.partitions) == partitions
                and all(p.leader >= 0 for p in md.partitions.values())):
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"topic {name} not ready after {timeout}s: {md}")
        time.sleep(0.1)


def delete_topic(bootstrap, name, timeout=30):
    """Deletes a topic and waits until the broker no longer lists it."""
    admin = AdminClient({"bootstrap.servers": bootstrap})
    admin.delete_topics([name], operation_timeout=timeout)[name].result(timeout)
    deadline = time.monotonic() + timeout
    while name in admin.list_topics(timeout=5).topics:
        if time.monotonic() > deadline:
            raise TimeoutError(f"topic {name} still listed after {timeout}s")
        time.sleep(0.1)


def _encode(v):
    return v.encode() if isinstance(v, str) else v


def produce_lines(bootstrap, topic, lines, key_fn=None, partition=None, headers_fn=None,
                  producer_config=None):
    """Produces each line as one record (str is UTF-8 encoded) and waits for all acks.

    key_fn(line) gives the record key (None: no key, so librdkafka spreads records);
    partition pins every record to one partition; headers_fn(line) gives a list of
    (name, value) pairs. Returns [(partition, offset)] in produce order; raises
    KafkaException if any record was not delivered.
    """
    conf = {"bootstrap.servers": bootstrap, "acks": "all", "linger.ms": 5,
            "enable.idempotence": True}
    conf.update(producer_config or {})
    producer = Producer(conf)
    delivered, errors = [], []
    for i, line in enumerate(lines):
        delivered.append(None)

        def cb(err, msg, i=i):
            if err is not None:
                errors.append(err)
            else:
                delivered[i] = (msg.partition(), msg.offset())

        kwargs = {"value": _encode(line), "on_delivery": cb}
        key = key_fn(line) if key_fn else None
        if key is not None:
            kwargs["key"] = _encode(key)
        if partition is not None:
            kwargs["partition"] = partition
        if headers_fn:
            kwargs["headers"] = [(k, _encode(v)) for k, v in headers_fn(line)]
        while True:
            try:
                producer.produce(topic, **kwargs)
                break
            except BufferError:  # local queue full: let deliveries drain
                producer.poll(0.1)
        producer.poll(0)
    remaining = producer.flush(60)
    if errors or remaining:
        raise KafkaException(errors[0] if errors else
                             KafkaError(KafkaError._MSG_TIMED_OUT, f"{remaining} records unsent"))
    return delivered


@dataclass
class Record:
    key: bytes | None
    value: bytes | None
    headers: list = field(default_factory=list)  # [(str, bytes)]
    partition: int = 0
    offset: int = 0
    timestamp: int = 0  # ms since epoch (CreateTime unless the topic says LogAppendTime)


def consume_all(bootstrap, topic, timeout=30, expect_count=None, consumer_config=None):
    """Reads the topic from the beginning of every partition, without a consumer group.

    With expect_count: returns once that many records arrived. Without: returns once
    every partition has been read to its end. Raises TimeoutError if neither happens
    within timeout seconds. Only committed records of transactions are returned
    (librdkafka's default isolation.level=read_committed). Records come sorted by
    (partition, offset).
    """
    conf = {"bootstrap.servers": bootstrap, "group.id": f"kafka-test-support-{uuid.uuid4()}",
            "enable.auto.commit": False, "enable.partition.eof": True}
    conf.update(consumer_config or {})
    consumer = Consumer(conf)
    try:
        md = consumer.list_topics(topic, timeout=10).topics[topic]
        if md.error is not None:
            raise KafkaException(md.error)
        partitions = sorted(md.partitions)
        consumer.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in partitions])
        records, at_end = [], set()
        deadline = time.monotonic() + timeout
        while True:
            if expect_count is not None and len(records) >= expect_count:
                break
            if expect_count is None and at_end >= set(partitions):
                break
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(
                    f"consume_all({topic}): {len(records)} records after {timeout}s"
                    + (f", expected {expect_count}" if expect_count is not None else
                       f", partitions at end: {sorted(at_end)} of {partitions}"))
            msg = consumer.poll(min(left, 0.5))
            if msg is None:
                continue
            if msg.error() is not None:
                if msg.error().code() == KafkaError._PARTITION_EOF:
                    at_end.add(msg.partition())
                    continue
                raise KafkaException(msg.error())
            at_end.discard(msg.partition())
            records.append(Record(key=msg.key(), value=msg.value(), headers=msg.headers() or [],
                                  partition=msg.partition(), offset=msg.offset(),
                                  timestamp=msg.timestamp()[1]))
        records.sort(key=lambda r: (r.partition, r.offset))
        return records
    finally:
        consumer.close()


def delete_records(bootstrap, topic, offsets, timeout=30):
    """Deletes every record of `topic` below offsets[partition] (the admin API's
    DeleteRecords, which confluent_kafka 1.7 lacks: librdkafka's C API through ctypes),
    then waits until each partition's low watermark is there."""
    import ctypes
    import ctypes.util
    lib = ctypes.CDLL(ctypes.util.find_library("rdkafka") or "librdkafka.so.1")
    p = ctypes.c_void_p
    for name, res, args in (
            ("rd_kafka_conf_new", p, []),
            ("rd_kafka_conf_set", ctypes.c_int, [p, ctypes.c_char_p, ctypes.c_char_p, p,
                                                 ctypes.c_size_t]),
            ("rd_kafka_new", p, [ctypes.c_int, p, p, ctypes.c_size_t]),
            ("rd_kafka_destroy", None, [p]),
            ("rd_kafka_topic_partition_list_new", p, [ctypes.c_int]),
            ("rd_kafka_topic_partition_list_add", p, [p, ctypes.c_char_p, ctypes.c_int32]),
            ("rd_kafka_topic_partition_list_set_offset", ctypes.c_int,
             [p, ctypes.c_char_p, ctypes.c_int32, ctypes.c_int64]),
            ("rd_kafka_topic_partition_list_destroy", None, [p]),
            ("rd_kafka_DeleteRecords_new", p, [p]),
            ("rd_kafka_DeleteRecords_destroy", None, [p]),
            ("rd_kafka_queue_new", p, [p]),
            ("rd_kafka_queue_destroy", None, [p]),
            ("rd_kafka_DeleteRecords", None, [p, ctypes.POINTER(p), ctypes.c_size_t, p, p]),
            ("rd_kafka_queue_poll", p, [p, ctypes.c_int]),
            ("rd_kafka_event_error", ctypes.c_int, [p]),
            ("rd_kafka_event_error_string", ctypes.c_char_p, [p]),
            ("rd_kafka_event_destroy", None, [p])):
        fn = getattr(lib, name)
        fn.restype, fn.argtypes = res, args
    err = ctypes.create_string_buffer(512)
    conf = lib.rd_kafka_conf_new()
    assert lib.rd_kafka_conf_set(conf, b"bootstrap.servers", bootstrap.encode(), err, 512) == 0
    rk = lib.rd_kafka_new(0, conf, err, 512)
    assert rk, err.value
    try:
        tpl = lib.rd_kafka_topic_partition_list_new(len(offsets))
        for partition, offset in offsets.items():
            lib.rd_kafka_topic_partition_list_add(tpl, topic.encode(), partition)
            lib.rd_kafka_topic_partition_list_set_offset(tpl, topic.encode(), partition, offset)
        request = lib.rd_kafka_DeleteRecords_new(tpl)
        lib.rd_kafka_topic_partition_list_destroy(tpl)
        queue = lib.rd_kafka_queue_new(rk)
        lib.rd_kafka_DeleteRecords(rk, ctypes.byref(p(request)), 1, None, queue)
        lib.rd_kafka_DeleteRecords_destroy(request)
        event = lib.rd_kafka_queue_poll(queue, timeout * 1000)
        assert event, "DeleteRecords: no answer"
        code = lib.rd_kafka_event_error(event)
        detail = lib.rd_kafka_event_error_string(event)
        lib.rd_kafka_event_destroy(event)
        lib.rd_kafka_queue_destroy(queue)
        assert code == 0, f"DeleteRecords failed: {detail}"
    finally:
        lib.rd_kafka_destroy(rk)
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": f"watermarks-{uuid.uuid4()}"})
    try:
        for partition, offset in offsets.items():
            low, _ = consumer.get_watermark_offsets(TopicPartition(topic, partition), timeout=10)
            assert low >= offset, f"{topic}[{partition}] starts at {low}, not {offset}"
    finally:
        consumer.close()


_COORDINATOR_MOVING = {KafkaError.NOT_COORDINATOR, KafkaError.COORDINATOR_LOAD_IN_PROGRESS,
                       KafkaError.COORDINATOR_NOT_AVAILABLE}


def committed_offsets(bootstrap, group, topic, partitions, retry_for=30.0):
    """{partition: offset} the consumer group committed (-1001 where none). Asked again
    while the group's coordinator is moving or loading (a new group on a fresh broker)."""
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": group})
    deadline = time.monotonic() + retry_for
    try:
        while True:
            try:
                tps = consumer.committed([TopicPartition(topic, p) for p in range(partitions)],
                                         timeout=10)
                return {tp.partition: tp.offset for tp in tps}
            except KafkaException as e:
                if e.args[0].code() not in _COORDINATOR_MOVING or time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
    finally:
        consumer.close()


def end_offsets(bootstrap, topic, partitions):
    """{partition: high watermark}."""
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": f"watermarks-{uuid.uuid4()}"})
    try:
        return {p: consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=10)[1]
                for p in range(partitions)}
    finally:
        consumer.close()


def group_caught_up(bootstrap, group, topic, partitions):
    """Whether the group's committed offsets reached the topic's end on every partition
    (consumer lag can read 0 before a consumer knows the end offsets)."""
    ends = end_offsets(bootstrap, topic, partitions)
    committed = committed_offsets(bootstrap, group, topic, partitions)
    return all(committed[p] >= ends[p] for p in ends)
