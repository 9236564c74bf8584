#include "observability/prometheus_text.h"

#include <charconv>
#include <cmath>
#include <cstddef>

namespace segmentd::prometheus_text {

namespace {

bool is_letter_or_underscore(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool is_digit(char c) { return c >= '0' && c <= '9'; }

template <typename Number>
void append_number(std::string& out, Number value) {
  char digits[32];
  const auto result = std::to_chars(digits, digits + sizeof digits, value);
  out.append(digits, result.ptr);
}

std::uint64_t power_of_ten(unsigned exponent) {
  std::uint64_t power = 1;
  for (unsigned i = 0; i < exponent; ++i) power *= 10;
  return power;
}

void append_magnitude(std::string& out, std::uint64_t scaled, unsigned fraction_digits) {
  const std::uint64_t unit = power_of_ten(fraction_digits);
  append_number(out, scaled / unit);
  std::uint64_t fraction = scaled % unit;
  if (fraction == 0) return;
  unsigned digits = fraction_digits;
  while (fraction % 10 == 0) {
    fraction /= 10;
    --digits;
  }
  std::string fraction_text = std::to_string(fraction);
  out += '.';
  out.append(digits - fraction_text.size(), '0');
  out += fraction_text;
}

}  // namespace

bool is_valid_metric_name(std::string_view name) {
  if (name.empty() || !(is_letter_or_underscore(name[0]) || name[0] == ':')) return false;
  for (char c : name) {
    if (!(is_letter_or_underscore(c) || is_digit(c) || c == ':')) return false;
  }
  return true;
}

bool is_valid_label_name(std::string_view name) {
  if (name.empty() || !is_letter_or_underscore(name[0]) || name.starts_with("__")) return false;
  for (char c : name) {
    if (!(is_letter_or_underscore(c) || is_digit(c))) return false;
  }
  return true;
}

void append_escaped_label_value(std::string& out, std::string_view value) {
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
}

void append_escaped_help(std::string& out, std::string_view help) {
  for (char c : help) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
}

void append_fixed_point(std::string& out, std::int64_t scaled, unsigned fraction_digits) {
  // The magnitude of INT64_MIN does not fit an int64, but does fit a uint64.
  const auto magnitude = static_cast<std::uint64_t>(scaled);
  if (scaled < 0) {
    out += '-';
    append_magnitude(out, ~magnitude + 1, fraction_digits);
  } else {
    append_magnitude(out, magnitude, fraction_digits);
  }
}

void append_unsigned_fixed_point(std::string& out, std::uint64_t scaled, unsigned fraction_digits) {
  append_magnitude(out, scaled, fraction_digits);
}

void append_double(std::string& out, double value) {
  if (std::isnan(value)) {
    out += "NaN";
  } else if (std::isinf(value)) {
    out += value > 0 ? "+Inf" : "-Inf";
  } else {
    append_number(out, value);
  }
}

void append_labels(std::string& out, std::span<const std::string> names,
                   std::span<const std::string> values, std::string_view extra_name,
                   std::string_view extra_value) {
  if (names.empty() && extra_name.empty()) return;
  char separator = '{';
  const auto append_pair = [&](std::string_view name, std::string_view value) {
    out += separator;
    out += name;
    out += "=\"";
    append_escaped_label_value(out, value);
    out += '"';
    separator = ',';
  };
  for (std::size_t i = 0; i < names.size(); ++i) append_pair(names[i], values[i]);
  if (!extra_name.empty()) append_pair(extra_name, extra_value);
  out += '}';
}

}  // namespace segmentd::prometheus_text
