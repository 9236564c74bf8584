#include "connectors/kafka/consumer_group.h"

#include <librdkafka/rdkafka.h>

#include <algorithm>

#include "connectors/kafka/admin_handles.h"
#include "connectors/kafka/kafka_client.h"

namespace segmentd {

namespace {

using admin::Event;
using admin::Options;
using admin::Queue;

std::string text(const char* s) { return s != nullptr ? s : ""; }

}  // namespace

struct ConsumerGroupDescriber::Impl {
  std::unique_ptr<LogRelay> relay;  // declared first: outlives the client
  std::string group;
  std::string topic;
  std::unique_ptr<RdKafka::Producer> client;
};

ConsumerGroupDescriber::ConsumerGroupDescriber(std::unique_ptr<Impl> impl)
    : impl_(std::move(impl)) {}

ConsumerGroupDescriber::~ConsumerGroupDescriber() = default;

Status ConsumerGroupDescriber::open(const KafkaProperties& properties, const std::string& group,
                                    const std::string& topic,
                                    std::unique_ptr<ConsumerGroupDescriber>& describer,
                                    KafkaClientEvents* events) {
  auto impl = std::make_unique<Impl>();
  impl->group = group;
  impl->topic = topic;
  std::unique_ptr<RdKafka::Conf> conf;
  Status s = make_kafka_conf(properties, conf);
  if (!s.is_ok()) return s;
  if (events != nullptr) {
    impl->relay = std::make_unique<LogRelay>("group-admin", *events);
    s = impl->relay->attach(*conf);
    if (!s.is_ok()) return s;
  }
  std::string error;
  impl->client.reset(RdKafka::Producer::create(conf.get(), error));
  if (!impl->client) return Status::fatal("kafka group admin client: " + error);
  describer.reset(new ConsumerGroupDescriber(std::move(impl)));
  return Status::ok();
}

Status ConsumerGroupDescriber::describe(GroupDescription& description,
                                        std::chrono::milliseconds timeout) {
  rd_kafka_t* rk = impl_->client->c_ptr();
  const std::string what = "describing consumer group " + impl_->group;
  Options options(rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_DESCRIBECONSUMERGROUPS));
  char error[256];
  if (rd_kafka_AdminOptions_set_request_timeout(options.get(), static_cast<int>(timeout.count()),
                                                error,
                                                sizeof error) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Status::fatal(what + ": " + error);
  }
  Queue queue(rd_kafka_queue_new(rk));
  const char* groups[] = {impl_->group.c_str()};
  rd_kafka_DescribeConsumerGroups(rk, groups, 1, options.get(), queue.get());
  const Event event(rd_kafka_queue_poll(queue.get(), static_cast<int>(timeout.count()) + 1000));
  if (!event) return Status::error(ErrorKind::retry, what + ": no answer");
  if (rd_kafka_event_error(event.get()) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Status::error(ErrorKind::retry, what + ": " + rd_kafka_event_error_string(event.get()));
  }
  size_t count = 0;
  const rd_kafka_ConsumerGroupDescription_t** results =
      rd_kafka_DescribeConsumerGroups_result_groups(
          rd_kafka_event_DescribeConsumerGroups_result(event.get()), &count);
  if (count != 1) return Status::error(ErrorKind::retry, what + ": no description");
  const rd_kafka_ConsumerGroupDescription_t* group = results[0];
  if (const rd_kafka_error_t* e = rd_kafka_ConsumerGroupDescription_error(group)) {
    return Status::error(ErrorKind::retry, what + ": " + rd_kafka_error_string(e));
  }
  description = GroupDescription{};
  description.stable =
      rd_kafka_ConsumerGroupDescription_state(group) == RD_KAFKA_CONSUMER_GROUP_STATE_STABLE;
  const size_t members = rd_kafka_ConsumerGroupDescription_member_count(group);
  for (size_t i = 0; i < members; ++i) {
    const rd_kafka_MemberDescription_t* m = rd_kafka_ConsumerGroupDescription_member(group, i);
    GroupMember member{text(rd_kafka_MemberDescription_consumer_id(m)),
                       text(rd_kafka_MemberDescription_group_instance_id(m)),
                       {}};
    const rd_kafka_MemberAssignment_t* assignment = rd_kafka_MemberDescription_assignment(m);
    const rd_kafka_topic_partition_list_t* partitions =
        assignment != nullptr ? rd_kafka_MemberAssignment_partitions(assignment) : nullptr;
    for (int j = 0; partitions != nullptr && j < partitions->cnt; ++j) {
      if (impl_->topic == partitions->elems[j].topic) {
        member.partitions.push_back(partitions->elems[j].partition);
      }
    }
    std::sort(member.partitions.begin(), member.partitions.end());
    description.members.push_back(std::move(member));
  }
  return Status::ok();
}

}  // namespace segmentd
