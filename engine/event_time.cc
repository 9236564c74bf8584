#include "engine/event_time.h"

#include <cstdint>

namespace segmentd {

namespace {

constexpr std::int64_t kMsPerSecond = 1000;
constexpr std::int64_t kMsPerMinute = 60 * kMsPerSecond;
constexpr std::int64_t kMsPerDay = 86'400'000;

// The fields of `YYYY-MM-DDTHH:MM:SS.fffZ` as written, before any range check.
struct CivilTime {
  int year = 0;
  int month = 0;
  int day = 0;
  int hour = 0;
  int minute = 0;
  int second = 0;
  int millisecond = 0;
  int offset_minutes = 0;  // local time minus UTC
};

struct CivilDate {
  std::int64_t year;
  unsigned month;  // [1, 12]
  unsigned day;    // [1, 31]
};

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  const std::int64_t quotient = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? quotient - 1 : quotient;
}

// Howard Hinnant's days_from_civil: days since 1970-01-01 of a proleptic Gregorian date.
std::int64_t days_from_civil(std::int64_t year, unsigned month, unsigned day) {
  year -= month <= 2 ? 1 : 0;
  const std::int64_t era = floor_div(year, 400);
  const auto year_of_era = static_cast<unsigned>(year - era * 400);  // [0, 399]
  const unsigned day_of_year = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
  const unsigned day_of_era =
      year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;  // [0, 146096]
  return era * 146'097 + day_of_era - 719'468;
}

// Howard Hinnant's civil_from_days, the inverse of days_from_civil.
CivilDate civil_from_days(std::int64_t days) {
  days += 719'468;
  const std::int64_t era = floor_div(days, 146'097);
  const auto day_of_era = static_cast<unsigned>(days - era * 146'097);  // [0, 146096]
  const unsigned year_of_era =
      (day_of_era - day_of_era / 1460 + day_of_era / 36'524 - day_of_era / 146'096) / 365;
  const unsigned day_of_year =
      day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);  // [0, 365]
  const unsigned shifted_month = (5 * day_of_year + 2) / 153;  // [0, 11], March first
  const unsigned day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
  const unsigned month = shifted_month < 10 ? shifted_month + 3 : shifted_month - 9;
  const std::int64_t year = year_of_era + era * 400 + (month <= 2 ? 1 : 0);
  return {year, month, day};
}

bool is_leap_year(int year) { return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0); }

int days_in_month(int year, int month) {
  constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && is_leap_year(year) ? 29 : kDays[month - 1];
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Reads exactly `count` digits at `pos` into `value` and moves `pos` past them.
bool read_number(std::string_view text, std::size_t& pos, std::size_t count, int& value) {
  if (text.size() - pos < count) return false;
  value = 0;
  for (std::size_t end = pos + count; pos < end; ++pos) {
    if (!is_digit(text[pos])) return false;
    value = value * 10 + (text[pos] - '0');
  }
  return true;
}

bool read_char(std::string_view text, std::size_t& pos, char a, char b) {
  if (pos >= text.size() || (text[pos] != a && text[pos] != b)) return false;
  ++pos;
  return true;
}

bool read_date_time(std::string_view text, std::size_t& pos, CivilTime& t) {
  return read_number(text, pos, 4, t.year) && read_char(text, pos, '-', '-') &&
         read_number(text, pos, 2, t.month) && read_char(text, pos, '-', '-') &&
         read_number(text, pos, 2, t.day) && read_char(text, pos, 'T', 't') &&
         read_number(text, pos, 2, t.hour) && read_char(text, pos, ':', ':') &&
         read_number(text, pos, 2, t.minute) && read_char(text, pos, ':', ':') &&
         read_number(text, pos, 2, t.second);
}

// `(\.[0-9]+)?`, truncated to milliseconds.
bool read_fraction(std::string_view text, std::size_t& pos, CivilTime& t) {
  if (!read_char(text, pos, '.', '.')) return true;
  const std::size_t start = pos;
  int scale = 100;
  for (; pos < text.size() && is_digit(text[pos]); ++pos, scale /= 10) {
    t.millisecond += scale * (text[pos] - '0');
  }
  return pos > start;
}

// `Z`, `z` or `(+|-)HH:MM` up to 23:59.
bool read_offset(std::string_view text, std::size_t& pos, CivilTime& t) {
  if (read_char(text, pos, 'Z', 'z')) return true;
  const bool behind_utc = pos < text.size() && text[pos] == '-';
  int hours = 0;
  int minutes = 0;
  const bool ok = read_char(text, pos, '+', '-') && read_number(text, pos, 2, hours) &&
                  read_char(text, pos, ':', ':') && read_number(text, pos, 2, minutes);
  if (!ok || hours > 23 || minutes > 59) return false;
  t.offset_minutes = (behind_utc ? -1 : 1) * (hours * 60 + minutes);
  return true;
}

bool read_rfc3339(std::string_view text, CivilTime& t) {
  std::size_t pos = 0;
  return read_date_time(text, pos, t) && read_fraction(text, pos, t) && read_offset(text, pos, t) &&
         pos == text.size();
}

bool exists(const CivilTime& t) {
  return t.month >= 1 && t.month <= 12 && t.day >= 1 && t.day <= days_in_month(t.year, t.month) &&
         t.hour <= 23 && t.minute <= 59 && t.second <= 59;
}

EpochMs to_epoch_ms(const CivilTime& t) {
  const std::int64_t days =
      days_from_civil(t.year, static_cast<unsigned>(t.month), static_cast<unsigned>(t.day));
  const std::int64_t local_minutes = (days * 24 + t.hour) * 60 + t.minute;
  const std::int64_t utc_minutes = local_minutes - t.offset_minutes;
  return EpochMs{utc_minutes * kMsPerMinute + t.second * kMsPerSecond + t.millisecond};
}

// Appends `value` with at least `width` digits, zero-padded.
void append_padded(std::string& out, std::int64_t value, int width) {
  if (value < 0) {
    out.push_back('-');
    value = -value;
  }
  char digits[20];
  int length = 0;
  for (; value > 0 || length < width; value /= 10) {
    digits[length++] = static_cast<char>('0' + value % 10);
  }
  while (length > 0) out.push_back(digits[--length]);
}

}  // namespace

TimeParseResult parse_rfc3339(std::string_view text) {
  CivilTime t;
  if (!read_rfc3339(text, t)) return {false, EpochMs{}, TimeParseError::syntax};
  if (!exists(t)) return {false, EpochMs{}, TimeParseError::impossible_date};
  return {true, to_epoch_ms(t)};
}

void append_rfc3339(std::string& out, EpochMs t) {
  const std::int64_t days = floor_div(t.ms, kMsPerDay);
  const std::int64_t ms_of_day = t.ms - days * kMsPerDay;
  const CivilDate date = civil_from_days(days);
  append_padded(out, date.year, 4);
  out.push_back('-');
  append_padded(out, date.month, 2);
  out.push_back('-');
  append_padded(out, date.day, 2);
  out.push_back('T');
  append_padded(out, ms_of_day / 3'600'000, 2);
  out.push_back(':');
  append_padded(out, ms_of_day / kMsPerMinute % 60, 2);
  out.push_back(':');
  append_padded(out, ms_of_day / kMsPerSecond % 60, 2);
  out.push_back('.');
  append_padded(out, ms_of_day % kMsPerSecond, 3);
  out.push_back('Z');
}

std::string format_rfc3339(EpochMs t) {
  std::string out;
  append_rfc3339(out, t);
  return out;
}

std::int32_t calendar_day(EpochMs t, DurationMs utc_offset) {
  return static_cast<std::int32_t>(floor_div(t.ms + utc_offset.ms, kMsPerDay));
}

}  // namespace segmentd
