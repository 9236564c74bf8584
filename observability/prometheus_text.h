// Pieces of the Prometheus text exposition format 0.0.4: name checks, escaping and
// exact number rendering. Integers and fixed-point values are rendered exactly as
// decimals (no floating point), so 1500 ms shows as 1.5 seconds.
//
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace segmentd::prometheus_text {

// [a-zA-Z_:][a-zA-Z0-9_:]*
bool is_valid_metric_name(std::string_view name);
// [a-zA-Z_][a-zA-Z0-9_]*, not starting with "__" (reserved by Prometheus).
bool is_valid_label_name(std::string_view name);

// Label values escape backslash, double quote and newline; HELP text escapes
// backslash and newline.
void append_escaped_label_value(std::string& out, std::string_view value);
void append_escaped_help(std::string& out, std::string_view help);

// Appends `scaled / 10^fraction_digits` exactly, without trailing zeros:
// (1500, 3) -> "1.5", (-5, 2) -> "-0.05", (7, 0) -> "7". REQUIRES: fraction_digits <= 18.
void append_fixed_point(std::string& out, std::int64_t scaled, unsigned fraction_digits);
void append_unsigned_fixed_point(std::string& out, std::uint64_t scaled, unsigned fraction_digits);
// Shortest text that reads back as the same double; NaN, +Inf and -Inf as the format
// spells them.
void append_double(std::string& out, double value);

// Appends {name="value",...} for the pairs of `names` and `values` (same length),
// then `extra_name`="extra_value" when extra_name is not empty. Appends nothing when
// there are no pairs at all.
void append_labels(std::string& out, std::span<const std::string> names,
                   std::span<const std::string> values, std::string_view extra_name = {},
                   std::string_view extra_value = {});

}  // namespace segmentd::prometheus_text
