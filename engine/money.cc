#include "engine/money.h"

#include <charconv>
#include <cstdint>

namespace segmentd {

namespace {

// Exponents are saturated here: far beyond any length a text can have, so saturation
// never changes a result, and far below the int64 limit, so the arithmetic is safe.
constexpr std::int64_t kExponentCap = 100'000'000'000'000'000;

// A JSON number split into its parts: value = digits * 10^(exponent - fraction size),
// where digits = integer followed by fraction.
struct DecimalParts {
  bool negative = false;
  std::string_view integer;
  std::string_view fraction;
  std::int64_t exponent = 0;

  std::size_t digit_count() const { return integer.size() + fraction.size(); }
  int digit(std::size_t i) const {
    const char c = i < integer.size() ? integer[i] : fraction[i - integer.size()];
    return c - '0';
  }
};

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Returns the run of digits starting at `pos` and moves `pos` past it.
std::string_view take_digits(std::string_view text, std::size_t& pos) {
  const std::size_t start = pos;
  while (pos < text.size() && is_digit(text[pos])) ++pos;
  return text.substr(start, pos - start);
}

bool take_char(std::string_view text, std::size_t& pos, char c) {
  if (pos >= text.size() || text[pos] != c) return false;
  ++pos;
  return true;
}

std::int64_t saturated_exponent(std::string_view digits, bool negative) {
  std::int64_t magnitude = 0;
  for (const char c : digits) {
    if (magnitude < kExponentCap) magnitude = magnitude * 10 + (c - '0');
  }
  return negative ? -magnitude : magnitude;
}

// `-?(0|[1-9][0-9]*)`; false when absent or with a leading zero.
bool take_integer(std::string_view text, std::size_t& pos, DecimalParts& parts) {
  parts.negative = take_char(text, pos, '-');
  parts.integer = take_digits(text, pos);
  return !parts.integer.empty() && (parts.integer.size() == 1 || parts.integer[0] != '0');
}

// `(\.[0-9]+)?`
bool take_fraction(std::string_view text, std::size_t& pos, DecimalParts& parts) {
  if (!take_char(text, pos, '.')) return true;
  parts.fraction = take_digits(text, pos);
  return !parts.fraction.empty();
}

// `([eE][+-]?[0-9]+)?`
bool take_exponent(std::string_view text, std::size_t& pos, DecimalParts& parts) {
  if (!take_char(text, pos, 'e') && !take_char(text, pos, 'E')) return true;
  const bool negative = take_char(text, pos, '-');
  if (!negative) take_char(text, pos, '+');
  const std::string_view digits = take_digits(text, pos);
  parts.exponent = saturated_exponent(digits, negative);
  return !digits.empty();
}

bool split_json_number(std::string_view text, DecimalParts& parts) {
  std::size_t pos = 0;
  return take_integer(text, pos, parts) && take_fraction(text, pos, parts) &&
         take_exponent(text, pos, parts) && pos == text.size();
}

MoneyParseResult failure(MoneyParseError error) { return {false, Money{}, error}; }
MoneyParseResult success(std::int64_t thousandths) { return {true, Money{thousandths}}; }

// Rounds digits[first, end) * 10^shift to an integer, half away from zero. Fails when the
// result would exceed kMaxEventAmount.
MoneyParseResult round_to_thousandths(const DecimalParts& parts, std::size_t first,
                                      std::int64_t shift) {
  constexpr std::int64_t kMaxDigits = 16;  // kMaxEventAmount has 16 digits
  const auto significant = static_cast<std::int64_t>(parts.digit_count() - first);
  const std::int64_t integer_digits = significant + shift;  // digits before the point
  if (integer_digits > kMaxDigits) return failure(MoneyParseError::too_large);
  std::int64_t value = 0;
  for (std::int64_t i = 0; i < integer_digits; ++i) {
    const auto index = first + static_cast<std::size_t>(i);
    value = value * 10 + (i < significant ? parts.digit(index) : 0);
  }
  const bool round_up = integer_digits >= 0 && integer_digits < significant &&
                        parts.digit(first + static_cast<std::size_t>(integer_digits)) >= 5;
  if (round_up) ++value;
  if (value > kMaxEventAmount.thousandths) return failure(MoneyParseError::too_large);
  return success(value);
}

std::size_t first_nonzero_digit(const DecimalParts& parts) {
  std::size_t i = 0;
  while (i < parts.digit_count() && parts.digit(i) == 0) ++i;
  return i;
}

void append_fraction(std::string& out, std::uint64_t thousandths) {
  char digits[4] = {'.', static_cast<char>('0' + thousandths / 100),
                    static_cast<char>('0' + thousandths / 10 % 10),
                    static_cast<char>('0' + thousandths % 10)};
  std::size_t length = 4;
  while (digits[length - 1] == '0') --length;
  out.append(digits, length);
}

}  // namespace

MoneyParseResult parse_decimal_money(std::string_view text) {
  DecimalParts parts;
  if (!split_json_number(text, parts)) return failure(MoneyParseError::syntax);
  const std::size_t first = first_nonzero_digit(parts);
  if (first == parts.digit_count()) return success(0);
  if (parts.negative) return failure(MoneyParseError::negative);
  const auto fraction_size = static_cast<std::int64_t>(parts.fraction.size());
  return round_to_thousandths(parts, first, parts.exponent - fraction_size + 3);
}

void append_money(std::string& out, Money amount) {
  const bool negative = amount.thousandths < 0;
  const auto raw = static_cast<std::uint64_t>(amount.thousandths);
  const std::uint64_t magnitude = negative ? 0 - raw : raw;
  if (negative) out.push_back('-');
  char digits[24];
  const auto [end, ec] = std::to_chars(digits, digits + sizeof digits, magnitude / 1000);
  out.append(digits, end);
  if (magnitude % 1000 != 0) append_fraction(out, magnitude % 1000);
}

}  // namespace segmentd
