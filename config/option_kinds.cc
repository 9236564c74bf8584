#include "config/option_kinds.h"

#include <array>

#include "config/list_values.h"
#include "config/routes.h"
#include "config/value_text.h"

namespace segmentd {
namespace {

using Form = RawValue::Form;
using Parsed = std::optional<OptionValue>;

constexpr unsigned bit(Form form) { return 1U << static_cast<unsigned>(form); }
constexpr unsigned kText = bit(Form::text);
constexpr unsigned kNumber = kText | bit(Form::integer);
constexpr unsigned kDecimal = kNumber | bit(Form::decimal);
constexpr unsigned kList = kText | bit(Form::list);
constexpr unsigned kBoolean = kText | bit(Form::boolean);

bool in_range(const OptionSpec& spec, std::int64_t value) {
  return value >= spec.min && value <= spec.max;
}

// A number from `parse`, if it lies within the spec's range.
Parsed ranged(const OptionSpec& spec, std::optional<std::int64_t> number) {
  if (!number || !in_range(spec, *number)) return std::nullopt;
  return *number;
}

Parsed parse_string(const OptionSpec& spec, const std::string& text, bool valid) {
  if (!valid || !in_range(spec, static_cast<std::int64_t>(text.size()))) return std::nullopt;
  return text;
}

Parsed parse_choice(const OptionSpec& spec, const std::string& text) {
  for (std::size_t i = 0; i < spec.choices.size(); ++i) {
    if (spec.choices[i] == text) return static_cast<std::int64_t>(i);
  }
  return std::nullopt;
}

std::string join_choices(const OptionSpec& spec) {
  std::string out;
  for (const auto choice : spec.choices) out += (out.empty() ? "" : ", ") + std::string(choice);
  return out;
}

std::string format_routes(const std::vector<OutputRoute>& routes) {
  std::string out;
  for (const auto& route : routes) out += (out.empty() ? "" : ",") + format_route(route);
  return out;
}

// A bit set of the choices named in `names`; nullopt if one is not a choice.
std::optional<std::int64_t> choice_bits(const OptionSpec& spec,
                                        const std::vector<std::string>& names) {
  std::int64_t bits = 0;
  for (const std::string& name : names) {
    const auto index = parse_choice(spec, name);
    if (!index) return std::nullopt;
    bits |= std::int64_t{1} << std::get<std::int64_t>(*index);
  }
  return bits;
}

std::string format_bits(const OptionSpec& spec, std::int64_t bits) {
  std::string out = "[";
  for (std::size_t i = 0; i < spec.choices.size(); ++i) {
    if (((bits >> i) & 1) == 0) continue;
    out += (out.size() > 1 ? ", \"" : "\"") + std::string(spec.choices[i]) + "\"";
  }
  return out + "]";
}

Parsed durations_in_range(const OptionSpec& spec,
                          std::optional<std::vector<std::pair<std::string, std::string>>> map) {
  if (!map) return std::nullopt;
  DurationMap durations;
  for (auto& [name, text] : *map) {
    const auto ms = parse_duration_ms(text);
    if (!ms || !in_range(spec, *ms)) return std::nullopt;
    durations.emplace_back(std::move(name), *ms);
  }
  return durations;
}

std::string format_duration_map(const DurationMap& map) {
  std::string out = "{";
  for (const auto& [name, ms] : map) {
    out += (out.size() > 1 ? ", " : "") + name + " = \"" + format_duration(ms) + "\"";
  }
  return out + "}";
}

std::int64_t number(const OptionValue& value) { return std::get<std::int64_t>(value); }
const std::string& text(const OptionValue& value) { return std::get<std::string>(value); }

std::string between(std::string a, std::string b) { return "from " + a + " to " + b; }

struct KindRules {
  unsigned forms;  // bits of the RawValue forms accepted
  Parsed (*parse)(const OptionSpec& spec, const std::string& text);
  std::string (*allowed)(const OptionSpec& spec);
  std::string (*format)(const OptionSpec& spec, const OptionValue& value);
};

// Indexed by OptionKind: accepted forms, parse (of the text), allowed, format. route_list
// parses in parse_option_value instead, to say which route is wrong.
const std::array<KindRules, 14> kKinds = {{
    // text
    // (min 0: the empty string is allowed, and means "not set")
    {kText, [](auto& s, auto& t) { return parse_string(s, t, !t.empty() || s.min == 0); },
     [](auto& s) {
       return std::string(s.min == 0 ? "a string" : "a non-empty string") + " of at most " +
              std::to_string(s.max) + " bytes";
     },
     [](auto&, auto& v) { return text(v); }},
    // identifier
    {kText, [](auto& s, auto& t) { return parse_string(s, t, is_kafka_name(t)); },
     [](auto& s) {
       return std::to_string(s.min) + " to " + std::to_string(s.max) +
              " of the characters A-Z a-z 0-9 . _ -";
     },
     [](auto&, auto& v) { return text(v); }},
    // topic
    {kText, [](auto&, auto& t) { return is_topic_name(t) ? Parsed(t) : std::nullopt; },
     [](auto&) {
       return std::string("a Kafka topic name: 1 to 249 of the characters A-Z a-z 0-9 . _ -");
     },
     [](auto&, auto& v) { return text(v); }},
    // integer
    {kNumber, [](auto& s, auto& t) { return ranged(s, parse_count(t)); },
     [](auto& s) { return "an integer " + between(std::to_string(s.min), std::to_string(s.max)); },
     [](auto&, auto& v) { return std::to_string(number(v)); }},
    // duration
    {kText, [](auto& s, auto& t) { return ranged(s, parse_duration_ms(t)); },
     [](auto& s) {
       return "a duration like 250ms, 30s, 5m, 1h or 90d, " +
              between(format_duration(s.min), format_duration(s.max));
     },
     [](auto&, auto& v) { return format_duration(number(v)); }},
    // byte_size
    {kNumber, [](auto& s, auto& t) { return ranged(s, parse_byte_size(t)); },
     [](auto& s) {
       return "a byte size like 1048576, 512KiB, 256MiB or 2GiB, " +
              between(format_byte_size(s.min), format_byte_size(s.max));
     },
     [](auto&, auto& v) { return format_byte_size(number(v)); }},
    // decimal
    {kDecimal, [](auto& s, auto& t) { return ranged(s, parse_thousandths(t)); },
     [](auto& s) {
       return "a decimal with at most 3 fractional digits, " +
              between(format_thousandths(s.min), format_thousandths(s.max));
     },
     [](auto&, auto& v) { return format_thousandths(number(v)); }},
    // enumeration
    {kText, [](auto& s, auto& t) { return parse_choice(s, t); },
     [](auto& s) { return "one of " + join_choices(s); },
     [](auto& s, auto& v) { return std::string(s.choices[number(v)]); }},
    // utc_offset
    {kText, [](auto& s, auto& t) { return ranged(s, parse_utc_offset_ms(t)); },
     [](auto& s) {
       return "an offset +HH:MM or -HH:MM " +
              between(format_utc_offset(s.min), format_utc_offset(s.max));
     },
     [](auto&, auto& v) { return format_utc_offset(number(v)); }},
    // host_port
    {kText, [](auto&, auto& t) -> Parsed { return parse_host_port(t); },
     [](auto&) {
       return std::string(
           "host:port with a port from 1 to 65535, like 127.0.0.1:9464 or "
           "[::1]:9464");
     },
     [](auto&, auto& v) { return format_host_port(std::get<HttpOptions>(v)); }},
    // route_list
    {kList, nullptr,
     [](auto&) {
       return "comma-separated routes (a TOML array of strings in the file) like "
              "lifecycle/at_risk=churn-risk (as well as output.topic) or "
              "lifecycle/at_risk=churn-risk;instead (instead of output.topic); routable: " +
              describe_routable_families();
     },
     [](auto&, auto& v) { return format_routes(std::get<std::vector<OutputRoute>>(v)); }},
    // name_set
    {kList,
     [](auto& s, auto& t) -> Parsed {
       const auto names = parse_name_list(t);
       if (!names) return std::nullopt;
       const auto bits = choice_bits(s, *names);
       return bits ? Parsed(*bits) : std::nullopt;
     },
     [](auto& s) {
       return "a list of names from " + join_choices(s) + ", like [\"" +
              std::string(s.choices.front()) + "\"] or " + std::string(s.choices.front()) +
              " (TOML: an array of strings)";
     },
     [](auto& s, auto& v) { return format_bits(s, number(v)); }},
    // duration_map
    {kList | bit(Form::other),
     [](auto& s, auto& t) { return durations_in_range(s, parse_text_map(t)); },
     [](auto& s) {
       return "a table of name = duration, like {formula = \"21d\"} or formula=21d, durations " +
              between(format_duration(s.min), format_duration(s.max));
     },
     [](auto&, auto& v) { return format_duration_map(std::get<DurationMap>(v)); }},
    // boolean
    {kBoolean,
     [](auto&, auto& t) -> Parsed {
       if (t == "true") return std::int64_t{1};
       if (t == "false") return std::int64_t{0};
       return std::nullopt;
     },
     [](auto&) { return std::string("true or false"); },
     [](auto&, auto& v) { return std::string(number(v) != 0 ? "true" : "false"); }},
}};

static_assert(kKinds.size() == static_cast<std::size_t>(OptionKind::boolean) + 1);

const KindRules& rules(const OptionSpec& spec) { return kKinds[static_cast<int>(spec.kind)]; }

ConfigResult<OptionValue> parse_route_value(const RawValue& raw) {
  auto routes = parse_routes(raw.form == Form::list ? raw.items : split_route_list(raw.text));
  if (!routes.ok()) return ConfigResult<OptionValue>::failure(routes.error());
  return OptionValue(std::move(routes).value());
}

}  // namespace

ConfigResult<OptionValue> parse_option_value(const OptionSpec& spec, const RawValue& raw) {
  const std::string expected = "expected " + describe_allowed(spec);
  if ((rules(spec).forms & bit(raw.form)) == 0) {
    return ConfigResult<OptionValue>::failure(expected);
  }
  if (spec.kind == OptionKind::route_list) {
    auto routes = parse_route_value(raw);
    if (routes.ok()) return routes;
    return ConfigResult<OptionValue>::failure(routes.error() + "; " + expected);
  }
  Parsed value;
  if (raw.form == Form::list && spec.kind == OptionKind::name_set) {
    const auto bits = choice_bits(spec, raw.items);
    if (bits) value = *bits;
  } else if (raw.form == Form::list && spec.kind == OptionKind::duration_map) {
    value = durations_in_range(spec, parse_map_items(raw.items));
  } else {
    value = rules(spec).parse(spec, raw.text);
  }
  if (!value) return ConfigResult<OptionValue>::failure(expected);
  return std::move(*value);
}

std::string describe_allowed(const OptionSpec& spec) { return rules(spec).allowed(spec); }

std::string format_option_value(const OptionSpec& spec, const OptionValue& value) {
  return rules(spec).format(spec, value);
}

ConfigResult<std::string> parse_kafka_value(const RawValue& raw) {
  if (raw.form == Form::list || raw.form == Form::other) {
    return ConfigResult<std::string>::failure(
        "expected a string, integer, float or boolean for librdkafka");
  }
  return raw.text;
}

}  // namespace segmentd
