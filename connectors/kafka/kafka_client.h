// Shared helpers of the Kafka connectors: building an RdKafka::Conf from properties.
// Internal to connectors/kafka (includes librdkafka). Pure apart from librdkafka calls.
#pragma once

#include <librdkafka/rdkafkacpp.h>

#include <memory>

#include "connectors/kafka/kafka_properties.h"
#include "engine/status.h"

namespace segmentd {

// Fills `conf` with every property; the error names the property (never its value, which
// may be a credential).
Status make_kafka_conf(const KafkaProperties& properties, std::unique_ptr<RdKafka::Conf>& conf);

}  // namespace segmentd
