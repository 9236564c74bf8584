#include "connectors/kafka/mock_cluster.h"

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <cstdint>

namespace segmentd {

struct MockKafkaCluster::Impl {
  rd_kafka_t* host = nullptr;  // the client handle the mock cluster lives in
  rd_kafka_mock_cluster_t* cluster = nullptr;
  int brokers = 0;
  ~Impl() {
    if (cluster != nullptr) rd_kafka_mock_cluster_destroy(cluster);
    if (host != nullptr) rd_kafka_destroy(host);
  }
};

MockKafkaCluster::MockKafkaCluster(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
MockKafkaCluster::~MockKafkaCluster() = default;

Status MockKafkaCluster::start(int brokers, std::unique_ptr<MockKafkaCluster>& cluster) {
  auto impl = std::make_unique<Impl>();
  impl->brokers = brokers;
  char error[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "log_level", "3", error, sizeof error);
  impl->host = rd_kafka_new(RD_KAFKA_PRODUCER, conf, error, sizeof error);
  if (impl->host == nullptr) {
    rd_kafka_conf_destroy(conf);
    return Status::fatal(std::string("mock cluster: ") + error);
  }
  impl->cluster = rd_kafka_mock_cluster_new(impl->host, brokers);
  if (impl->cluster == nullptr) return Status::fatal("mock cluster: cannot start");
  cluster.reset(new MockKafkaCluster(std::move(impl)));
  return Status::ok();
}

std::string MockKafkaCluster::bootstrap_servers() const {
  return rd_kafka_mock_cluster_bootstraps(impl_->cluster);
}

Status MockKafkaCluster::create_topic(const std::string& name, int partitions) {
  const rd_kafka_resp_err_t err =
      rd_kafka_mock_topic_create(impl_->cluster, name.c_str(), partitions, 1);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Status::fatal("mock cluster: create topic " + name + ": " + rd_kafka_err2str(err));
  }
  return Status::ok();
}

void MockKafkaCluster::fail_produce_requests(std::size_t count) {
  constexpr std::int16_t kProduceRequest = 0;
  for (std::size_t i = 0; i < count; ++i) {
    rd_kafka_mock_push_request_errors(impl_->cluster, kProduceRequest, 1,
                                      RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED);
  }
}

void MockKafkaCluster::fail_transaction_ends(std::size_t count, bool fenced) {
  constexpr std::int16_t kEndTxnRequest = 26;
  for (std::size_t i = 0; i < count; ++i) {
    rd_kafka_mock_push_request_errors(
        impl_->cluster, kEndTxnRequest, 1,
        fenced ? RD_KAFKA_RESP_ERR_PRODUCER_FENCED : RD_KAFKA_RESP_ERR_INVALID_TXN_STATE);
  }
}

void MockKafkaCluster::set_brokers_up(bool up) {
  for (std::int32_t id = 1; id <= impl_->brokers; ++id) {
    if (up) {
      rd_kafka_mock_broker_set_up(impl_->cluster, id);
    } else {
      rd_kafka_mock_broker_set_down(impl_->cluster, id);
    }
  }
}

}  // namespace segmentd
