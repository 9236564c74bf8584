#!/usr/bin/env python3
"""Against a real broker, the state changelog topic `<application.id>-state-changelog`:
created by segmentd with the input's partition count, cleanup.policy=compact and
min.compaction.lag.ms=3600000; one with another partition count, or not compacted, stops
the start with exit 1 and a message saying what is wrong; a corrupt changelog record
of a finished commit stops the restore with exit 1, naming topic, partition and offset."""
import sys
import tempfile
from pathlib import Path

from confluent_kafka.admin import AdminClient, ConfigResource

from kafka_test_support import Broker, consume_all, create_topic, produce_lines
from segmentd_service import Service, create_service_topics, generate, member_key

PARTITIONS = 4
SETTINGS = ["time.idle_delay=36500d", "kafka.session.timeout.ms=6000"]


def refused(bootstrap, state_dir, group, expected_detail):
    svc = Service(bootstrap, state_dir, SETTINGS, group=group).start()
    _, detail = svc.wait_failed(90)
    assert expected_detail in detail, f"expected {expected_detail!r}:\n{svc.tail()}"
    return detail


def topic_config(bootstrap, topic):
    admin = AdminClient({"bootstrap.servers": bootstrap})
    resource = ConfigResource(ConfigResource.Type.TOPIC, topic)
    configs = admin.describe_configs([resource])[resource].result(30)
    partitions = len(admin.list_topics(topic, timeout=10).topics[topic].partitions)
    return partitions, {k: v.value for k, v in configs.items()}


def main():
    with tempfile.TemporaryDirectory(prefix="segmentd-it-") as tmp, Broker() as bootstrap:
        tmp = Path(tmp)
        create_service_topics(bootstrap, PARTITIONS)

        create_topic(bootstrap, "wrong-count-state-changelog", 2, {"cleanup.policy": "compact"})
        detail = refused(bootstrap, tmp / "s1", "wrong-count",
                         "the state changelog topic wrong-count-state-changelog has 2 "
                         "partitions but the input topic has 4")
        print("wrong partition count:", detail)

        create_topic(bootstrap, "not-compacted-state-changelog", PARTITIONS,
                     {"cleanup.policy": "delete"})
        detail = refused(bootstrap, tmp / "s2", "not-compacted",
                         "has cleanup.policy=delete but must be compacted")
        print("not compacted:", detail)

        lines = generate(tmp / "events.jsonl", members=300, events=2000, seed=3)
        produce_lines(bootstrap, "purchases", lines, key_fn=member_key)
        svc = Service(bootstrap, tmp / "s3", SETTINGS, group="corrupt").start()
        svc.wait_until(lambda m: m.total("segmentd_events_consumed_total") >= len(lines)
                       and m.caught_up(), 90, "the input to be read")
        svc.stop()
        partitions, config = topic_config(bootstrap, "corrupt-state-changelog")
        assert partitions == PARTITIONS, partitions
        assert config["cleanup.policy"] == "compact", config["cleanup.policy"]
        assert config["min.compaction.lag.ms"] == "3600000", config["min.compaction.lag.ms"]
        # A corrupt member record, then a copy of the partition's last checkpoint record,
        # so that the corrupt one belongs to a finished commit and is applied.
        changelog = [r for r in consume_all(bootstrap, "corrupt-state-changelog")
                     if r.partition == 1]
        checkpoint = [r for r in changelog if r.key == b"c"][-1]
        placed = produce_lines(bootstrap, "corrupt-state-changelog",
                               [b"\x7fnot a member", checkpoint.value],
                               key_fn=lambda v: "c" if v == checkpoint.value else "mm-1",
                               partition=1)
        detail = refused(bootstrap, tmp / "s4", "corrupt",
                         f"state changelog corrupt-state-changelog partition 1 offset "
                         f"{placed[0][1]} is corrupt: member 'm-1'")
        print("corrupt record:", detail)
        print("ok")


if __name__ == "__main__":
    sys.exit(main())
