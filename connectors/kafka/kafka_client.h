// Shared helpers of the Kafka connectors: an RdKafka::Conf from properties, a producer.
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

// A producer with `properties` whose delivery reports go to `reports` (which must
// outlive it).
Status make_producer(const KafkaProperties& properties, RdKafka::DeliveryReportCb& reports,
                     std::unique_ptr<RdKafka::Producer>& producer);

}  // namespace segmentd
