#include "bench/generator/civil_time.h"

namespace segmentd::gen {
namespace {

bool is_leap(int year) { return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0); }

int days_in_month(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && is_leap(year) ? 29 : kDays[month - 1];
}

// Reads exactly `width` decimal digits at `pos`; -1 if any is not a digit.
int read_digits(std::string_view text, std::size_t pos, std::size_t width) {
  if (pos + width > text.size()) return -1;
  int value = 0;
  for (std::size_t i = pos; i < pos + width; ++i) {
    if (text[i] < '0' || text[i] > '9') return -1;
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

bool expect(std::string_view text, std::size_t pos, char c) {
  return pos < text.size() && text[pos] == c;
}

std::optional<EpochMs> parse_date(std::string_view text) {
  const int year = read_digits(text, 0, 4);
  const int month = read_digits(text, 5, 2);
  const int day = read_digits(text, 8, 2);
  if (year < 0 || month < 1 || month > 12 || day < 1 || !expect(text, 4, '-') ||
      !expect(text, 7, '-') || day > days_in_month(year, month)) {
    return std::nullopt;
  }
  return days_from_civil({year, month, day}) * kMsPerDay;
}

std::optional<EpochMs> parse_clock(std::string_view text) {
  const int hour = read_digits(text, 0, 2);
  const int minute = read_digits(text, 3, 2);
  const int second = read_digits(text, 6, 2);
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59 ||
      !expect(text, 2, ':') || !expect(text, 5, ':')) {
    return std::nullopt;
  }
  return hour * kMsPerHour + minute * kMsPerMinute + second * kMsPerSecond;
}

// Parses `.fraction` at the front of `text`; returns the milliseconds and advances
// `pos` past it. No fraction: 0 ms.
std::optional<EpochMs> parse_fraction(std::string_view text, std::size_t& pos) {
  if (!expect(text, pos, '.')) return 0;
  ++pos;
  EpochMs millis = 0;
  std::size_t digits = 0;
  while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
    if (digits < 3) millis = millis * 10 + (text[pos] - '0');
    ++digits;
    ++pos;
  }
  if (digits == 0) return std::nullopt;
  for (std::size_t i = digits; i < 3; ++i) millis *= 10;
  return millis;
}

// `Z`, `z` or `±HH:MM` making up the rest of `text`: the offset east of UTC in ms.
std::optional<EpochMs> parse_offset(std::string_view text) {
  if (text == "Z" || text == "z") return 0;
  if (text.size() != 6 || (text[0] != '+' && text[0] != '-') || text[3] != ':') {
    return std::nullopt;
  }
  const int hours = read_digits(text, 1, 2);
  const int minutes = read_digits(text, 4, 2);
  if (hours < 0 || hours > 23 || minutes < 0 || minutes > 59) return std::nullopt;
  const EpochMs offset = hours * kMsPerHour + minutes * kMsPerMinute;
  return text[0] == '+' ? offset : -offset;
}

}  // namespace

std::int64_t days_from_civil(CivilDate date) {
  const std::int64_t y = date.year - (date.month <= 2 ? 1 : 0);
  const std::int64_t era = floor_div(y, 400);
  const std::int64_t yoe = y - era * 400;
  const std::int64_t mp = (date.month + 9) % 12;
  const std::int64_t doy = (153 * mp + 2) / 5 + date.day - 1;
  const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

CivilDate civil_from_days(std::int64_t days) {
  const std::int64_t z = days + 719468;
  const std::int64_t era = floor_div(z, 146097);
  const std::int64_t doe = z - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  const std::int64_t day = doy - (153 * mp + 2) / 5 + 1;
  const std::int64_t month = mp < 10 ? mp + 3 : mp - 9;
  const std::int64_t year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  return {static_cast<int>(year), static_cast<int>(month), static_cast<int>(day)};
}

std::optional<EpochMs> parse_rfc3339(std::string_view text) {
  const auto date = parse_date(text);
  if (!date) return std::nullopt;
  if (text.size() == 10) return date;
  if (!expect(text, 10, 'T') && !expect(text, 10, 't')) return std::nullopt;
  const auto clock = parse_clock(text.substr(11));
  std::size_t pos = 19;
  const auto millis = clock ? parse_fraction(text, pos) : std::nullopt;
  const auto offset = millis ? parse_offset(text.substr(pos)) : std::nullopt;
  if (!offset) return std::nullopt;
  return *date + *clock + *millis - *offset;
}

}  // namespace segmentd::gen
