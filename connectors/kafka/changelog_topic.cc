#include "connectors/kafka/changelog_topic.h"

#include <librdkafka/rdkafka.h>

#include <memory>
#include <optional>
#include <string_view>
#include <thread>

#include "connectors/kafka/admin_handles.h"
#include "connectors/kafka/kafka_client.h"

namespace segmentd {

namespace {

constexpr const char* kMinCompactionLagMs = "3600000";

using admin::Event;
using admin::Options;
using admin::Queue;

Options admin_options(rd_kafka_t* rk, rd_kafka_admin_op_t op, std::chrono::milliseconds timeout) {
  Options options(rd_kafka_AdminOptions_new(rk, op));
  char error[256];
  rd_kafka_AdminOptions_set_request_timeout(options.get(), static_cast<int>(timeout.count()), error,
                                            sizeof error);
  rd_kafka_AdminOptions_set_operation_timeout(options.get(), static_cast<int>(timeout.count()),
                                              error, sizeof error);
  return options;
}

Event wait_for(rd_kafka_queue_t* queue, std::chrono::milliseconds timeout) {
  return Event(rd_kafka_queue_poll(queue, static_cast<int>(timeout.count()) + 1000));
}

// nullopt: the topic does not exist (or the broker did not answer: `error` says so).
std::optional<std::int32_t> partition_count(rd_kafka_t* rk, const std::string& topic,
                                            std::chrono::milliseconds timeout, std::string& error) {
  rd_kafka_topic_t* handle = rd_kafka_topic_new(rk, topic.c_str(), nullptr);
  const rd_kafka_metadata_t* metadata = nullptr;
  const rd_kafka_resp_err_t err =
      rd_kafka_metadata(rk, 0, handle, &metadata, static_cast<int>(timeout.count()));
  rd_kafka_topic_destroy(handle);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    error = rd_kafka_err2str(err);
    return std::nullopt;
  }
  std::optional<std::int32_t> count;
  for (int i = 0; i < metadata->topic_cnt; ++i) {
    const rd_kafka_metadata_topic_t& t = metadata->topics[i];
    if (topic == t.topic && t.err == RD_KAFKA_RESP_ERR_NO_ERROR && t.partition_cnt > 0) {
      count = t.partition_cnt;
    }
  }
  rd_kafka_metadata_destroy(metadata);
  return count;
}

Status create(rd_kafka_t* rk, const std::string& topic, std::int32_t partitions,
              std::chrono::milliseconds timeout) {
  char error[512];
  rd_kafka_NewTopic_t* new_topic =
      rd_kafka_NewTopic_new(topic.c_str(), partitions, -1, error, sizeof error);
  if (new_topic == nullptr) return Status::fatal("creating " + topic + ": " + error);
  rd_kafka_NewTopic_set_config(new_topic, "cleanup.policy", "compact");
  rd_kafka_NewTopic_set_config(new_topic, "min.compaction.lag.ms", kMinCompactionLagMs);
  Queue queue(rd_kafka_queue_new(rk));
  const Options options = admin_options(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS, timeout);
  rd_kafka_CreateTopics(rk, &new_topic, 1, options.get(), queue.get());
  rd_kafka_NewTopic_destroy(new_topic);
  const Event event = wait_for(queue.get(), timeout);
  if (!event) return Status::error(ErrorKind::retry, "creating " + topic + ": no answer");
  if (rd_kafka_event_error(event.get()) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Status::fatal("creating " + topic + ": " + rd_kafka_event_error_string(event.get()));
  }
  size_t count = 0;
  const rd_kafka_topic_result_t** results =
      rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(event.get()), &count);
  for (size_t i = 0; i < count; ++i) {
    const rd_kafka_resp_err_t err = rd_kafka_topic_result_error(results[i]);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR && err != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
      const char* why = rd_kafka_topic_result_error_string(results[i]);
      return Status::fatal("creating " + topic + ": " + (why ? why : rd_kafka_err2str(err)));
    }
  }
  return Status::ok();
}

Status cleanup_policy(rd_kafka_t* rk, const std::string& topic, std::chrono::milliseconds timeout,
                      std::string& policy) {
  rd_kafka_ConfigResource_t* resource =
      rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, topic.c_str());
  Queue queue(rd_kafka_queue_new(rk));
  const Options options = admin_options(rk, RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS, timeout);
  rd_kafka_DescribeConfigs(rk, &resource, 1, options.get(), queue.get());
  rd_kafka_ConfigResource_destroy(resource);
  const Event event = wait_for(queue.get(), timeout);
  const std::string what = "describing the configuration of " + topic;
  if (!event) return Status::error(ErrorKind::retry, what + ": no answer");
  if (rd_kafka_event_error(event.get()) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Status::fatal(what + ": " + rd_kafka_event_error_string(event.get()));
  }
  size_t count = 0;
  const rd_kafka_ConfigResource_t** resources = rd_kafka_DescribeConfigs_result_resources(
      rd_kafka_event_DescribeConfigs_result(event.get()), &count);
  for (size_t i = 0; i < count; ++i) {
    if (rd_kafka_ConfigResource_error(resources[i]) != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return Status::fatal(what + ": " + rd_kafka_ConfigResource_error_string(resources[i]));
    }
    size_t entries = 0;
    const rd_kafka_ConfigEntry_t** configs =
        rd_kafka_ConfigResource_configs(resources[i], &entries);
    for (size_t j = 0; j < entries; ++j) {
      if (std::string_view(rd_kafka_ConfigEntry_name(configs[j])) == "cleanup.policy") {
        const char* value = rd_kafka_ConfigEntry_value(configs[j]);
        policy = value != nullptr ? value : "";
        return Status::ok();
      }
    }
  }
  return Status::fatal(what + ": the broker did not report its cleanup.policy");
}

}  // namespace

std::string changelog_topic_name(const std::string& application_id) {
  return application_id + "-state-changelog";
}

Status ensure_changelog_topic(const KafkaProperties& properties, const std::string& topic,
                              std::int32_t partitions, KafkaClientEvents* events, bool check_policy,
                              std::chrono::milliseconds timeout) {
  std::unique_ptr<RdKafka::Conf> conf;
  Status s = make_kafka_conf(properties, conf);
  if (!s.is_ok()) return s;
  std::unique_ptr<LogRelay> relay;  // outlives the client
  if (events != nullptr) {
    relay = std::make_unique<LogRelay>("admin", *events);
    s = relay->attach(*conf);
    if (!s.is_ok()) return s;
  }
  std::string error;
  const std::unique_ptr<RdKafka::Producer> client(RdKafka::Producer::create(conf.get(), error));
  if (!client) return Status::fatal("kafka admin client: " + error);
  rd_kafka_t* rk = client->c_ptr();
  std::optional<std::int32_t> existing = partition_count(rk, topic, timeout, error);
  if (!existing) {
    s = create(rk, topic, partitions, timeout);
    if (!s.is_ok()) return s;
    // The new topic's metadata reaches every broker a moment later.
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!(existing = partition_count(rk, topic, timeout, error)) &&
           std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    if (!existing) return Status::fatal("created " + topic + " but it does not show: " + error);
  }
  const std::string fix =
      " (delete it, and every instance's state.dir or none, so that it is created again, "
      "or choose another application.id)";
  if (*existing != partitions) {
    return Status::fatal("the state changelog topic " + topic + " has " +
                         std::to_string(*existing) + " partitions but the input topic has " +
                         std::to_string(partitions) + fix);
  }
  if (!check_policy) return Status::ok();
  std::string policy;
  s = cleanup_policy(rk, topic, timeout, policy);
  if (!s.is_ok()) return s;
  if (policy != "compact") {
    return Status::fatal("the state changelog topic " + topic + " has cleanup.policy=" + policy +
                         " but must be compacted (cleanup.policy=compact: a deleted record "
                         "would be lost state); set it with kafka-configs.sh --alter");
  }
  return Status::ok();
}

}  // namespace segmentd
