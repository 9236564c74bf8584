// Who is in a consumer group and which partitions each member holds, asked of the group
// coordinator with the admin API (DescribeConsumerGroups): what standby replicas
// (app/standby_choice.h) are chosen from, since librdkafka offers no custom assignor.
//
// describe() answers the group's state and, per member, its member id, its
// group.instance.id (empty with dynamic membership) and the partitions of `topic` in its
// current assignment (empty while the group rebalances). A coordinator that does not
// answer within `timeout` is a retry error. One admin client (a producer handle that
// never produces) per describer, opened with the service's producer properties.
// Not thread-safe: one thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "connectors/kafka/kafka_events.h"
#include "connectors/kafka/kafka_properties.h"
#include "engine/status.h"

namespace segmentd {

struct GroupMember {
  std::string member_id;
  std::string instance_id;  // group.instance.id; empty: dynamic membership
  std::vector<std::int32_t> partitions;
};

struct GroupDescription {
  bool stable = false;  // no rebalance in progress
  std::vector<GroupMember> members;
};

class ConsumerGroupDescriber {
 public:
  // `events`, when given, receives the client's log lines (client "group-admin") and must
  // outlive the describer.
  static Status open(const KafkaProperties& properties, const std::string& group,
                     const std::string& topic, std::unique_ptr<ConsumerGroupDescriber>& describer,
                     KafkaClientEvents* events = nullptr);
  ~ConsumerGroupDescriber();
  ConsumerGroupDescriber(const ConsumerGroupDescriber&) = delete;
  ConsumerGroupDescriber& operator=(const ConsumerGroupDescriber&) = delete;

  Status describe(GroupDescription& description,
                  std::chrono::milliseconds timeout = std::chrono::seconds(5));

 private:
  struct Impl;
  explicit ConsumerGroupDescriber(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace segmentd
