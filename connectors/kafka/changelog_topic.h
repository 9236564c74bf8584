// The state changelog topic of `segmentd run` (SPEC 7): `<application.id>-state-changelog`,
// one partition per input partition (changelog partition p holds input partition p's
// state), compacted, so it keeps each member's latest record however old.
//
// ensure_changelog_topic() creates it when missing: cleanup.policy=compact,
// min.compaction.lag.ms=1 h (records of a commit that never finished are rewritten by
// the next owner's first commit, well within that time, before compaction could make
// them a member's latest record), the broker's default replication factor. One that
// exists with another partition count, or a cleanup.policy other than compact (delete
// would drop state with age), is refused with a fatal error saying what to do.
// `events` (may be null) gets the admin client's log lines (client "admin").
// Blocking (admin requests); thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "connectors/kafka/kafka_events.h"
#include "connectors/kafka/kafka_properties.h"
#include "engine/status.h"

namespace segmentd {

std::string changelog_topic_name(const std::string& application_id);

// `check_policy` false: the cleanup.policy is not asked for (librdkafka's mock cluster,
// which has neither DescribeConfigs nor compaction).
Status ensure_changelog_topic(const KafkaProperties& properties, const std::string& topic,
                              std::int32_t partitions, KafkaClientEvents* events,
                              bool check_policy = true,
                              std::chrono::milliseconds timeout = std::chrono::seconds(30));

}  // namespace segmentd
