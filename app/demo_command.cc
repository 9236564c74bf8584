#include "app/demo_command.h"

#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <thread>

#include "app/command_config.h"
#include "app/demo_feeder.h"
#include "app/demo_view.h"
#include "app/http_options.h"
#include "app/log.h"
#include "app/run_job.h"
#include "app/service_metrics.h"
#include "app/stop_signal.h"
#include "connectors/kafka/changelog_topic.h"
#include "connectors/kafka/mock_cluster.h"
#include "observability/http_server.h"
#include "observability/standard_metrics.h"

namespace segmentd {

namespace {

// The demo's own defaults, before the user's --set: a fresh state dir of its own, and
// no idle advance (the generated history lies in the past; following the wall clock
// would age every member to `lost` the moment a partition is caught up).
std::vector<std::string> demo_settings(const std::string& state_dir,
                                       const std::vector<std::string>& user_sets) {
  // The tour shows every segment family and member action (SPEC 5.5-5.7) unless --set
  // says otherwise.
  std::vector<std::string> sets = {"state.dir=" + state_dir, "time.idle_delay=36500d",
                                   "processing.commit_interval=1s",
                                   "families.enabled=lifecycle,rfm,quadrant,tier,value",
                                   "actions.enabled=follow_up,replenish,birthday"};
  sets.insert(sets.end(), user_sets.begin(), user_sets.end());
  return sets;
}

// Stops the service once the feed is done and every record has been read.
void watch_for_end(DemoFeeder& feeder, const DemoView& view, std::atomic<bool>& stop) {
  while (!stop.load()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    if (feeder.done() && view.records_read() >= feeder.produced() && view.lag() == 0) {
      std::this_thread::sleep_for(std::chrono::seconds(2));  // let the last commit happen
      stop.store(true);
    }
  }
  feeder.cancel();
}

}  // namespace

CLI::App* add_demo_command(CLI::App& app, DemoCommandLine& line) {
  CLI::App* demo = app.add_subcommand("demo", "A live tour on an embedded Kafka cluster");
  demo->footer(
      "A live tour with nothing to install: starts an embedded Kafka-protocol cluster in\n"
      "this process, generates a realistic purchase history (regulars, one-off buyers,\n"
      "churners, refunds, late, duplicate and broken events), streams it in at --rate\n"
      "events/s and runs the service on it. The terminal shows members per segment and\n"
      "transitions per second; metrics are on http.listen (default 127.0.0.1:9464).");
  demo->add_option("--members", line.feed.members, "Members in the generated history")
      ->capture_default_str();
  demo->add_option("--events", line.feed.events, "Events to stream")->capture_default_str();
  demo->add_option("--rate", line.feed.events_per_second, "Events per second")
      ->capture_default_str();
  demo->add_option("--partitions", line.partitions, "Partitions of the input topic")
      ->capture_default_str();
  demo->add_option("--set", line.sets, "Override one setting, KEY=VALUE (repeatable)")
      ->type_name("KEY=VALUE");
  return demo;
}

int run_demo_command(const DemoCommandLine& line) {
  std::unique_ptr<MockKafkaCluster> cluster;
  Status s = MockKafkaCluster::start(1, cluster);
  if (!s.is_ok()) {
    std::fprintf(stderr, "segmentd demo: %s\n", s.message().c_str());
    return 1;
  }
  const std::string state_dir =
      (std::filesystem::temp_directory_path() / ("segmentd-demo-" + std::to_string(::getpid())))
          .string();
  std::vector<std::string> sets = demo_settings(state_dir, line.sets);
  sets.push_back("kafka.bootstrap.servers=" + cluster->bootstrap_servers());
  const std::optional<SegmentdConfig> loaded = load_command_config("demo", "", sets);
  if (!loaded) return 2;
  const SegmentdConfig& config = *loaded;
  // The changelog too: the mock cluster would create it on first use with its default
  // partition count, which need not be the input's.
  std::vector<std::pair<std::string, int>> topics = {
      {config.input.topic, line.partitions},
      {changelog_topic_name(config.application_id), line.partitions},
      {config.output.topic, 1},
      {config.output.dlq_topic, 1}};
  for (const OutputRoute& route : config.output.routes) topics.emplace_back(route.topic, 1);
  if (config.engine.enabled_actions.any()) topics.emplace_back(config.output.actions_topic, 1);
  for (const auto& [topic, partitions] : topics) {
    s = cluster->create_topic(topic, partitions);
    if (!s.is_ok()) {
      std::fprintf(stderr, "segmentd demo: %s\n", s.message().c_str());
      return 1;
    }
  }

  MetricsRegistry registry;
  Readiness readiness;
  const auto standard_metrics =
      add_standard_metrics(registry, readiness, SEGMENTD_VERSION, SEGMENTD_REVISION);
  ServiceMetrics metrics(registry, readiness);
  readiness.set_stall_limit(std::chrono::seconds(10));
  HttpServerOptions http_options;
  s = http_server_options(config, http_options);
  if (!s.is_ok()) {
    std::fprintf(stderr, "segmentd demo: %s\n", s.message().c_str());
    return 1;
  }
  MemberQueries queries;
  http_options.member_lookup = [&queries](const std::string& member_id) {
    return queries.ask(member_id, std::chrono::seconds(5));
  };
  HttpServer http(std::move(http_options), registry, readiness);
  s = http.start();
  if (!s.is_ok()) {
    std::fprintf(stderr,
                 "segmentd demo: metrics endpoint: %s (choose another port with --set "
                 "http.listen=127.0.0.1:9465)\n",
                 s.message().c_str());
    return 1;
  }
  std::printf(
      "segmentd demo: %u members, %llu events at %llu events/s into %d partitions\n"
      "metrics: http://%s:%u/metrics   (Ctrl-C stops)\n\n",
      line.feed.members, static_cast<unsigned long long>(line.feed.events),
      static_cast<unsigned long long>(line.feed.events_per_second), line.partitions,
      config.http.host.c_str(), static_cast<unsigned>(http.port()));

  log::set_quiet(true);
  DemoFeed feed = line.feed;
  feed.events_per_second = std::max<std::uint64_t>(1, feed.events_per_second);
  feed.topic = config.input.topic;
  feed.producer_properties = producer_properties(config.kafka_properties);
  DemoFeeder feeder(std::move(feed));
  DemoView view(metrics, stdout, isatty(STDOUT_FILENO) != 0);
  feeder.start();
  std::atomic<bool>& stop_requested = stop_on_termination_signals();
  std::thread watcher([&] { watch_for_end(feeder, view, stop_requested); });
  s = run_service(config, view, stop_requested, &queries, true);
  queries.close();
  stop_requested.store(true);
  watcher.join();
  feeder.join();
  http.stop();
  std::error_code ignored;
  std::filesystem::remove_all(state_dir, ignored);
  std::printf("\n");
  view.draw_final();
  if (!s.is_ok() || !feeder.status().is_ok()) {
    std::fprintf(stderr, "segmentd demo: %s\n",
                 (!s.is_ok() ? s : feeder.status()).message().c_str());
    return 1;
  }
  return 0;
}

}  // namespace segmentd
