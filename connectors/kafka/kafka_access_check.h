// Start-up check of the Kafka connection settings: one short-lived client with the
// given properties asks the cluster for its brokers, bounded in time, so that settings
// the broker will never accept fail at start-up with a clear message instead of a
// silent retry loop.
//
// Fatal when the broker refuses the credentials (SASL authentication failed) or the TLS
// handshake fails (broker certificate not trusted, hostname mismatch, protocol); the
// message says which and what to check, with librdkafka's reason (which never contains
// the password). Fatal too when the properties are not valid for librdkafka. Ok when a
// broker answers, and also when none answers within `timeout`: an unreachable cluster
// may come up later, and the service waits for it.
// Blocks for at most about `timeout`. The check's client logs nothing. Thread-safe
// (each call has its own client).
#pragma once

#include <chrono>

#include "connectors/kafka/kafka_properties.h"
#include "engine/status.h"

namespace segmentd {

inline constexpr std::chrono::milliseconds kKafkaAccessCheckTimeout{10'000};

Status check_kafka_access(const KafkaProperties& properties,
                          std::chrono::milliseconds timeout = kKafkaAccessCheckTimeout);

}  // namespace segmentd
