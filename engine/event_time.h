// Event-time text: RFC 3339 parsing and printing at millisecond precision (SPEC 2, 3.1).
//
// parse_rfc3339 accepts `YYYY-MM-DD(T|t)HH:MM:SS(.fraction)?(Z|z|(+|-)HH:MM)`. The
// fraction may have any number of digits and is truncated to milliseconds. Errors:
// - syntax: anything else, including an offset beyond ±23:59 and surrounding spaces.
// - impossible_date: well-formed, but the date or time does not exist (month 13,
//   Feb 30, Feb 29 of a non-leap year, hour 24, minute 60, leap second 60).
// Years are 0000-9999 (proleptic Gregorian calendar), so any accepted text fits EpochMs.
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "engine/units.h"

namespace segmentd {

enum class TimeParseError { syntax, impossible_date };

struct TimeParseResult {
  bool ok = false;
  EpochMs value{};
  TimeParseError error = TimeParseError::syntax;
};

TimeParseResult parse_rfc3339(std::string_view text);

// Appends `t` as `YYYY-MM-DDTHH:MM:SS.mmmZ` (UTC, always three fractional digits).
void append_rfc3339(std::string& out, EpochMs t);
std::string format_rfc3339(EpochMs t);

// Days since 1970-01-01 of the calendar day that contains `t` at `utc_offset`
// (rounding towards the past, also before 1970). REQUIRES: the day fits in int32.
std::int32_t calendar_day(EpochMs t, DurationMs utc_offset);

// The valid event-time range of SPEC 2: [1990-01-01T00:00:00Z, 2100-01-01T00:00:00Z).
inline constexpr EpochMs kEarliestEventTime{631'152'000'000};
inline constexpr EpochMs kEndOfEventTime{4'102'444'800'000};

}  // namespace segmentd
