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
void store_field(Money& field, const OptionValue& v) {
  field.thousandths = std::get<std::int64_t>(v);
}
void store_field(FamilySelection& field, const OptionValue& v) {
  field.bits = static_cast<std::uint8_t>(std::get<std::int64_t>(v));
}
void store_field(ActionSelection& field, const OptionValue& v) {
  field.bits = static_cast<std::uint8_t>(std::get<std::int64_t>(v));
}
void store_field(std::vector<std::pair<std::string, DurationMs>>& field, const OptionValue& v) {
  field.clear();
  for (const auto& [name, ms] : std::get<DurationMap>(v)) field.emplace_back(name, DurationMs{ms});
}
template <class Number>
void store_field(Number& field, const OptionValue& v) {
  field = static_cast<Number>(std::get<std::int64_t>(v));
}

OptionValue load_field(const std::string& field) { return field; }
OptionValue load_field(DurationMs field) { return field.ms; }
OptionValue load_field(const HttpOptions& field) { return field; }
OptionValue load_field(const std::vector<OutputRoute>& field) { return field; }
OptionValue load_field(Money field) { return field.thousandths; }
OptionValue load_field(FamilySelection field) { return std::int64_t{field.bits}; }
OptionValue load_field(ActionSelection field) { return std::int64_t{field.bits}; }
OptionValue load_field(const std::vector<std::pair<std::string, DurationMs>>& field) {
  DurationMap map;
  for (const auto& [name, d] : field) map.emplace_back(name, d.ms);
  return map;
}
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
constexpr std::array<std::string_view, 5> kFamilies = {"lifecycle", "rfm", "quadrant", "tier",
                                                       "value"};  // FamilyId order
constexpr std::array<std::string_view, 3> kActions = {"birthday", "follow_up",
                                                      "replenish"};  // ActionKind order
constexpr std::array<std::string_view, 2> kThresholds = {"fixed", "median"};
constexpr std::int64_t kMaxWindow = 366;
constexpr std::int64_t kMaxPercent = 100'000;  // thousandths of a percent
using E = EngineOptions;
static_assert(static_cast<int>(DeliveryGuarantee::exactly_once) == 1);  // kGuarantees order

// One row per option: key, kind, default, min, max, choices, binding, doc.
// clang-format off
const std::array<OptionSpec, 47> kOptions = {{
    {"application.id", K::identifier, "segmentd", 1, 200, {},
     bind<&C::application_id>(),
     "Consumer group id, prefix of internal topics (the state changelog <id>-state-changelog), CloudEvents source"},
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
    {"output.actions_topic", K::topic, "member-actions", 0, 0, {},
     bind<&C::output, &OutputOptions::actions_topic>(),
     "Topic member actions are written to (when actions.enabled lists any)"},
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
    {"families.enabled", K::name_set, "[\"lifecycle\"]", 0, 0, kFamilies,
     bind<&C::engine, &E::families>(),
     "Segment families that run (SPEC 5.5), emitted in the order lifecycle, rfm, quadrant, tier, value"},
    {"rfm.silent_after", K::duration, "30d", 1, kMaxDuration, {},
     bind<&C::engine, &E::rfm, &RfmRules::silent_after>(), "rfm: silence after which R is silent"},
    {"rfm.sleeping_after", K::duration, "90d", 1, kMaxDuration, {},
     bind<&C::engine, &E::rfm, &RfmRules::sleeping_after>(),
     "rfm: silence after which R is sleeping; above rfm.silent_after"},
    {"rfm.lost_after", K::duration, "180d", 1, kMaxDuration, {},
     bind<&C::engine, &E::rfm, &RfmRules::lost_after>(),
     "rfm: silence after which R is lost; above rfm.sleeping_after"},
    {"rfm.fan_min_purchases", K::integer, "5", 3, 1'000'000, {},
     bind<&C::engine, &E::rfm, &RfmRules::fan_min_purchases>(),
     "rfm: purchases that make F fan (repeat is 3 up to this minus 1)"},
    {"quadrant.window", K::integer, "365", 1, kMaxWindow, {},
     bind<&C::engine, &E::quadrant, &QuadrantRules::window_days>(),
     "quadrant: calendar days of the frequency and monetary window"},
    {"quadrant.thresholds", K::enumeration, "fixed", 0, 0, kThresholds,
     bind<&C::engine, &E::quadrant, &QuadrantRules::median>(),
     "quadrant: fixed F* and M*, or the population medians (a ranked family, daily sweep)"},
    {"quadrant.min_purchases", K::integer, "4", 1, 1'000'000, {},
     bind<&C::engine, &E::quadrant, &QuadrantRules::min_purchases>(),
     "quadrant (fixed): purchases in the window that make F high"},
    {"quadrant.min_amount", K::decimal, "1000.0", 0, 1'000'000'000'000'000, {},
     bind<&C::engine, &E::quadrant, &QuadrantRules::min_amount>(),
     "quadrant (fixed): net amount in the window that makes M high"},
    {"tier.window", K::integer, "365", 1, kMaxWindow, {},
     bind<&C::engine, &E::tier, &TierRules::window_days>(),
     "tier: calendar days of the spend window"},
    {"tier.vip", K::decimal, "1.0", 1, kMaxPercent, {},
     bind<&C::engine, &E::tier, &TierRules::vip>(), "tier: top percentage that is vip"},
    {"tier.major", K::decimal, "5.0", 1, kMaxPercent, {},
     bind<&C::engine, &E::tier, &TierRules::major>(),
     "tier: cumulative top percentage that is vip or major; above tier.vip"},
    {"tier.regular", K::decimal, "20.0", 1, kMaxPercent, {},
     bind<&C::engine, &E::tier, &TierRules::regular>(),
     "tier: cumulative top percentage that is not small; above tier.major"},
    {"value.window", K::integer, "365", 1, kMaxWindow, {},
     bind<&C::engine, &E::value, &ValueRules::window_days>(),
     "value: calendar days of the frequency, spend and ticket window"},
    {"value.sleeping_after", K::duration, "180d", 1, kMaxDuration, {},
     bind<&C::engine, &E::value, &ValueRules::sleeping_after>(),
     "value: silence after which a member is sleeping"},
    {"actions.enabled", K::name_set, "[]", 0, 0, kActions,
     bind<&C::engine, &E::enabled_actions>(), "Member actions that run (SPEC 5.7)"},
    {"actions.replenish_lead", K::duration, "3d", 0, kMaxDuration, {},
     bind<&C::engine, &E::actions, &ActionRules::replenish_lead>(),
     "replenish: how long before the expected repurchase the reminder is due"},
    {"actions.replenish_cycles", K::duration_map, "{}", 1, kMaxDuration, {},
     bind<&C::engine, &E::actions, &ActionRules::replenish_cycles>(),
     "replenish: category -> cycle for members with one purchase of it"},
    {"actions.birthday_lead", K::duration, "7d", 0, kMaxDuration, {},
     bind<&C::engine, &E::actions, &ActionRules::birthday_lead>(),
     "birthday: how long before the birthday (local 00:00) the reminder is due"},
    {"dedupe.window", K::integer, "32", 1, 1024, {},
     bind<&C::engine, &EngineOptions::dedupe_window>(),
     "Event ids remembered per member to drop duplicates"},
    {"processing.guarantee", K::enumeration, "at_least_once", 0, 0, kGuarantees,
     bind<&C::processing, &ProcessingOptions::guarantee>(),
     "Delivery guarantee of `segmentd run`; exactly_once uses Kafka transactions (README)"},
    {"processing.commit_interval", K::duration, "1s", 1, kMaxDuration, {},
     bind<&C::processing, &ProcessingOptions::commit_interval>(),
     "How often state, timers and input position are committed together (each partition "
     "once per interval; at least once, the partitions take turns spread over the "
     "interval)"},
    {"processing.standby_replicas", K::integer, "0", 0, 16, {},
     bind<&C::processing, &ProcessingOptions::standby_replicas>(),
     "Other instances that keep a warm copy of each partition by tailing its state "
     "changelog, so a takeover by one of them needs no full restore (README Scale-out); "
     "needs at least standby_replicas + 1 instances"},
    {"replay.commit_events", K::integer, "100000", 1, 1'000'000'000, {},
     bind<&C::replay, &ReplayOptions::commit_events>(),
     "`segmentd replay`: input lines between commits, sooner when the cached members exceed "
     "state.cache_size or the changed members' records reach 16 MiB (by the work done, not "
     "time: the same replay commits as often however fast it runs)"},
    {"state.dir", K::text, "./segmentd-state", 1, 4096, {},
     bind<&C::state, &StateOptions::dir>(), "RocksDB directory for member state"},
    {"state.cache_size", K::byte_size, "320MiB", kMiB, 1024 * 1024 * kMiB, {},
     bind<&C::state, &StateOptions::cache_bytes>(),
     "Memory budget for member state kept in memory: what the cached members really hold on "
     "the heap (decoded about 0.5-1.5 KB each, growing with their days of activity and dedupe "
     "ring); past it the least recently used are held encoded (their record bytes), then "
     "dropped and read back from RocksDB when needed. A million members with every family "
     "need about 384MiB to stay in memory (docs/PERFORMANCE.md)"},
    {"state.write_buffer_size", K::byte_size, "64MiB", 64 * 1024, 4 * 1024 * kMiB, {},
     bind<&C::state, &StateOptions::write_buffer_bytes>(),
     "RocksDB memtable of the member records (up to two in memory while one is written "
     "out): larger means fewer compactions. `segmentd replay` writes its state without "
     "RocksDB's write-ahead log, so a replay killed (SIGKILL, power loss) resumes from its "
     "last commit written out: at most this much of member records is done again"},
    {"state.changelog", K::boolean, "true", 0, 1, {},
     bind<&C::state, &StateOptions::changelog>(),
     "`segmentd run`: write each commit's state to the compacted topic "
     "<application.id>-state-changelog and restore moved partitions from it; false: no "
     "changelog topic, a partition without local state starts at the input's earliest "
     "retained offset (README, Scale-out)"},
    {"state.restore_timeout", K::duration, "1m", 1000, kMaxDuration, {},
     bind<&C::state, &StateOptions::restore_timeout>(),
     "`segmentd run`: how long a restore from the state changelog (or a standby replica) "
     "waits for the broker: the partition's offsets unanswered, or no record while records "
     "remain, for this long fails the restore (the service exits 1; a standby retries)"},
    {"http.listen", K::host_port, "127.0.0.1:9464", 0, 0, {},
     bind<&C::http>(), "Address of the metrics, health and admin HTTP endpoint"},
    {"http.auth_token_file", K::text, "", 0, 4096, {},
     bind<&C::http_auth_token_file>(),
     "File holding the bearer token HTTP clients must send (all but /healthz, /readyz)"},
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

namespace {

// "<a> (<va>) must be greater than <b> (<vb>)<why>" unless va > vb.
void require_greater(std::vector<std::string>& problems, std::string_view a, std::int64_t va,
                     std::string_view b, std::int64_t vb, std::string (*format)(std::int64_t),
                     std::string_view why) {
  if (va > vb) return;
  problems.push_back(std::string(a) + " (" + format(va) + ") must be greater than " +
                     std::string(b) + " (" + format(vb) + ")" + std::string(why));
}

}  // namespace

std::vector<std::string> option_relation_problems(const SegmentdConfig& config) {
  std::vector<std::string> problems;
  const EngineOptions& e = config.engine;
  require_greater(problems, "lifecycle.lost_after", e.lifecycle.lost_after.ms,
                  "lifecycle.dormant_after", e.lifecycle.dormant_after.ms, format_duration,
                  ": no member could ever be dormant");
  require_greater(problems, "rfm.sleeping_after", e.rfm.sleeping_after.ms, "rfm.silent_after",
                  e.rfm.silent_after.ms, format_duration, ": the R bounds must increase");
  require_greater(problems, "rfm.lost_after", e.rfm.lost_after.ms, "rfm.sleeping_after",
                  e.rfm.sleeping_after.ms, format_duration, ": the R bounds must increase");
  require_greater(problems, "tier.major", e.tier.major, "tier.vip", e.tier.vip, format_thousandths,
                  ": the tier percentages are cumulative");
  require_greater(problems, "tier.regular", e.tier.regular, "tier.major", e.tier.major,
                  format_thousandths, ": the tier percentages are cumulative");
  if (config.processing.standby_replicas > 0 && !config.state.changelog) {
    problems.push_back("processing.standby_replicas (" +
                       std::to_string(config.processing.standby_replicas) +
                       ") needs state.changelog = true: standby replicas tail the changelog");
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
