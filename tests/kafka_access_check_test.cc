// The start-up access check against librdkafka's mock cluster and against nothing: a
// reachable cluster passes at once, an unreachable one passes once the bounded wait is
// over, settings librdkafka refuses are fatal. (Refused SASL credentials and untrusted
// certificates need a real broker: tests/integration/test_sasl_ssl.py.)
#include "connectors/kafka/kafka_access_check.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <memory>

#include "connectors/kafka/mock_cluster.h"

namespace segmentd {
namespace {

using SteadyClock = std::chrono::steady_clock;
using std::chrono::milliseconds;

std::unique_ptr<MockKafkaCluster> mock_cluster() {
  std::unique_ptr<MockKafkaCluster> cluster;
  REQUIRE(MockKafkaCluster::start(1, cluster).is_ok());
  return cluster;
}

}  // namespace

TEST_CASE("kafka: the access check passes as soon as the cluster answers") {
  const auto cluster = mock_cluster();
  const auto started = SteadyClock::now();
  const Status s =
      check_kafka_access({{"bootstrap.servers", cluster->bootstrap_servers()}}, milliseconds(5000));
  CHECK(s.is_ok());
  CHECK(SteadyClock::now() - started < milliseconds(4000));
}

TEST_CASE("kafka: an unreachable cluster passes the access check after the bounded wait") {
  const auto started = SteadyClock::now();
  const Status s = check_kafka_access(
      {{"bootstrap.servers", "127.0.0.1:1"}, {"reconnect.backoff.ms", "10"}}, milliseconds(600));
  const auto took = SteadyClock::now() - started;
  CHECK(s.is_ok());
  CHECK(took >= milliseconds(600));
  CHECK(took < milliseconds(3000));
}

TEST_CASE("kafka: a property librdkafka refuses fails the access check, naming it") {
  const Status s = check_kafka_access(
      {{"bootstrap.servers", "127.0.0.1:1"}, {"no.such.property", "1"}}, milliseconds(100));
  REQUIRE_FALSE(s.is_ok());
  CHECK(s.kind() == ErrorKind::fatal);
  CHECK(s.message().find("kafka.no.such.property") != std::string::npos);
}

}  // namespace segmentd
