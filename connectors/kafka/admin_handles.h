// Owning handles for librdkafka's C admin API objects (queues, events, admin options),
// shared by the modules that call the admin API (changelog_topic, consumer_group).
// Internal to connectors/kafka.
#pragma once

#include <librdkafka/rdkafka.h>

#include <memory>

namespace segmentd::admin {

template <typename T, void (*Destroy)(T*)>
struct Deleter {
  void operator()(T* p) const {
    if (p != nullptr) Destroy(p);
  }
};
using Queue = std::unique_ptr<rd_kafka_queue_t, Deleter<rd_kafka_queue_t, rd_kafka_queue_destroy>>;
using Event = std::unique_ptr<rd_kafka_event_t, Deleter<rd_kafka_event_t, rd_kafka_event_destroy>>;
using Options = std::unique_ptr<rd_kafka_AdminOptions_t,
                                Deleter<rd_kafka_AdminOptions_t, rd_kafka_AdminOptions_destroy>>;

}  // namespace segmentd::admin
