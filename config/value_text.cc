#include "config/value_text.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <limits>

namespace segmentd {
namespace {

struct Unit {
  std::string_view suffix;
  std::int64_t factor;
};
// Largest first, so formatting picks the largest exact unit.
constexpr std::array<Unit, 5> kDurationUnits = {
    {{"d", 86'400'000}, {"h", 3'600'000}, {"m", 60'000}, {"s", 1000}, {"ms", 1}}};
constexpr std::array<Unit, 4> kByteUnits = {
    {{"GiB", std::int64_t{1} << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"", 1}}};

bool is_digit(char c) { return c >= '0' && c <= '9'; }

std::optional<std::int64_t> parse_digits(std::string_view text) {
  if (text.empty() || !std::ranges::all_of(text, is_digit)) return std::nullopt;
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// "<digits><suffix>" with a suffix from `units` -> digits * factor, without overflow.
template <std::size_t N>
std::optional<std::int64_t> parse_with_unit(std::string_view text,
                                            const std::array<Unit, N>& units) {
  const auto digits_end = std::ranges::find_if_not(text, is_digit) - text.begin();
  const auto number = parse_digits(text.substr(0, digits_end));
  const auto unit = std::ranges::find(units, text.substr(digits_end), &Unit::suffix);
  if (!number || unit == units.end()) return std::nullopt;
  if (*number > std::numeric_limits<std::int64_t>::max() / unit->factor) return std::nullopt;
  return *number * unit->factor;
}

template <std::size_t N>
std::string format_with_unit(std::int64_t value, const std::array<Unit, N>& units) {
  const auto unit = std::ranges::find_if(units, [&](Unit u) { return value % u.factor == 0; });
  return std::to_string(value / unit->factor) + std::string(unit->suffix);
}

std::string two_digits(std::int64_t value) {
  return std::string(1, static_cast<char>('0' + value / 10)) + static_cast<char>('0' + value % 10);
}

bool is_host_char(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '.' || c == '-';
}

bool is_ipv6_char(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':' || c == '.';
}

}  // namespace

std::optional<std::int64_t> parse_count(std::string_view text) { return parse_digits(text); }

std::optional<std::int64_t> parse_duration_ms(std::string_view text) {
  return parse_with_unit(text, kDurationUnits);
}

std::optional<std::int64_t> parse_byte_size(std::string_view text) {
  return parse_with_unit(text, kByteUnits);
}

std::optional<std::int64_t> parse_thousandths(std::string_view text) {
  const auto dot = text.find('.');
  const auto whole = parse_digits(text.substr(0, dot));
  if (!whole || *whole > std::numeric_limits<std::int64_t>::max() / 1000 - 1000) {
    return std::nullopt;
  }
  if (dot == std::string_view::npos) return *whole * 1000;
  const std::string_view fraction = text.substr(dot + 1);
  const auto digits = parse_digits(fraction);
  if (!digits || fraction.size() > 3) return std::nullopt;
  const std::int64_t scale = fraction.size() == 1 ? 100 : fraction.size() == 2 ? 10 : 1;
  return *whole * 1000 + *digits * scale;
}

std::optional<std::int64_t> parse_utc_offset_ms(std::string_view text) {
  if (text.size() != 6 || (text[0] != '+' && text[0] != '-') || text[3] != ':') {
    return std::nullopt;
  }
  const auto hours = parse_digits(text.substr(1, 2));
  const auto minutes = parse_digits(text.substr(4, 2));
  if (!hours || !minutes || *minutes >= 60) return std::nullopt;
  const std::int64_t ms = (*hours * 60 + *minutes) * 60'000;
  return text[0] == '-' ? -ms : ms;
}

std::optional<HttpOptions> parse_host_port(std::string_view text) {
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos) return std::nullopt;
  std::string_view host = text.substr(0, colon);
  const bool bracketed = host.size() > 2 && host.front() == '[' && host.back() == ']';
  if (bracketed) host = host.substr(1, host.size() - 2);
  const bool host_ok = bracketed ? std::ranges::all_of(host, is_ipv6_char)
                                 : !host.empty() && std::ranges::all_of(host, is_host_char);
  const auto port = parse_digits(text.substr(colon + 1));
  if (!host_ok || !port || *port < 1 || *port > 65'535) return std::nullopt;
  return HttpOptions{std::string(host), static_cast<std::uint16_t>(*port)};
}

bool is_kafka_name(std::string_view text) {
  return !text.empty() &&
         std::ranges::all_of(text, [](char c) { return is_host_char(c) || c == '_'; });
}

bool is_topic_name(std::string_view text) {
  return is_kafka_name(text) && text.size() <= 249 && text != "." && text != "..";
}

std::string format_duration(std::int64_t ms) {
  return ms == 0 ? "0s" : format_with_unit(ms, kDurationUnits);
}

std::string format_byte_size(std::int64_t bytes) { return format_with_unit(bytes, kByteUnits); }

std::string format_thousandths(std::int64_t value) {
  std::string fraction = std::to_string(1000 + value % 1000).substr(1);
  while (fraction.size() > 1 && fraction.back() == '0') fraction.pop_back();
  return std::to_string(value / 1000) + "." + fraction;
}

std::string format_utc_offset(std::int64_t ms) {
  const std::int64_t minutes = (ms < 0 ? -ms : ms) / 60'000;
  return (ms < 0 ? "-" : "+") + two_digits(minutes / 60) + ":" + two_digits(minutes % 60);
}

std::string format_host_port(const HttpOptions& address) {
  const bool ipv6 = address.host.find(':') != std::string::npos;
  const std::string host = ipv6 ? "[" + address.host + "]" : address.host;
  return host + ":" + std::to_string(address.port);
}

}  // namespace segmentd
