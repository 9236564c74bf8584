#include "app/run_command.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>

#include "app/command_config.h"
#include "app/http_options.h"
#include "app/log.h"
#include "app/run_job.h"
#include "app/service_metrics.h"
#include "app/stop_signal.h"
#include "config/config_report.h"
#include "observability/http_server.h"
#include "observability/standard_metrics.h"

namespace segmentd {

namespace {

constexpr const char* kRunDescription =
    "Run the segmentation service: read purchase events from Kafka (input.topic), keep\n"
    "each member's state in RocksDB (state.dir), and publish every segment change to\n"
    "Kafka (output.topic, plus output.routes); invalid events go to output.dlq_topic.\n\n"
    "Several instances with the same application.id share the input partitions.\n"
    "Metrics, /healthz and /readyz are served on http.listen. SIGTERM or Ctrl-C stops\n"
    "fetching, finishes and commits the work in hand, and exits 0.\n\n"
    "Kafka client settings are passed through as kafka.<property>, e.g.\n"
    "  segmentd run --set kafka.bootstrap.servers=broker:9092\n"
    "Credentials (kafka.sasl.password, ...) belong in the config file or the environment\n"
    "(SEGMENTD_KAFKA__SASL__PASSWORD), never on the command line.";

// How long the processing loop may go without a turn before /readyz says so.
constexpr auto kStallLimit = std::chrono::seconds(10);
// How long GET /members/{id} waits for the processing loop (a commit may hold it).
constexpr auto kMemberQueryTimeout = std::chrono::seconds(5);

bool has_bootstrap_servers(const SegmentdConfig& config) {
  return std::any_of(
      config.kafka_properties.begin(), config.kafka_properties.end(), [](const auto& p) {
        return (p.first == "bootstrap.servers" || p.first == "metadata.broker.list") &&
               p.second.find_first_not_of(" ,") != std::string::npos;
      });
}

}  // namespace

CLI::App* add_run_command(CLI::App& app, RunCommandLine& line) {
  CLI::App* run = app.add_subcommand("run", "Run the service: Kafka in, Kafka out");
  run->footer(kRunDescription);
  run->add_option("--config", line.config_file, "TOML configuration file");
  run->add_option("--set", line.sets, "Override one setting, KEY=VALUE (repeatable)")
      ->type_name("KEY=VALUE");
  return run;
}

int run_run_command(const RunCommandLine& line) {
  const std::optional<SegmentdConfig> loaded =
      load_command_config("run", line.config_file, line.sets);
  if (!loaded) return 2;
  const SegmentdConfig& config = *loaded;
  if (!has_bootstrap_servers(config)) {
    log::error("config_invalid",
               {{"detail",
                 "kafka.bootstrap.servers is not set: segmentd run needs the Kafka brokers, "
                 "e.g. --set kafka.bootstrap.servers=broker:9092"}});
    return 2;
  }
  for (const std::string& setting : describe_effective_config(config)) {
    log::info("config", {{"setting", setting}});
  }

  MetricsRegistry registry;
  Readiness readiness;
  const auto standard_metrics =
      add_standard_metrics(registry, readiness, SEGMENTD_VERSION, SEGMENTD_REVISION);
  ServiceMetrics metrics(registry, readiness, config.engine.families);
  readiness.set_stall_limit(kStallLimit);
  HttpServerOptions http_options;
  Status s = http_server_options(config, http_options);
  if (!s.is_ok()) {
    log::error("http_failed", {{"detail", s.message()}});
    return 1;
  }
  MemberQueries queries;
  http_options.member_lookup = [&queries](const std::string& member_id) {
    return queries.ask(member_id, kMemberQueryTimeout);
  };
  HttpServer http(std::move(http_options), registry, readiness);
  s = http.start();
  if (!s.is_ok()) {
    log::error("http_failed", {{"detail", s.message()}});
    return 1;
  }
  log::info("http_listening", {{"port", std::to_string(http.port())}});

  s = run_service(config, metrics, stop_on_termination_signals(), &queries);
  queries.close();
  http.stop();
  if (!s.is_ok()) {
    log::error("service_failed", {{"detail", s.message()}});
    return 1;
  }
  log::info("service_stopped");
  return 0;
}

}  // namespace segmentd
