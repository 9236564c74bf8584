#include "config/option_registry.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <string>

#include "config/value_text.h"

namespace segmentd {
namespace {

// store_field/load_field convert between a field of SegmentdConfig and an OptionValue
// that the option's kind has already checked (ranges included), so the casts are exact.
void store_field(std::string& field, const OptionValue& v) { field = std::get<std::string>(v); }
void store_field(DurationMs& field, const OptionValue& v) { field.ms = std::get<std::int64_t>(v); }
void store_field(HttpOptions& field, const OptionValue& v) { field = std::get<HttpOptions>(v); }
void store_field(std::vector<OutputRoute>& field, const OptionValue& v) {
  field = std::get<std::vector<OutputRoute>>(v);
}
template <class Number>
void store_field(Number& field, const OptionValue& v) {
  field = static_cast<Number>(std::get<std::int64_t>(v));
}

OptionValue load_field(const std::string& field) { return field; }
OptionValue load_field(DurationMs field) { return field.ms; }
OptionValue load_field(const HttpOptions& field) { return field; }
OptionValue load_field(const std::vector<OutputRoute>& field) { return field; }
template <class Number>
OptionValue load_field(Number field) {
  return static_cast<std::int64_t>(field);
}

// bind<&SegmentdConfig::a, &A::b>() binds the field config.a.b.
template <auto... path>
constexpr OptionBinding bind() {
  return {[](SegmentdConfig& c, const OptionValue& v) { store_field((c.*....*path), v); },
          [](const SegmentdConfig& c) { return load_field((c.*....*path)); }};
}

using C = SegmentdConfig;
using K = OptionKind;
using L = LifecycleRules;
constexpr std::int64_t kDay = DurationMs::days(1).ms;
constexpr std::int64_t kMaxDuration = 36'500 * kDay;  // a century: far from int64 limits
constexpr std::int64_t kMiB = std::int64_t{1} << 20;
constexpr std::int64_t kUtcOffsetLimit = DurationMs::hours(14).ms;
constexpr std::array<std::string_view, 2> kGuarantees = {"at_least_once", "exactly_once"};
static_assert(static_cast<int>(DeliveryGuarantee::exactly_once) == 1);  // kGuarantees order

// One row per option: key, kind, default, min, max, choices, binding, doc.
// clang-format off
const std::array<OptionSpec, 21> kOptions = {{
    {"application.id", K::identifier, "segmentd", 1, 200, {},
     bind<&C::application_id>(),
     "Consumer group id, prefix of internal topics, CloudEvents source"},
    {"input.topic", K::topic, "purchases", 0, 0, {},
     bind<&C::input, &InputOptions::topic>(), "Topic the purchase events are read from"},
    {"input.max_event_bytes", K::integer, "65536", 1, 16'777'216, {},
     bind<&C::input, &InputOptions::max_event_bytes>(),
     "Largest event value accepted; larger ones go to the DLQ as too_large"},
    {"input.max_future_skew", K::duration, "1d", 0, kMaxDuration, {},
     bind<&C::input, &InputOptions::max_future_skew>(),
     "Live mode: events further ahead of the wall clock go to the DLQ as future_timestamp"},
    {"output.topic", K::topic, "member-transitions", 0, 0, {},
     bind<&C::output, &OutputOptions::topic>(), "Topic every transition is written to"},
    {"output.dlq_topic", K::topic, "purchases.dlq", 0, 0, {},
     bind<&C::output, &OutputOptions::dlq_topic>(), "Dead-letter topic for rejected events"},
    {"output.routes", K::route_list, "", 0, 0, {},
     bind<&C::output, &OutputOptions::routes>(),
     "Extra (family, to) routes: to a topic as well as output.topic, or instead of it"},
    {"time.allowed_lateness", K::duration, "1h", 0, kMaxDuration, {},
     bind<&C::engine, &EngineOptions::allowed_lateness>(),
     "How far each stream's clock trails the newest event time"},
    {"time.idle_delay", K::duration, "5m", 0, kMaxDuration, {},
     bind<&C::time, &TimeOptions::idle_delay>(),
     "How far a caught-up partition's clock trails the wall clock"},
    {"time.utc_offset", K::utc_offset, "+00:00", -kUtcOffsetLimit, kUtcOffsetLimit, {},
     bind<&C::engine, &EngineOptions::utc_offset>(),
     "Where calendar days start, for rolling windows"},
    {"lifecycle.dormant_after", K::duration, "90d", 1, kMaxDuration, {},
     bind<&C::engine, &EngineOptions::lifecycle, &L::dormant_after>(),
     "Silence after which a member is dormant"},
    {"lifecycle.lost_after", K::duration, "180d", 1, kMaxDuration, {},
     bind<&C::engine, &EngineOptions::lifecycle, &L::lost_after>(),
     "Silence after which a member is lost; must exceed lifecycle.dormant_after"},
    {"lifecycle.at_risk_min_purchases", K::integer, "3", 2, 1'000'000, {},
     bind<&C::engine, &EngineOptions::lifecycle, &L::at_risk_min_purchases>(),
     "Purchases a member needs before it can become at_risk"},
    {"lifecycle.at_risk_min_days", K::duration, "14d", 0, kMaxDuration, {},
     bind<&C::engine, &EngineOptions::lifecycle, &L::at_risk_min_days>(),
     "Shortest silence that makes a member at_risk"},
    {"lifecycle.at_risk_factor", K::decimal, "2.0", 1, 1'000'000, {},
     bind<&C::engine, &EngineOptions::lifecycle, &L::at_risk_factor_thousandths>(),
     "at_risk after this many times the member's mean interval between purchases"},
    {"dedupe.window", K::integer, "32", 1, 1024, {},
     bind<&C::engine, &EngineOptions::dedupe_window>(),
     "Event ids remembered per member to drop duplicates"},
    {"processing.guarantee", K::enumeration, "at_least_once", 0, 0, kGuarantees,
     bind<&C::processing, &ProcessingOptions::guarantee>(),
     "Delivery guarantee; exactly_once is refused until it is implemented"},
    {"processing.commit_interval", K::duration, "1s", 1, kMaxDuration, {},
     bind<&C::processing, &ProcessingOptions::commit_interval>(),
     "How often state, timers and input position are committed together"},
    {"state.dir", K::text, "./segmentd-state", 1, 4096, {},
     bind<&C::state, &StateOptions::dir>(), "RocksDB directory for member state"},
    {"state.cache_size", K::byte_size, "256MiB", kMiB, 1024 * 1024 * kMiB, {},
     bind<&C::state, &StateOptions::cache_bytes>(),
     "Memory budget for member state kept in memory"},
    {"http.listen", K::host_port, "127.0.0.1:9464", 0, 0, {},
     bind<&C::http>(), "Address of the metrics, health and admin HTTP endpoint"},
}};
// clang-format on

constexpr std::array<std::string_view, 3> kSecretKeys = {
    "kafka.sasl.jaas.config", "kafka.sasl.oauthbearer.config", "kafka.ssl.key.pem"};

}  // namespace

std::span<const OptionSpec> option_registry() { return kOptions; }

const OptionSpec* find_option(std::string_view key) {
  const auto it = std::ranges::find(kOptions, key, &OptionSpec::key);
  return it == kOptions.end() ? nullptr : &*it;
}

void mark_explicitly_set(const OptionSpec& spec, SegmentdConfig& config) {
  if (spec.key == "state.dir") config.state.dir_explicitly_set = true;
}

std::vector<std::string> option_relation_problems(const SegmentdConfig& config) {
  std::vector<std::string> problems;
  const LifecycleRules& rules = config.engine.lifecycle;
  if (!(rules.lost_after > rules.dormant_after)) {
    problems.push_back("lifecycle.lost_after (" + format_duration(rules.lost_after.ms) +
                       ") must be greater than lifecycle.dormant_after (" +
                       format_duration(rules.dormant_after.ms) +
                       "): no member could ever be dormant");
  }
  if (config.processing.guarantee == DeliveryGuarantee::exactly_once) {
    problems.push_back(
        "processing.guarantee = exactly_once is not implemented yet: Kafka transactions are "
        "not used, so it cannot be honoured; use at_least_once (the default)");
  }
  return problems;
}

bool is_kafka_property(std::string_view key) {
  return key.size() > kKafkaPrefix.size() && key.starts_with(kKafkaPrefix);
}

bool is_secret_key(std::string_view key) {
  std::string lower(key);
  std::ranges::transform(lower, lower.begin(),
                         [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return lower.find("password") != std::string::npos || lower.find("secret") != std::string::npos ||
         std::ranges::count(kSecretKeys, lower) > 0;
}

}  // namespace segmentd
