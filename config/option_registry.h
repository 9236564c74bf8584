// Every configuration option, declared once (STYLE 7): key, kind, default, range, a
// one-line doc, and where its value lands in SegmentdConfig. The loader, the effective
// configuration description and the generated reference (docs/CONFIGURATION.md) all
// read this table, the one place options are declared.
//
// `kafka.<property>` is not in the table: it is a pass-through family whose values go
// to librdkafka as text. Immutable after static initialisation; thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "config/segmentd_config.h"

namespace segmentd {

enum class OptionKind : std::uint8_t {
  text,          // any non-empty string
  identifier,    // [A-Za-z0-9._-], length in [min, max]
  topic,         // a Kafka topic name (is_topic_name)
  integer,       // decimal digits, value in [min, max]
  duration,      // "250ms", "30s", "5m", "1h", "90d"; milliseconds in [min, max]
  byte_size,     // "1048576", "512KiB", "256MiB", "2GiB"; bytes in [min, max]
  decimal,       // "2.0", at most 3 fractional digits; thousandths in [min, max]
  enumeration,   // one of `choices`; the value is the choice's index
  utc_offset,    // "+HH:MM" or "-HH:MM"; milliseconds in [min, max]
  host_port,     // "host:port", "[::1]:port"; port 1..65535
  route_list,    // "family/to=topic[;instead]", comma-separated or a TOML array
  name_set,      // names from `choices`: ["a","b"], a,b or a TOML array; the value is a bit set
  duration_map,  // {name="21d", ...}, name=21d,... or a TOML table; durations in [min, max]
  boolean,       // true or false (a TOML boolean or the text); the value is 1 or 0
};

// A checked value. Numbers are in the kind's unit (count, ms, bytes, thousandths, index).
using DurationMap = std::vector<std::pair<std::string, std::int64_t>>;  // sorted by name
using OptionValue =
    std::variant<std::int64_t, std::string, HttpOptions, std::vector<OutputRoute>, DurationMap>;

// Where an option's value lives in SegmentdConfig.
struct OptionBinding {
  void (*store)(SegmentdConfig& config, const OptionValue& value);
  OptionValue (*load)(const SegmentdConfig& config);
};

struct OptionSpec {
  std::string_view key;
  OptionKind kind;
  std::string_view default_text;  // written as a user would; parsed like any other source
  std::int64_t min;               // inclusive bounds in the kind's unit; 0 where the kind has
  std::int64_t max;               // fixed rules (topic, enumeration, host_port, route_list)
  std::span<const std::string_view> choices;  // enumeration and name_set only
  OptionBinding binding;
  std::string_view doc;
};

// Every option, in documentation order.
std::span<const OptionSpec> option_registry();

// The option named `key`, or nullptr (also for kafka.<property> keys).
const OptionSpec* find_option(std::string_view key);

inline constexpr std::string_view kKafkaPrefix = "kafka.";

// True for "kafka.<property>" with a non-empty property.
bool is_kafka_property(std::string_view key);

// Records in `config` that `spec` was set by the file, environment or --set rather
// than defaulted, for the options that keep track (state.dir).
void mark_explicitly_set(const OptionSpec& spec, SegmentdConfig& config);

// Problems between options that are each valid alone, e.g. lost_after <= dormant_after.
std::vector<std::string> option_relation_problems(const SegmentdConfig& config);

// Keys whose values are credentials, in any letter case: never accepted from --set,
// masked in descriptions.
bool is_secret_key(std::string_view key);

}  // namespace segmentd
