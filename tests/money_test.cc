#include "engine/money.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <string>
#include <string_view>

namespace segmentd {
namespace {

struct ParsedCase {
  std::string_view text;
  std::int64_t thousandths;
};

struct FailedCase {
  std::string_view text;
  MoneyParseError error;
};

TEST_CASE("parse_decimal_money: exact values, rounded half away from zero") {
  const auto c = GENERATE(values<ParsedCase>({
      {"0", 0},
      {"-0", 0},
      {"-0.000", 0},
      {"-0e5", 0},
      {"0e999999999999999999999", 0},
      {"1", 1'000},
      {"10", 10'000},
      {"12.50", 12'500},
      {"69.9", 69'900},
      {"2.001", 2'001},
      {"2.0005", 2'001},
      {"2.00049999", 2'000},
      {"0.0005", 1},
      {"0.0004999", 0},
      {"0.0015", 2},
      {"0.0025", 3},
      {"0.9995", 1'000},
      {"1.2345e2", 123'450},
      {"1.5e2", 150'000},
      {"1.5E+2", 150'000},
      {"1e0", 1'000},
      {"1e-3", 1},
      {"5e-4", 1},
      {"4.999e-4", 0},
      {"15e-4", 2},
      {"1e-999999", 0},
      {"123456789012345678901234567890e-27", 123'457},
      {"0.000000000000000000000000000001", 0},
      {"1e12", 1'000'000'000'000'000},
      {"1000000000000", 1'000'000'000'000'000},
      {"1000000000000.0004", 1'000'000'000'000'000},
      {"999999999999.9995", 1'000'000'000'000'000},
      {"0.1e13", 1'000'000'000'000'000},
      {"10000000000000e-1", 1'000'000'000'000'000},
      {"1000000000000000000000000e-12", 1'000'000'000'000'000},
  }));
  CAPTURE(c.text);
  const MoneyParseResult result = parse_decimal_money(c.text);
  REQUIRE(result.ok);
  CHECK(result.value.thousandths == c.thousandths);
}

TEST_CASE("parse_decimal_money: rejections") {
  using enum MoneyParseError;
  const auto c = GENERATE(values<FailedCase>({
      {"", syntax},
      {"-", syntax},
      {"+1", syntax},
      {"01", syntax},
      {"00", syntax},
      {"-01", syntax},
      {".5", syntax},
      {"1.", syntax},
      {"1.e2", syntax},
      {"1e", syntax},
      {"1e+", syntax},
      {"1e-", syntax},
      {"1,50", syntax},
      {" 1", syntax},
      {"1 ", syntax},
      {"1.5.5", syntax},
      {"0x10", syntax},
      {"NaN", syntax},
      {"Infinity", syntax},
      {"-Infinity", syntax},
      {"1e1.5", syntax},
      {"--1", syntax},
      {"\"1\"", syntax},
      {"-1", negative},
      {"-0.0004", negative},
      {"-0.001", negative},
      {"-1e-999999", negative},
      {"-1e13", negative},
      {"1e13", too_large},
      {"1000000000000.0005", too_large},
      {"1000000000000.001", too_large},
      {"1000000000001", too_large},
      {"10000000000000000000000000", too_large},
      {"1e999999", too_large},
      {"1e99999999999999999999999999999", too_large},
      {"0.00000000000000000001e33", too_large},
  }));
  CAPTURE(c.text);
  const MoneyParseResult result = parse_decimal_money(c.text);
  CHECK_FALSE(result.ok);
  CHECK(result.error == c.error);
}

TEST_CASE("parse_decimal_money: a long text with a huge exponent finishes at once") {
  const std::string digits(10'000, '9');
  CHECK(parse_decimal_money(digits + "e-999999999").value.thousandths == 0);
  CHECK(parse_decimal_money(digits + "e999999999").error == MoneyParseError::too_large);
  CHECK(parse_decimal_money(std::string("0.").append(digits)).value.thousandths == 1'000);
}

TEST_CASE("append_money: shortest exact decimal") {
  const auto c = GENERATE(values<ParsedCase>({
      {"0", 0},
      {"10", 10'000},
      {"2.001", 2'001},
      {"69.9", 69'900},
      {"12.5", 12'500},
      {"0.01", 10},
      {"0.001", 1},
      {"-9.5", -9'500},
      {"-0.001", -1},
      {"1000000000000", 1'000'000'000'000'000},
      {"9223372036854775.807", INT64_MAX},
      {"-9223372036854775.808", INT64_MIN},
  }));
  std::string out = "x";
  append_money(out, Money{c.thousandths});
  CHECK(out == std::string("x").append(c.text));
}

TEST_CASE("append_money and parse_decimal_money round-trip") {
  for (const std::int64_t thousandths :
       {0L, 1L, 10L, 999L, 1'000L, 123'456L, 1'000'000'000'000'000L}) {
    std::string text;
    append_money(text, Money{thousandths});
    CAPTURE(text);
    CHECK(parse_decimal_money(text).value.thousandths == thousandths);
  }
}

}  // namespace
}  // namespace segmentd
