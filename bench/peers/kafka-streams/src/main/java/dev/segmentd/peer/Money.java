package dev.segmentd.peer;

/**
 * Exact money in thousandths (0.001) held in a long, parsed from the JSON text and never
 * through a double (SPEC 2: 0 &lt;= amount &lt;= 1e12, rounded half away from zero).
 * A port of segmentd's engine/money.cc so both round the same way. Stateless.
 */
final class Money {
  /** 1e12 in thousandths: the largest amount one event may carry. */
  static final long MAX_EVENT_AMOUNT = 1_000_000_000_000_000L;

  enum Error { SYNTAX, NEGATIVE, TOO_LARGE }

  /** Thrown by {@link #parse} with the reason; no stack trace (it is an expected outcome). */
  static final class ParseException extends Exception {
    final Error error;

    ParseException(Error error) {
      super(error.name(), null, false, false);
      this.error = error;
    }
  }

  // Exponents saturate far beyond any text length and far below the long limit.
  private static final long EXPONENT_CAP = 100_000_000_000_000_000L;
  private static final int MAX_DIGITS = 16; // MAX_EVENT_AMOUNT has 16 digits

  private Money() {}

  /**
   * Parses a JSON number (the exact JSON grammar, also when it came as a string) into
   * thousandths.
   */
  static long parse(String text) throws ParseException {
    final int n = text.length();
    int pos = 0;
    final boolean negative = pos < n && text.charAt(pos) == '-';
    if (negative) ++pos;
    final int intStart = pos;
    while (pos < n && isDigit(text.charAt(pos))) ++pos;
    final int intEnd = pos;
    if (intEnd == intStart || (intEnd - intStart > 1 && text.charAt(intStart) == '0')) {
      throw new ParseException(Error.SYNTAX);
    }
    int fracStart = pos;
    int fracEnd = pos;
    if (pos < n && text.charAt(pos) == '.') {
      fracStart = ++pos;
      while (pos < n && isDigit(text.charAt(pos))) ++pos;
      fracEnd = pos;
      if (fracEnd == fracStart) throw new ParseException(Error.SYNTAX);
    }
    long exponent = 0;
    if (pos < n && (text.charAt(pos) == 'e' || text.charAt(pos) == 'E')) {
      ++pos;
      boolean expNegative = false;
      if (pos < n && (text.charAt(pos) == '-' || text.charAt(pos) == '+')) {
        expNegative = text.charAt(pos) == '-';
        ++pos;
      }
      final int expStart = pos;
      while (pos < n && isDigit(text.charAt(pos))) {
        if (exponent < EXPONENT_CAP) exponent = exponent * 10 + (text.charAt(pos) - '0');
        ++pos;
      }
      if (pos == expStart) throw new ParseException(Error.SYNTAX);
      if (expNegative) exponent = -exponent;
    }
    if (pos != n) throw new ParseException(Error.SYNTAX);

    final Digits digits = new Digits(text, intStart, intEnd, fracStart, fracEnd);
    int first = 0;
    while (first < digits.count && digits.at(first) == 0) ++first;
    if (first == digits.count) return 0;
    if (negative) throw new ParseException(Error.NEGATIVE);
    final long shift = exponent - (fracEnd - fracStart) + 3;
    return roundToThousandths(digits, first, shift);
  }

  // digits[first, count) * 10^shift, rounded half away from zero.
  private static long roundToThousandths(Digits digits, int first, long shift)
      throws ParseException {
    final long significant = digits.count - first;
    final long integerDigits = significant + shift; // digits before the point
    if (integerDigits > MAX_DIGITS) throw new ParseException(Error.TOO_LARGE);
    long value = 0;
    for (long i = 0; i < integerDigits; ++i) {
      value = value * 10 + (i < significant ? digits.at(first + (int) i) : 0);
    }
    if (integerDigits >= 0 && integerDigits < significant
        && digits.at(first + (int) integerDigits) >= 5) {
      ++value;
    }
    if (value > MAX_EVENT_AMOUNT) throw new ParseException(Error.TOO_LARGE);
    return value;
  }

  /** "1234.5", "-9.5", "2.001", "0": at most three fractional digits, no exponent. */
  static void append(StringBuilder out, long thousandths) {
    long magnitude = thousandths;
    if (thousandths < 0) {
      out.append('-');
      magnitude = -thousandths; // |amount| stays far below Long.MAX_VALUE
    }
    out.append(magnitude / 1000);
    int fraction = (int) (magnitude % 1000);
    if (fraction == 0) return;
    out.append('.').append((char) ('0' + fraction / 100));
    fraction %= 100;
    if (fraction == 0) return;
    out.append((char) ('0' + fraction / 10));
    fraction %= 10;
    if (fraction == 0) return;
    out.append((char) ('0' + fraction));
  }

  static String format(long thousandths) {
    final StringBuilder out = new StringBuilder(24);
    append(out, thousandths);
    return out.toString();
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  /** The integer digits followed by the fraction digits of a number's text. */
  private static final class Digits {
    final String text;
    final int intStart;
    final int intCount;
    final int fracStart;
    final int count;

    Digits(String text, int intStart, int intEnd, int fracStart, int fracEnd) {
      this.text = text;
      this.intStart = intStart;
      this.intCount = intEnd - intStart;
      this.fracStart = fracStart;
      this.count = intCount + (fracEnd - fracStart);
    }

    int at(int i) {
      final char c = i < intCount ? text.charAt(intStart + i) : text.charAt(fracStart + i - intCount);
      return c - '0';
    }
  }
}
