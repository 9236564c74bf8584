// Shared helpers of the Kafka connectors: an RdKafka::Conf from properties, a producer,
// and the relay of librdkafka's events to a KafkaClientEvents. Internal to
// connectors/kafka (includes librdkafka). Pure apart from librdkafka calls.
#pragma once

#include <librdkafka/rdkafkacpp.h>

#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "connectors/kafka/kafka_events.h"
#include "connectors/kafka/kafka_properties.h"
#include "engine/status.h"

namespace segmentd {

// Fills `conf` with every property; the error names the property (never its value, which
// may be a credential).
Status make_kafka_conf(const KafkaProperties& properties, std::unique_ptr<RdKafka::Conf>& conf);

// librdkafka's logs, errors and statistics of one client, passed on to `events` as
// kafka_events.h describes. With `down_from_stats` (for a client that is always
// connected, like a group consumer), statistics without any broker up also count as
// unreachable. Must outlive the client.
class EventRelay final : public RdKafka::EventCb {
 public:
  EventRelay(std::string client, KafkaClientEvents& events, bool down_from_stats = false)
      : client_(std::move(client)), events_(events), down_from_stats_(down_from_stats) {}
  void event_cb(RdKafka::Event& event) override;

 private:
  void set_reachable(bool reachable, const std::string& detail);
  std::string last_connect_failure();

  std::string client_;
  KafkaClientEvents& events_;
  bool down_from_stats_;
  std::optional<bool> reachable_;  // polling thread only
  std::mutex failure_mutex_;       // guards last_connect_failure_ (set on the log thread)
  std::string last_connect_failure_;
};

// For a client used now and then (the changelog reader, an admin client): its log lines
// and errors go to `events` as log lines (connection failures at info level); it says
// nothing about reachability, which the always-connected clients report. Must outlive
// the client.
class LogRelay final : public RdKafka::EventCb {
 public:
  LogRelay(std::string client, KafkaClientEvents& events)
      : client_(std::move(client)), events_(events) {}
  void event_cb(RdKafka::Event& event) override;
  // Sets `conf`'s event callback to this relay.
  Status attach(RdKafka::Conf& conf);

 private:
  std::string client_;
  KafkaClientEvents& events_;
};

// Routes the client's events through `relay` and turns statistics on (every second,
// unless statistics.interval.ms is configured other than 0): they tell when a broker
// is reachable again.
Status attach_events(RdKafka::Conf& conf, const KafkaProperties& properties, EventRelay& relay);

// A producer with `properties` whose delivery reports go to `reports` and events to
// `relay` when given (both must outlive it).
Status make_producer(const KafkaProperties& properties, RdKafka::DeliveryReportCb& reports,
                     std::unique_ptr<RdKafka::Producer>& producer, EventRelay* relay = nullptr);

}  // namespace segmentd
