#include "engine/event_time.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <string>
#include <string_view>

namespace segmentd {
namespace {

struct TimeCase {
  std::string_view text;
  std::int64_t ms;
};

struct BadTimeCase {
  std::string_view text;
  TimeParseError error;
};

TEST_CASE("parse_rfc3339: valid texts") {
  const auto c = GENERATE(values<TimeCase>({
      {"1970-01-01T00:00:00Z", 0},
      {"1990-01-01T00:00:00Z", 631'152'000'000},
      {"2100-01-01T00:00:00Z", 4'102'444'800'000},
      {"2024-03-10T08:00:00+08:00", 1'710'028'800'000},
      {"2024-03-09T19:00:00.1239-05:00", 1'710'028'800'123},
      {"2024-03-11t00:00:01.5z", 1'710'115'201'500},
      {"2024-03-11T00:00:01.5Z", 1'710'115'201'500},
      {"2024-03-11T00:00:01.500000000000000000000000009Z", 1'710'115'201'500},
      {"2024-03-11T00:00:01.0Z", 1'710'115'201'000},
      {"2024-03-11T00:00:01+00:00", 1'710'115'201'000},
      {"2024-03-11T00:00:01-00:00", 1'710'115'201'000},
      {"2024-02-29T23:59:59.999Z", 1'709'251'199'999},
      {"2000-02-29T12:00:00Z", 951'825'600'000},
      {"1600-02-29T00:00:00Z", -11'670'998'400'000},
      {"1900-03-01T00:00:00Z", -2'203'891'200'000},
      {"1969-12-31T23:59:59.999Z", -1},
      {"0000-01-01T00:00:00Z", -62'167'219'200'000},
      {"9999-12-31T23:59:59.999Z", 253'402'300'799'999},
      {"2024-01-01T00:00:00-23:59", 1'704'153'540'000},
      {"2024-01-01T00:00:00+23:59", 1'703'980'860'000},
  }));
  CAPTURE(c.text);
  const TimeParseResult result = parse_rfc3339(c.text);
  REQUIRE(result.ok);
  CHECK(result.value.ms == c.ms);
}

TEST_CASE("parse_rfc3339: rejections") {
  using enum TimeParseError;
  const auto c = GENERATE(values<BadTimeCase>({
      {"", syntax},
      {"last tuesday", syntax},
      {"2024-01-01", syntax},
      {"2024-01-01T00:00:00", syntax},
      {"2024-01-01 00:00:00Z", syntax},
      {"2024-01-01T00:00Z", syntax},
      {"2024-1-01T00:00:00Z", syntax},
      {"24-01-01T00:00:00Z", syntax},
      {"+2024-01-01T00:00:00Z", syntax},
      {"2024/01/01T00:00:00Z", syntax},
      {"2024-01-01T00:00:00.Z", syntax},
      {"2024-01-01T00:00:00,5Z", syntax},
      {"2024-01-01T00:00:00ZZ", syntax},
      {"2024-01-01T00:00:00Z ", syntax},
      {" 2024-01-01T00:00:00Z", syntax},
      {"2024-01-01T00:00:00+0800", syntax},
      {"2024-01-01T00:00:00+08", syntax},
      {"2024-01-01T00:00:00+24:00", syntax},
      {"2024-01-01T00:00:00+08:60", syntax},
      {"2024-01-01T00:00:00UTC", syntax},
      {"2024-01-01T00:00:00x", syntax},
      {"2024-0a-01T00:00:00Z", syntax},
      {"2024-02-30T00:00:00Z", impossible_date},
      {"2023-02-29T00:00:00Z", impossible_date},
      {"1900-02-29T00:00:00Z", impossible_date},
      {"2024-04-31T00:00:00Z", impossible_date},
      {"2024-13-01T00:00:00Z", impossible_date},
      {"2024-00-01T00:00:00Z", impossible_date},
      {"2024-01-00T00:00:00Z", impossible_date},
      {"2024-01-32T00:00:00Z", impossible_date},
      {"2024-01-01T24:00:00Z", impossible_date},
      {"2024-01-01T00:60:00Z", impossible_date},
      {"2024-01-01T00:00:60Z", impossible_date},
      {"2016-12-31T23:59:60Z", impossible_date},
  }));
  CAPTURE(c.text);
  const TimeParseResult result = parse_rfc3339(c.text);
  CHECK_FALSE(result.ok);
  CHECK(result.error == c.error);
}

TEST_CASE("format_rfc3339: UTC with three fractional digits") {
  const auto c = GENERATE(values<TimeCase>({
      {"1970-01-01T00:00:00.000Z", 0},
      {"1969-12-31T23:59:59.999Z", -1},
      {"1990-01-01T00:00:00.000Z", 631'152'000'000},
      {"2024-03-10T00:00:00.123Z", 1'710'028'800'123},
      {"2024-02-29T23:59:59.999Z", 1'709'251'199'999},
      {"2100-01-01T00:00:00.000Z", 4'102'444'800'000},
      {"0000-01-01T00:00:00.000Z", -62'167'219'200'000},
      {"9999-12-31T23:59:59.999Z", 253'402'300'799'999},
  }));
  CHECK(format_rfc3339(EpochMs{c.ms}) == c.text);
  std::string out = "ts=";
  append_rfc3339(out, EpochMs{c.ms});
  CHECK(out == std::string("ts=").append(c.text));
}

TEST_CASE("format_rfc3339 and parse_rfc3339 round-trip every day for 800 years") {
  for (std::int64_t day = -150'000; day < 150'000; day += 7) {
    const EpochMs t{day * 86'400'000 + 45'296'789};  // 12:34:56.789
    const TimeParseResult parsed = parse_rfc3339(format_rfc3339(t));
    REQUIRE(parsed.ok);
    REQUIRE(parsed.value == t);
  }
}

TEST_CASE("calendar_day: floor division at the offset") {
  const DurationMs utc{0};
  const DurationMs plus8 = DurationMs::hours(8);
  const DurationMs minus5 = DurationMs::hours(-5);
  CHECK(calendar_day(EpochMs{0}, utc) == 0);
  CHECK(calendar_day(EpochMs{86'399'999}, utc) == 0);
  CHECK(calendar_day(EpochMs{86'400'000}, utc) == 1);
  CHECK(calendar_day(EpochMs{-1}, utc) == -1);
  CHECK(calendar_day(EpochMs{-86'400'000}, utc) == -1);
  CHECK(calendar_day(EpochMs{-86'400'001}, utc) == -2);
  CHECK(calendar_day(EpochMs{0}, minus5) == -1);
  CHECK(calendar_day(EpochMs{16 * 3'600'000}, plus8) == 1);
  CHECK(calendar_day(EpochMs{16 * 3'600'000 - 1}, plus8) == 0);
  const EpochMs march_10_local = parse_rfc3339("2024-03-10T00:00:00+08:00").value;
  CHECK(calendar_day(march_10_local, plus8) == 19'792);
  CHECK(calendar_day(march_10_local, utc) == 19'791);
}

TEST_CASE("event time range constants match their texts") {
  CHECK(parse_rfc3339("1990-01-01T00:00:00Z").value == kEarliestEventTime);
  CHECK(parse_rfc3339("2100-01-01T00:00:00Z").value == kEndOfEventTime);
}

}  // namespace
}  // namespace segmentd
