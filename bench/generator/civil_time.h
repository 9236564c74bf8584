// Calendar arithmetic and RFC 3339 text for segmentd-gen (proleptic Gregorian, UTC
// epoch milliseconds; no time zone database, offsets are explicit minutes).
//
//   days_from_civil / civil_from_days  exact for any year in [-9999, 9999].
//   append_rfc3339  `YYYY-MM-DDTHH:MM:SS[.mmm](Z|±HH:MM)`: the instant `t` shown as
//                   local time at `offset_minutes` east of UTC; offset 0 prints `Z`
//                   unless `force_numeric_offset`. Milliseconds are printed when
//                   `with_millis`, otherwise truncated away.
//   parse_rfc3339   accepts `YYYY-MM-DD` (midnight UTC) or
//                   `YYYY-MM-DDTHH:MM:SS[.fraction](Z|z|±HH:MM)`; the fraction is
//                   truncated to milliseconds. nullopt on any syntax or range error.
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "bench/generator/text_format.h"

namespace segmentd::gen {

using EpochMs = std::int64_t;

constexpr EpochMs kMsPerSecond = 1000;
constexpr EpochMs kMsPerMinute = 60 * kMsPerSecond;
constexpr EpochMs kMsPerHour = 60 * kMsPerMinute;
constexpr EpochMs kMsPerDay = 24 * kMsPerHour;

struct CivilDate {
  int year;
  int month;  // 1..12
  int day;    // 1..31
};

std::int64_t days_from_civil(CivilDate date);
CivilDate civil_from_days(std::int64_t days);

struct TimeStyle {
  int offset_minutes = 0;
  bool with_millis = false;
  bool force_numeric_offset = false;
};
// `Out`: std::string or LineBuffer (see text_format.h).
template <class Out>
void append_rfc3339(Out& out, EpochMs t, TimeStyle style);

std::optional<EpochMs> parse_rfc3339(std::string_view text);

// Floor division for possibly negative numerators; b > 0.
constexpr std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  return a / b - (a % b != 0 && a < 0 ? 1 : 0);
}

template <class Out>
void append_rfc3339(Out& out, EpochMs t, TimeStyle style) {
  const EpochMs local = t + style.offset_minutes * kMsPerMinute;
  const std::int64_t days = floor_div(local, kMsPerDay);
  const EpochMs in_day = local - days * kMsPerDay;
  const CivilDate date = civil_from_days(days);
  append_padded(out, date.year, 4);
  out.push_back('-');
  append_two(out, date.month);
  out.push_back('-');
  append_two(out, date.day);
  out.push_back('T');
  append_two(out, in_day / kMsPerHour);
  out.push_back(':');
  append_two(out, in_day / kMsPerMinute % 60);
  out.push_back(':');
  append_two(out, in_day / kMsPerSecond % 60);
  if (style.with_millis) {
    out.push_back('.');
    append_padded(out, in_day % kMsPerSecond, 3);
  }
  if (style.offset_minutes == 0 && !style.force_numeric_offset) {
    out.push_back('Z');
    return;
  }
  const int magnitude = style.offset_minutes < 0 ? -style.offset_minutes : style.offset_minutes;
  out.push_back(style.offset_minutes < 0 ? '-' : '+');
  append_two(out, magnitude / 60);
  out.push_back(':');
  append_two(out, magnitude % 60);
}

}  // namespace segmentd::gen
