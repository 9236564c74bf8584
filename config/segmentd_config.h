// The typed configuration of one segmentd process (SPEC 9), one small option struct per
// concern. Produced only by load_config() (config/config_loader.h), which fills every
// field from the option registry's defaults, the TOML file, the environment and --set;
// a default-constructed SegmentdConfig is not a valid configuration.
// Plain values; thread-safe to share read-only.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "engine/engine_options.h"
#include "engine/units.h"

namespace segmentd {

struct InputOptions {
  std::string topic;                // input.topic
  std::uint32_t max_event_bytes{};  // input.max_event_bytes
  DurationMs max_future_skew{};     // input.max_future_skew (live mode only)
};

// A transition of `family` into label `to_label` also goes to `topic`; with `instead`
// it goes there instead of output.topic (SPEC 3.1).
struct OutputRoute {
  std::string family;
  std::string to_label;
  std::string topic;
  bool instead = false;
  bool operator==(const OutputRoute&) const = default;
};

struct OutputOptions {
  std::string topic;                // output.topic
  std::string dlq_topic;            // output.dlq_topic
  std::string actions_topic;        // output.actions_topic (member actions, SPEC 5.7)
  std::vector<OutputRoute> routes;  // output.routes, in the order configured
};

struct TimeOptions {
  DurationMs idle_delay{};  // time.idle_delay (allowed_lateness, utc_offset: EngineOptions)
};

enum class DeliveryGuarantee : std::uint8_t { at_least_once, exactly_once };

struct ProcessingOptions {
  DeliveryGuarantee guarantee{};  // processing.guarantee
  DurationMs commit_interval{};   // processing.commit_interval
  int standby_replicas{};         // processing.standby_replicas
};

struct ReplayOptions {
  std::uint64_t commit_events{};  // replay.commit_events
};

struct StateOptions {
  std::string dir;                     // state.dir
  bool dir_explicitly_set = false;     // state.dir came from the file, environment or --set
  std::uint64_t cache_bytes{};         // state.cache_size
  std::uint64_t write_buffer_bytes{};  // state.write_buffer_size
  bool changelog = true;               // state.changelog
  DurationMs restore_timeout{};        // state.restore_timeout
};

struct HttpOptions {
  std::string host;  // without IPv6 brackets: "::1"
  std::uint16_t port{};
  bool operator==(const HttpOptions&) const = default;
};

struct SegmentdConfig {
  std::string application_id;  // application.id
  EngineOptions engine;        // time.allowed_lateness, time.utc_offset, lifecycle.*, dedupe.*
  InputOptions input;
  OutputOptions output;
  TimeOptions time;
  ProcessingOptions processing;
  ReplayOptions replay;
  StateOptions state;
  HttpOptions http;                  // http.listen
  std::string http_auth_token_file;  // http.auth_token_file; empty: no token asked
  // kafka.<property> = value, passed unchanged to librdkafka; sorted by property name
  // (without the "kafka." prefix).
  std::vector<std::pair<std::string, std::string>> kafka_properties;
};

}  // namespace segmentd
