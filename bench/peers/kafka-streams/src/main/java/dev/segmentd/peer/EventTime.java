package dev.segmentd.peer;

/**
 * RFC 3339 timestamps to and from epoch milliseconds, exactly as segmentd reads and
 * writes them (engine/event_time.cc): `YYYY-MM-DD[Tt]HH:MM:SS(.fraction)?([Zz]|±HH:MM)`,
 * the fraction truncated to milliseconds, no leap seconds. Stateless.
 */
final class EventTime {
  /** 1990-01-01T00:00:00Z: earlier times are rejected (seconds sent as milliseconds). */
  static final long EARLIEST = 631_152_000_000L;
  /** 2100-01-01T00:00:00Z: the first time that is rejected. */
  static final long END = 4_102_444_800_000L;

  static final long NOT_RFC3339 = Long.MIN_VALUE;
  static final long IMPOSSIBLE_DATE = Long.MIN_VALUE + 1;

  private static final long MS_PER_DAY = 86_400_000L;

  private EventTime() {}

  /** Epoch ms, or {@link #NOT_RFC3339} / {@link #IMPOSSIBLE_DATE}. */
  static long parse(String s) {
    final int n = s.length();
    if (n < 20) return NOT_RFC3339;
    final int year = digits(s, 0, 4);
    final int month = digits(s, 5, 2);
    final int day = digits(s, 8, 2);
    final int hour = digits(s, 11, 2);
    final int minute = digits(s, 14, 2);
    final int second = digits(s, 17, 2);
    if (year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0
        || s.charAt(4) != '-' || s.charAt(7) != '-' || (s.charAt(10) != 'T' && s.charAt(10) != 't')
        || s.charAt(13) != ':' || s.charAt(16) != ':') {
      return NOT_RFC3339;
    }
    int pos = 19;
    int millis = 0;
    if (s.charAt(pos) == '.') {
      final int start = ++pos;
      int scale = 100;
      while (pos < n && isDigit(s.charAt(pos))) {
        millis += scale * (s.charAt(pos) - '0');
        scale /= 10;
        ++pos;
      }
      if (pos == start) return NOT_RFC3339;
    }
    if (pos >= n) return NOT_RFC3339;
    int offsetMinutes = 0;
    final char zone = s.charAt(pos);
    if (zone == 'Z' || zone == 'z') {
      ++pos;
    } else if (zone == '+' || zone == '-') {
      if (n - pos < 6 || s.charAt(pos + 3) != ':') return NOT_RFC3339;
      final int oh = digits(s, pos + 1, 2);
      final int om = digits(s, pos + 4, 2);
      if (oh < 0 || om < 0 || oh > 23 || om > 59) return NOT_RFC3339;
      offsetMinutes = (zone == '-' ? -1 : 1) * (oh * 60 + om);
      pos += 6;
    } else {
      return NOT_RFC3339;
    }
    if (pos != n) return NOT_RFC3339;
    if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23
        || minute > 59 || second > 59) {
      return IMPOSSIBLE_DATE;
    }
    final long localMinutes = (daysFromCivil(year, month, day) * 24 + hour) * 60 + minute;
    return (localMinutes - offsetMinutes) * 60_000L + second * 1000L + millis;
  }

  /** "2024-11-01T00:00:00.000Z". */
  static void append(StringBuilder out, long epochMs) {
    final long days = Math.floorDiv(epochMs, MS_PER_DAY);
    final long msOfDay = epochMs - days * MS_PER_DAY;
    // Howard Hinnant's civil_from_days.
    final long z = days + 719_468;
    final long era = Math.floorDiv(z, 146_097);
    final long doe = z - era * 146_097;
    final long yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    final long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    final long mp = (5 * doy + 2) / 153;
    final long day = doy - (153 * mp + 2) / 5 + 1;
    final long month = mp < 10 ? mp + 3 : mp - 9;
    final long year = yoe + era * 400 + (month <= 2 ? 1 : 0);
    pad(out, year, 4).append('-');
    pad(out, month, 2).append('-');
    pad(out, day, 2).append('T');
    pad(out, msOfDay / 3_600_000, 2).append(':');
    pad(out, msOfDay / 60_000 % 60, 2).append(':');
    pad(out, msOfDay / 1000 % 60, 2).append('.');
    pad(out, msOfDay % 1000, 3).append('Z');
  }

  static String format(long epochMs) {
    final StringBuilder out = new StringBuilder(24);
    append(out, epochMs);
    return out.toString();
  }

  // Howard Hinnant's days_from_civil.
  static long daysFromCivil(long year, int month, int day) {
    year -= month <= 2 ? 1 : 0;
    final long era = Math.floorDiv(year, 400);
    final long yoe = year - era * 400;
    final long doy = (153L * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
    final long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146_097 + doe - 719_468;
  }

  private static StringBuilder pad(StringBuilder out, long value, int width) {
    if (value < 0) {
      out.append('-');
      value = -value;
    }
    final String digits = Long.toString(value);
    for (int i = digits.length(); i < width; ++i) out.append('0');
    return out.append(digits);
  }

  private static int daysInMonth(int year, int month) {
    if (month == 2) return (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28;
    return (month == 4 || month == 6 || month == 9 || month == 11) ? 30 : 31;
  }

  /** The `count` digits at `pos` as a number, or -1 if they are not all digits. */
  private static int digits(String s, int pos, int count) {
    int value = 0;
    for (int i = pos; i < pos + count; ++i) {
      final char c = s.charAt(i);
      if (!isDigit(c)) return -1;
      value = value * 10 + (c - '0');
    }
    return value;
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }
}
