// Exact decimal money: parsing from JSON/decimal text and printing, never through a
// double (SPEC 2, 3.1).
//
// parse_decimal_money accepts the JSON number grammar: `-?(0|[1-9][0-9]*)(\.[0-9]+)?
// ([eE][+-]?[0-9]+)?`, the same text whether it came as a JSON number or inside a
// decimal string. The value is rounded half away from zero to thousandths.
// format_money prints the shortest exact decimal: "10", "2.001", "-9.5"; no exponent.
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "engine/units.h"

namespace segmentd {

enum class MoneyParseError { syntax, negative, too_large };

struct MoneyParseResult {
  bool ok = false;
  Money value{};
  MoneyParseError error = MoneyParseError::syntax;
};

// The largest accepted amount: 1e12 currency units (SPEC 2).
inline constexpr Money kMaxEventAmount{1'000'000'000'000'000};

// Parses `text` as a non-negative decimal not above kMaxEventAmount. Errors:
// - syntax: not the JSON number grammar (no spaces, no "+1", "01", ".5", "1." or "1e").
// - negative: a '-' before any non-zero digit, even one that would round to zero
//   ("-0.0004"); "-0" and "-0.000" are zero.
// - too_large: above kMaxEventAmount after rounding, however it is written ("1e13",
//   "1000000000000.0005").
// Exponents are applied exactly (1.5e2 == 150) and in time linear in the text length,
// whatever their size: "1e999999" is too_large, "1e-999999" is zero.
MoneyParseResult parse_decimal_money(std::string_view text);

// Appends the shortest exact decimal form of `amount` to `out`.
void append_money(std::string& out, Money amount);

}  // namespace segmentd
