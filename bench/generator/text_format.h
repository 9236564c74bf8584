// Small allocation-free text appenders used to build JSON lines (std::to_chars
// underneath; no locale, no iostreams). `Out` is std::string or LineBuffer: any
// type with append(const char*, size_t) and push_back(char).
//
//   append_int      decimal, as std::to_chars prints it.
//   append_padded   non-negative value, zero-padded to at least `width` digits.
//   append_two      0..99 as exactly two digits.
//   append_base36   lower-case base 36 (0-9a-z) of an unsigned value.
//   append_hex      exactly `digits` lower-case hex digits of the low bits of `value`.
//   append_decimal  a non-negative amount of thousandths as a decimal:
//                   DecimalStyle::fixed     at least 2 fractional digits ("23.40",
//                                           "2.995" keeps its third digit),
//                   DecimalStyle::shortest  trailing zeros dropped ("23.4", "23").
// Pure functions; thread-safe.
#pragma once

#include <charconv>
#include <cstdint>

namespace segmentd::gen {

enum class DecimalStyle { fixed, shortest };

template <class Out>
void append_int(Out& out, std::int64_t value) {
  char buffer[24];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  out.append(buffer, static_cast<std::size_t>(result.ptr - buffer));
}

template <class Out>
void append_padded(Out& out, std::int64_t value, int width) {
  char buffer[24];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  for (auto length = result.ptr - buffer; length < width; ++length) out.push_back('0');
  out.append(buffer, static_cast<std::size_t>(result.ptr - buffer));
}

template <class Out>
void append_two(Out& out, std::int64_t value) {
  static constexpr char kPairs[] =
      "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
      "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
      "8081828384858687888990919293949596979899";
  out.append(kPairs + 2 * value, 2);
}

template <class Out>
void append_base36(Out& out, std::uint64_t value) {
  char buffer[16];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value, 36);
  out.append(buffer, static_cast<std::size_t>(result.ptr - buffer));
}

template <class Out>
void append_hex(Out& out, std::uint64_t value, int digits) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (int shift = 4 * (digits - 1); shift >= 0; shift -= 4)
    out.push_back(kHex[(value >> shift) & 0xf]);
}

template <class Out>
void append_decimal(Out& out, std::uint64_t thousandths, DecimalStyle style) {
  append_int(out, static_cast<std::int64_t>(thousandths / 1000));
  const auto fraction = static_cast<int>(thousandths % 1000);
  if (style == DecimalStyle::shortest && fraction == 0) return;
  out.push_back('.');
  out.push_back(static_cast<char>('0' + fraction / 100));
  const int rest = fraction % 100;
  if (style == DecimalStyle::shortest && rest == 0) return;
  out.push_back(static_cast<char>('0' + rest / 10));
  if (rest % 10 != 0) out.push_back(static_cast<char>('0' + rest % 10));
}

}  // namespace segmentd::gen
