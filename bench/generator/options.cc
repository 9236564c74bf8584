#include "bench/generator/options.h"

#include <charconv>
#include <optional>

namespace segmentd::gen {
namespace {

constexpr std::string_view kHelp =
    R"(segmentd-gen: a seedable synthetic purchase stream for segmentd (JSON Lines).

Usage: segmentd-gen [options]

Members follow behaviour archetypes (one-off buyers, occasional buyers, regulars,
churners, returners) and join over the whole period; their mean inter-purchase gaps
are scaled so that the requested number of lines spans about --days. The output
mixes timestamp formats (RFC 3339 with Z or an offset, epoch milliseconds), amounts
as JSON numbers or decimal strings, optional store_id/currency/items, refunds of
earlier purchases, late deliveries, duplicate deliveries and broken lines (SPEC 2).
The same options and seed always give byte-identical output.

Options:
  --members N        members in the population (default 10000)
  --events N         exact number of output lines (default 200000)
  --seed S           random seed, unsigned 64-bit (default 1)
  --start DATE       start of the period, YYYY-MM-DD or RFC 3339 (default 2023-01-01)
  --days D           length of the period in days (default 730)
  --late-rate R      fraction of member events delivered late: most within an hour,
                     a few up to a week after their ts (default 0.01; --order time only)
  --dup-rate R       fraction of event lines delivered a second time, seconds to
                     minutes later (default 0.005)
  --refund-rate R    fraction of member events that are refunds of the member's
                     previous purchase, amount <= that purchase (default 0.03; < 0.5)
  --broken-rate R    fraction of lines that are broken, each from a fixed template
                     with a known SPEC 2 reason code (default 0.001)
  --profile-rate R   fraction of members whose first event is a profile (SPEC 5.7),
                     most with a birthday; members who never buy stay prospects
                     (default 0)
  --order time|member
                     time: by delivery time (default); member: grouped by member,
                     each member's events in time order, like a CRM history export
  --threads N        rendering threads (default: one per core, at most 8); the
                     output does not depend on it
  --output FILE      output file (default stdout; "-" is stdout)
  --manifest FILE    write one JSON line {"line": N, "reason": "...", "template": "..."}
                     per broken line (N is the 1-based line number in the output)
  --help             show this help

A summary JSON line (lines, events, members, broken, duplicates, late, ...) is
printed on stderr at the end.
)";

template <class T>
std::optional<T> parse_number(std::string_view text) {
  T value{};
  const auto result = std::from_chars(text.data(), text.data() + text.size(), value);
  if (result.ec != std::errc{} || result.ptr != text.data() + text.size()) return std::nullopt;
  return value;
}

std::optional<StreamOrder> parse_order(std::string_view text) {
  if (text == "time") return StreamOrder::time;
  if (text == "member") return StreamOrder::member;
  return std::nullopt;
}

// Stores `text` into the option `name`; false when the name is unknown or the value
// does not parse.
bool assign(CliArgs& args, std::string_view name, std::string_view text) {
  GeneratorOptions& o = args.options;
  auto set = [](auto& field, auto parsed) {
    if (parsed) field = *parsed;
    return parsed.has_value();
  };
  if (name == "--members") return set(o.members, parse_number<std::uint32_t>(text));
  if (name == "--events") return set(o.events, parse_number<std::uint64_t>(text));
  if (name == "--seed") return set(o.seed, parse_number<std::uint64_t>(text));
  if (name == "--start") return set(o.start, parse_rfc3339(text));
  if (name == "--days") return set(o.days, parse_number<std::int64_t>(text));
  if (name == "--late-rate") return set(o.late_rate, parse_number<double>(text));
  if (name == "--dup-rate") return set(o.dup_rate, parse_number<double>(text));
  if (name == "--refund-rate") return set(o.refund_rate, parse_number<double>(text));
  if (name == "--profile-rate") return set(o.profile_rate, parse_number<double>(text));
  if (name == "--broken-rate") return set(o.broken_rate, parse_number<double>(text));
  if (name == "--order") return set(o.order, parse_order(text));
  if (name == "--threads") return set(o.threads, parse_number<unsigned>(text));
  if (name == "--output") return set(args.output, std::optional<std::string>(text));
  if (name == "--manifest") return set(args.manifest, std::optional<std::string>(text));
  return false;
}

bool is_known(std::string_view name) {
  static constexpr std::string_view kNames[] = {
      "--members",   "--events",   "--seed",        "--start",       "--days",
      "--late-rate", "--dup-rate", "--refund-rate", "--broken-rate", "--order",
      "--threads",   "--output",   "--manifest",    "--profile-rate"};
  for (const auto known : kNames) {
    if (known == name) return true;
  }
  return false;
}

CliParse failure(std::string message) { return {false, {}, std::move(message)}; }

std::string format_number(double value) {
  char buffer[32];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, result.ptr);
}

std::string rate_error(std::string_view name, double value, double upper) {
  if (value >= 0.0 && value <= upper) return {};
  return std::string(name) + " must lie in [0, " + format_number(upper) + "], got " +
         format_number(value);
}

}  // namespace

CliParse parse_cli(std::span<const char* const> args) {
  CliParse result{true, {}, {}};
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string_view name = args[i];
    if (name == "--help" || name == "-h") {
      result.args.help = true;
      return result;
    }
    std::string_view value;
    if (const auto equals = name.find('='); equals != std::string_view::npos) {
      value = name.substr(equals + 1);
      name = name.substr(0, equals);
    } else if (is_known(name) && i + 1 < args.size()) {
      value = args[++i];
    } else if (is_known(name)) {
      return failure(std::string(name) + " needs a value");
    }
    if (!is_known(name)) return failure("unknown option " + std::string(name) + " (see --help)");
    if (!assign(result.args, name, value)) {
      return failure("invalid value for " + std::string(name) + ": '" + std::string(value) + "'");
    }
  }
  if (auto error = validate(result.args.options); !error.empty()) return failure(error);
  return result;
}

std::string validate(const GeneratorOptions& o) {
  constexpr EpochMs kFloor = 631'152'000'000;      // 1990-01-01T00:00:00Z
  constexpr EpochMs kLastEnd = 3'786'912'000'000;  // 2090-01-01T00:00:00Z
  if (o.members == 0) return "--members must be at least 1";
  if (o.days < 1) return "--days must be at least 1";
  if (o.threads > 256) return "--threads must be at most 256";
  if (o.start < kFloor) return "--start must not be before 1990-01-01";
  if (o.days > (kLastEnd - o.start) / kMsPerDay) {
    return "--start plus --days must end before 2090-01-01 (events must stay before 2100)";
  }
  for (const auto& error :
       {rate_error("--late-rate", o.late_rate, 1.0), rate_error("--dup-rate", o.dup_rate, 1.0),
        rate_error("--refund-rate", o.refund_rate, 0.49),
        rate_error("--broken-rate", o.broken_rate, 1.0),
        rate_error("--profile-rate", o.profile_rate, 1.0)}) {
    if (!error.empty()) return error;
  }
  return {};
}

std::string_view help_text() { return kHelp; }

}  // namespace segmentd::gen
