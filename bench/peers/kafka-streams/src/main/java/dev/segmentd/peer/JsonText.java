package dev.segmentd.peer;

/**
 * Byte-level checks segmentd's JSON reader (simdjson) makes and Jackson does not: the text
 * must be strict UTF-8 (no overlong forms, no encoded surrogates, nothing above U+10FFFF),
 * must not start with a byte order mark, and every `\\u` escape of a UTF-16 surrogate must
 * be a proper high+low pair. Stateless.
 */
final class JsonText {
  private JsonText() {}

  static boolean isAcceptable(byte[] b) {
    if (b.length >= 3 && (b[0] & 0xFF) == 0xEF && (b[1] & 0xFF) == 0xBB && (b[2] & 0xFF) == 0xBF) {
      return false;
    }
    int i = 0;
    final int n = b.length;
    while (i < n) {
      final int c = b[i] & 0xFF;
      if (c == '\\') {
        i = escapeEnd(b, i);
        if (i < 0) return false;
      } else if (c < 0x80) {
        ++i;
      } else {
        i = utf8End(b, i, c);
        if (i < 0) return false;
      }
    }
    return true;
  }

  // The index after the multi-byte character starting at i, or -1 if it is not strict UTF-8.
  private static int utf8End(byte[] b, int i, int c) {
    final int n = b.length;
    if (c >= 0xC2 && c <= 0xDF) {
      return i + 1 < n && cont(b[i + 1]) ? i + 2 : -1;
    }
    if (c >= 0xE0 && c <= 0xEF) {
      if (i + 2 >= n || !cont(b[i + 1]) || !cont(b[i + 2])) return -1;
      final int b1 = b[i + 1] & 0xFF;
      if (c == 0xE0 && b1 < 0xA0) return -1; // overlong
      if (c == 0xED && b1 >= 0xA0) return -1; // surrogate
      return i + 3;
    }
    if (c >= 0xF0 && c <= 0xF4) {
      if (i + 3 >= n || !cont(b[i + 1]) || !cont(b[i + 2]) || !cont(b[i + 3])) return -1;
      final int b1 = b[i + 1] & 0xFF;
      if (c == 0xF0 && b1 < 0x90) return -1; // overlong
      if (c == 0xF4 && b1 >= 0x90) return -1; // above U+10FFFF
      return i + 4;
    }
    return -1;
  }

  private static boolean cont(byte x) {
    return (x & 0xC0) == 0x80;
  }

  // The index after the escape starting at i (a backslash), or -1 for a lone surrogate.
  // Other malformed escapes are left to the JSON parser.
  private static int escapeEnd(byte[] b, int i) {
    if (i + 1 >= b.length || b[i + 1] != 'u') return i + 2;
    final int unit = hex4(b, i + 2);
    if (unit < 0) return i + 2;
    if (unit >= 0xDC00 && unit <= 0xDFFF) return -1; // low surrogate without a high one
    if (unit < 0xD800 || unit > 0xDBFF) return i + 6;
    if (i + 7 >= b.length || b[i + 6] != '\\' || b[i + 7] != 'u') return -1;
    final int low = hex4(b, i + 8);
    return low >= 0xDC00 && low <= 0xDFFF ? i + 12 : -1;
  }

  private static int hex4(byte[] b, int at) {
    if (at + 4 > b.length) return -1;
    int v = 0;
    for (int k = at; k < at + 4; ++k) {
      final int d = Character.digit(b[k], 16);
      if (d < 0) return -1;
      v = v * 16 + d;
    }
    return v;
  }
}
