// `segmentd run`'s service loop (run_job.h) against librdkafka's mock cluster, for the
// faults a real broker cannot be made to produce on demand: exactly once, a transactional
// producer that fails fatally (INVALID_TXN_STATE on ending a transaction, as librdkafka
// reports after a long broker outage) is replaced and its transaction's work redone; the
// service goes on instead of stopping. (The mock cluster does not hide aborted records
// from read_committed consumers: exactly-once output is proved against a real broker, in
// the integration tests.) A fenced producer still stops it.
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "app/command_config.h"
#include "app/demo_feeder.h"
#include "app/run_job.h"
#include "connectors/kafka/changelog_topic.h"
#include "connectors/kafka/kafka_properties.h"
#include "connectors/kafka/mock_cluster.h"
#include "support/temp_dir.h"

namespace segmentd {
namespace {

// Counts what the service loop reports (it runs on another thread).
class CountingObserver final : public RunObserver {
 public:
  void partition_restored(const PartitionFigures&) override { ++restores; }
  void publish(const std::vector<PartitionFigures>&, const StoreFigures&) override {}
  void partitions_revoked(const std::vector<std::int32_t>&) override {}
  void record_read() override { ++records_read; }
  void transition_acknowledged(std::chrono::nanoseconds) override {}
  void committed(std::chrono::nanoseconds) override { ++commits; }
  void commit_paused(std::chrono::nanoseconds) override {}
  void set_readiness(const std::optional<std::string>&) override {}
  void heartbeat() override {}

  std::atomic<std::uint64_t> records_read = 0;
  std::atomic<std::uint64_t> commits = 0;
  std::atomic<std::uint64_t> restores = 0;  // partitions restored: assigned or rewound
};

// Waits until `done()` or `seconds` passed; returns done().
template <typename Done>
bool wait_for(Done&& done, int seconds) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (!done() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return done();
}

// The service, exactly once, on a mock cluster of its own, with a feed of generated
// purchases (6,000 events at 2,000 events/s) into its two input partitions.
class ExactlyOnceService {
 public:
  ExactlyOnceService() {
    REQUIRE(MockKafkaCluster::start(1, cluster).is_ok());
    const std::optional<SegmentdConfig> loaded = load_command_config(
        "run", "",
        {"kafka.bootstrap.servers=" + cluster->bootstrap_servers(),
         "state.dir=" + state.path.string(), "processing.guarantee=exactly_once",
         "processing.commit_interval=100ms", "time.idle_delay=36500d"});
    REQUIRE(loaded);
    config = *loaded;
    for (const auto& [topic, partitions] : {std::pair{config.input.topic, 2},
                                            {changelog_topic_name(config.application_id), 2},
                                            {config.output.topic, 1},
                                            {config.output.dlq_topic, 1}}) {
      REQUIRE(cluster->create_topic(topic, partitions).is_ok());
    }
    DemoFeed feed;
    feed.members = 200;
    feed.events = 6'000;
    feed.events_per_second = 2'000;
    feed.topic = config.input.topic;
    feed.producer_properties = producer_properties(config.kafka_properties);
    feeder = std::make_unique<DemoFeeder>(std::move(feed));
  }
  ~ExactlyOnceService() { finish(); }

  // Starts the feed and the service.
  void start() {
    feeder->start();
    service = std::thread([this] {
      outcome = run_service(config, observer, stop, nullptr, true);
      ended = true;
    });
  }
  // Stops the service (if it still runs) and the feed.
  void finish() {
    stop = true;
    if (service.joinable()) service.join();
    feeder->join();
  }
  std::string figures() const {
    return outcome.message() + "; records read " + std::to_string(observer.records_read) + " of " +
           std::to_string(feeder->produced()) + ", partitions restored " +
           std::to_string(observer.restores) + ", commits " + std::to_string(observer.commits);
  }

  std::unique_ptr<MockKafkaCluster> cluster;
  testing::TempDir state;
  SegmentdConfig config;
  std::unique_ptr<DemoFeeder> feeder;
  CountingObserver observer;
  std::atomic<bool> stop = false;
  std::atomic<bool> ended = false;  // run_service returned
  Status outcome = Status::ok();    // read once `ended`
  std::thread service;
};

TEST_CASE("run: exactly once, a failed transactional producer is replaced and the service goes on",
          "[run]") {
  ExactlyOnceService run;
  // The first transaction to end (the first with records or offsets in it) fails
  // fatally, while the feed goes on.
  run.cluster->fail_transaction_ends(1, false);
  run.start();
  // The streams rewound (restored again from the last commit), every record read, and
  // commits after that. (The mock cluster's changelog keeps the aborted transaction's
  // records, so the rewind restores them too and reads no input again.)
  const bool finished = wait_for(
      [&] {
        return run.observer.restores > 2 && run.feeder->done() &&
               run.observer.records_read >= run.feeder->produced() && run.observer.commits > 5;
      },
      60);
  run.finish();
  INFO(run.figures());
  CHECK(run.outcome.is_ok());
  CHECK(finished);
  CHECK(run.feeder->status().is_ok());
}

TEST_CASE("run: exactly once, a fenced producer stops the service", "[run]") {
  ExactlyOnceService run;
  run.start();
  // Fenced once the service reads purchases (a transaction before that may hold only
  // changelog checkpoints: under a sanitizer on a loaded machine the first records are
  // fetched seconds after the partitions are restored).
  REQUIRE(wait_for([&] { return run.observer.records_read > 0; }, 60));
  run.cluster->fail_transaction_ends(1, true);
  const bool stopped = wait_for([&] { return run.ended.load(); }, 60);
  run.finish();
  INFO(run.figures());
  CHECK(stopped);
  CHECK(run.outcome.kind() == ErrorKind::fatal);
  CHECK(run.outcome.message().find("fenced") != std::string::npos);
}

}  // namespace
}  // namespace segmentd
