// Readiness of `segmentd run` alone: the conditions ServiceHealth combines, the stall
// check of Readiness' loop heartbeat, the static membership id kept in the state dir and
// its place among the consumer properties.
#include "app/service_health.h"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <map>
#include <string>

#include "app/group_instance_id.h"
#include "connectors/kafka/kafka_properties.h"
#include "observability/readiness.h"

namespace segmentd {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST_CASE("health: a partition restoring from the changelog is named until it is done") {
  ServiceHealth health;
  health.set_restoring(7);
  CHECK(health.not_ready_reason() == "restoring partition 7");
  health.set_restoring(std::nullopt);
  CHECK(health.not_ready_reason() == "partitions not assigned");
  health.set_assigned(true);
  CHECK_FALSE(health.not_ready_reason());
}

TEST_CASE("health: ready only when assigned, brokers reachable and commits succeed") {
  ServiceHealth health;
  CHECK(health.not_ready_reason() == "partitions not assigned");
  health.set_assigned(true);
  CHECK_FALSE(health.not_ready_reason());

  health.set_reachable("producer", false);
  CHECK(health.not_ready_reason() == "kafka broker unreachable");
  health.set_reachable("consumer", false);
  health.set_reachable("producer", true);
  CHECK(health.brokers_unreachable());  // the consumer still reaches none
  health.set_reachable("consumer", true);
  CHECK_FALSE(health.brokers_unreachable());
  CHECK_FALSE(health.not_ready_reason());

  health.set_store_failing(true);
  health.set_reachable("consumer", false);
  CHECK(health.not_ready_reason() == "state store commits failing");
  health.set_store_failing(false);
  health.set_reachable("consumer", true);
  CHECK_FALSE(health.not_ready_reason());
}

TEST_CASE("readiness: a loop that stops beating makes the process not ready until it beats") {
  Readiness readiness;
  const auto t0 = Readiness::Clock::now();
  readiness.set_ready();
  CHECK_FALSE(readiness.not_ready_reason(t0 + seconds(60)));  // no stall limit yet

  readiness.set_stall_limit(seconds(10), t0);
  CHECK_FALSE(readiness.not_ready_reason(t0 + seconds(9)));
  CHECK(readiness.not_ready_reason(t0 + seconds(11)) == "processing stalled");
  readiness.beat(t0 + seconds(11));
  CHECK_FALSE(readiness.not_ready_reason(t0 + seconds(12)));

  readiness.set_not_ready("kafka broker unreachable");  // an explicit reason comes first
  CHECK(readiness.not_ready_reason(t0 + seconds(30)) == "kafka broker unreachable");
}

TEST_CASE("static membership: the instance id is kept in the state dir and differs between dirs") {
  const auto base = std::filesystem::temp_directory_path() /
                    ("segmentd-instance-id-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(base / "a");
  std::filesystem::create_directories(base / "b");
  std::string first, again, other;
  REQUIRE(group_instance_id((base / "a").string(), first).is_ok());
  REQUIRE(group_instance_id((base / "a").string(), again).is_ok());
  REQUIRE(group_instance_id((base / "b").string(), other).is_ok());
  CHECK(first.rfind("segmentd-", 0) == 0);
  CHECK(first == again);
  CHECK(first != other);
  std::filesystem::remove_all(base);

  const auto defaulted = consumer_properties({}, "g", first);
  CHECK(std::map<std::string, std::string>(defaulted.begin(), defaulted.end())
            .at("group.instance.id") == first);
  const auto chosen = consumer_properties({{"group.instance.id", "pod-0"}}, "g", first);
  CHECK(std::map<std::string, std::string>(chosen.begin(), chosen.end()).at("group.instance.id") ==
        "pod-0");
  const auto off = consumer_properties({{"group.instance.id", ""}}, "g", first);
  CHECK(std::map<std::string, std::string>(off.begin(), off.end()).count("group.instance.id") == 0);
}

}  // namespace
}  // namespace segmentd
