package dev.segmentd.peer;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Validates one purchase event value against SPEC 2 with the same reason codes and details
 * as segmentd (connectors/event_parser.cc): the whole document must be valid JSON, known
 * fields are checked in the order event_id, member_id, ts, type, amount, items, store_id,
 * currency, and the first problem wins. Money never goes through a double.
 *
 * <p>Not thread-safe (it reuses its field slots); use one per stream thread. Jackson's
 * {@link JsonFactory} is shared and thread-safe.
 */
final class EventParser {
  private static final JsonFactory JSON = JsonFactory.builder()
      .streamReadConstraints(StreamReadConstraints.builder()
          .maxNestingDepth(1023)
          .maxNumberLength(Integer.MAX_VALUE)
          .maxStringLength(Integer.MAX_VALUE)
          .build())
      .build();

  private static final int MAX_ID_BYTES = 128;
  private static final int MAX_QUOTED_BYTES = 64;

  /** Known keys of an event, in validation order. */
  private static final String[] FIELDS =
      {"event_id", "member_id", "ts", "type", "amount", "items", "store_id", "currency"};
  private static final int EVENT_ID = 0;
  private static final int MEMBER_ID = 1;
  private static final int TS = 2;
  private static final int TYPE = 3;
  private static final int AMOUNT = 4;
  private static final int ITEMS = 5;
  private static final int STORE_ID = 6;
  private static final int CURRENCY = 7;

  private static final String[] ITEM_FIELDS = {"sku", "category", "qty", "price"};

  private final int maxEventBytes;
  private final long maxFutureSkewMs; // < 0: no future check
  private final Slot[] fields = newSlots(FIELDS.length);
  private final Slot[] itemFields = newSlots(ITEM_FIELDS.length);
  private String itemProblem;

  /** maxFutureSkewMs &lt; 0 disables the future_timestamp check (replay semantics). */
  EventParser(int maxEventBytes, long maxFutureSkewMs) {
    this.maxEventBytes = maxEventBytes;
    this.maxFutureSkewMs = maxFutureSkewMs;
  }

  /** Parses `raw` (the record value; null counts as invalid JSON). Never throws. */
  PurchaseRecord parse(byte[] raw, long wallNowMs) {
    if (raw == null) return new PurchaseRecord.Rejected("invalid_json", "not valid JSON", raw);
    if (raw.length > maxEventBytes) {
      return new PurchaseRecord.Rejected("too_large", "event is " + raw.length
          + " bytes, limit input.max_event_bytes = " + maxEventBytes, raw);
    }
    if (!JsonText.isAcceptable(raw)) {
      return new PurchaseRecord.Rejected("invalid_json", "not valid JSON", raw);
    }
    try {
      final Shape shape = scan(raw);
      if (shape == Shape.OTHER_JSON) {
        return new PurchaseRecord.Rejected("invalid_json", "not a JSON object", raw);
      }
    } catch (IOException | RuntimeException e) {
      return new PurchaseRecord.Rejected("invalid_json", "not valid JSON", raw);
    }
    return validate(raw, wallNowMs);
  }

  // ------------------------------------------------------------------ reading the document

  private enum Shape { OBJECT, OTHER_JSON }

  /** Kinds of JSON value a slot can hold. */
  private enum Kind { STRING, NUMBER, BOOLEAN, NULL, OBJECT, ARRAY }

  /** Occurrences of one known key: how many times it appeared and its last value. */
  private static final class Slot {
    int count;
    Kind kind;
    String text; // string: unescaped; number: the token as written; otherwise null

    void clear() {
      count = 0;
      kind = null;
      text = null;
    }

    boolean isAbsent() {
      return count == 0 || (count == 1 && kind == Kind.NULL);
    }
  }

  private static Slot[] newSlots(int n) {
    final Slot[] slots = new Slot[n];
    for (int i = 0; i < n; ++i) slots[i] = new Slot();
    return slots;
  }

  private Shape scan(byte[] raw) throws IOException {
    for (Slot s : fields) s.clear();
    itemProblem = null;
    try (JsonParser p = JSON.createParser(raw)) {
      final JsonToken root = p.nextToken();
      if (root == null) throw new IOException("empty document");
      final Shape shape;
      if (root == JsonToken.START_OBJECT) {
        readEventObject(p);
        shape = Shape.OBJECT;
      } else {
        p.skipChildren();
        shape = Shape.OTHER_JSON;
      }
      if (p.nextToken() != null) throw new IOException("content after the document");
      return shape;
    }
  }

  private void readEventObject(JsonParser p) throws IOException {
    for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
      final int key = indexOf(FIELDS, p.currentName());
      final JsonToken value = p.nextToken();
      if (key < 0) {
        p.skipChildren();
        continue;
      }
      final Slot slot = fields[key];
      ++slot.count;
      if (key == ITEMS && value == JsonToken.START_ARRAY) {
        slot.kind = Kind.ARRAY;
        slot.text = null;
        readItems(p);
      } else {
        readValue(p, value, slot);
      }
    }
  }

  private void readItems(JsonParser p) throws IOException {
    for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
      if (t != JsonToken.START_OBJECT) {
        if (itemProblem == null) itemProblem = "item is not an object";
        p.skipChildren();
        continue;
      }
      for (Slot s : itemFields) s.clear();
      for (JsonToken f = p.nextToken(); f != JsonToken.END_OBJECT; f = p.nextToken()) {
        final int key = indexOf(ITEM_FIELDS, p.currentName());
        final JsonToken value = p.nextToken();
        if (key < 0) {
          p.skipChildren();
          continue;
        }
        ++itemFields[key].count;
        readValue(p, value, itemFields[key]);
      }
      if (itemProblem == null) itemProblem = itemProblem(itemFields);
    }
  }

  private static void readValue(JsonParser p, JsonToken value, Slot slot) throws IOException {
    slot.text = null;
    switch (value) {
      case VALUE_STRING -> {
        slot.kind = Kind.STRING;
        slot.text = p.getText();
      }
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
        slot.kind = Kind.NUMBER;
        slot.text = p.getText();
      }
      case VALUE_TRUE, VALUE_FALSE -> slot.kind = Kind.BOOLEAN;
      case VALUE_NULL -> slot.kind = Kind.NULL;
      case START_OBJECT -> {
        slot.kind = Kind.OBJECT;
        p.skipChildren();
      }
      case START_ARRAY -> {
        slot.kind = Kind.ARRAY;
        p.skipChildren();
      }
      default -> throw new IOException("unexpected token " + value);
    }
  }

  private static int indexOf(String[] names, String name) {
    for (int i = 0; i < names.length; ++i) {
      if (names[i].equals(name)) return i;
    }
    return -1;
  }

  // sku: string; category?: string; qty: number > 0; price?: number >= 0.
  private static String itemProblem(Slot[] item) {
    final Slot sku = item[0];
    final Slot category = item[1];
    final Slot qty = item[2];
    final Slot price = item[3];
    if (sku.count != 1 || sku.kind != Kind.STRING) return "sku";
    if (!category.isAbsent() && category.kind != Kind.STRING) return "category";
    if (qty.count != 1 || qty.kind != Kind.NUMBER || signOf(qty.text) <= 0) return "qty";
    if (!price.isAbsent() && (price.kind != Kind.NUMBER || signOf(price.text) < 0)) return "price";
    return null;
  }

  /** The exact sign of a valid JSON number token: -1, 0 or 1. */
  private static int signOf(String number) {
    int end = number.length();
    for (int i = 0; i < number.length(); ++i) {
      final char c = number.charAt(i);
      if (c == 'e' || c == 'E') {
        end = i;
        break;
      }
    }
    for (int i = 0; i < end; ++i) {
      final char c = number.charAt(i);
      if (c >= '1' && c <= '9') return number.charAt(0) == '-' ? -1 : 1;
    }
    return 0;
  }

  // ------------------------------------------------------------------ validation (SPEC 2)

  /** A rule broken by one field. */
  private static final class Problem extends Exception {
    final String reason;
    final String what;

    Problem(String reason, String what) {
      super(what, null, false, false);
      this.reason = reason;
      this.what = what;
    }
  }

  private static Problem invalid(String what) {
    return new Problem("invalid_field", what);
  }

  private static Problem outOfRange(String what) {
    return new Problem("out_of_range", what);
  }

  private PurchaseRecord validate(byte[] raw, long wallNowMs) {
    int field = EVENT_ID;
    try {
      final String eventId = readId(fields[EVENT_ID]);
      field = MEMBER_ID;
      final String memberId = readId(fields[MEMBER_ID]);
      field = TS;
      final long ts = readTs(fields[TS]);
      field = TYPE;
      final boolean refund = readType(fields[TYPE]);
      field = AMOUNT;
      final long amount = readAmount(fields[AMOUNT]);
      field = ITEMS;
      checkItems(fields[ITEMS]);
      field = STORE_ID;
      checkOptionalString(fields[STORE_ID]);
      field = CURRENCY;
      checkOptionalString(fields[CURRENCY]);
      if (maxFutureSkewMs >= 0 && ts > wallNowMs + maxFutureSkewMs) {
        return new PurchaseRecord.Rejected("future_timestamp",
            "ts: more than input.max_future_skew ahead of the wall clock", raw);
      }
      return new PurchaseRecord.Event(eventId, eventId.getBytes(StandardCharsets.UTF_8),
          memberId, ts, refund, amount);
    } catch (Problem p) {
      final String detail = p.reason.equals("unknown_type")
          ? FIELDS[field] + ": '" + quoted(p.what) + "'"
          : FIELDS[field] + ": " + p.what;
      return new PurchaseRecord.Rejected(p.reason, detail, raw);
    }
  }

  private static void checkPresence(Slot s, boolean required) throws Problem {
    if (s.count > 1) throw invalid("given more than once");
    if (required && s.count == 0) throw new Problem("missing_field", "missing");
  }

  private static String readId(Slot s) throws Problem {
    checkPresence(s, true);
    if (s.kind != Kind.STRING || s.text.isEmpty() || utf8Length(s.text) > MAX_ID_BYTES) {
      throw invalid("must be a string of 1-128 bytes");
    }
    return s.text;
  }

  private static long readTs(Slot s) throws Problem {
    checkPresence(s, true);
    final long ts;
    if (s.kind == Kind.STRING) {
      ts = EventTime.parse(s.text);
      if (ts == EventTime.NOT_RFC3339) throw invalid("not RFC 3339");
      if (ts == EventTime.IMPOSSIBLE_DATE) throw invalid("impossible date");
    } else if (s.kind == Kind.NUMBER) {
      final String token = s.text;
      if (token.indexOf('.') >= 0 || token.indexOf('e') >= 0 || token.indexOf('E') >= 0) {
        throw invalid("not a timestamp");
      }
      try {
        ts = Long.parseLong(token);
      } catch (NumberFormatException e) {
        throw outOfRange("outside [1990, 2100)");
      }
    } else {
      throw invalid("not a timestamp");
    }
    if (ts < EventTime.EARLIEST || ts >= EventTime.END) throw outOfRange("outside [1990, 2100)");
    return ts;
  }

  /** true for a refund, false for a purchase (the default). */
  private static boolean readType(Slot s) throws Problem {
    checkPresence(s, false);
    if (s.isAbsent()) return false;
    if (s.kind != Kind.STRING) throw invalid("must be a string");
    if (s.text.equals("purchase")) return false;
    if (s.text.equals("refund")) return true;
    throw new Problem("unknown_type", s.text);
  }

  private static long readAmount(Slot s) throws Problem {
    checkPresence(s, true);
    if (s.kind != Kind.STRING && s.kind != Kind.NUMBER) {
      throw invalid("must be a number or a decimal string");
    }
    try {
      return Money.parse(s.text);
    } catch (Money.ParseException e) {
      switch (e.error) {
        case NEGATIVE:
          throw outOfRange("negative");
        case TOO_LARGE:
          throw outOfRange("above 1e12");
        default:
          throw invalid("not a decimal string");
      }
    }
  }

  private void checkItems(Slot s) throws Problem {
    checkPresence(s, false);
    if (s.isAbsent()) return;
    if (s.kind != Kind.ARRAY) throw invalid("not an array");
    if (itemProblem != null) throw invalid(itemProblem);
  }

  private static void checkOptionalString(Slot s) throws Problem {
    checkPresence(s, false);
    if (!s.isAbsent() && s.kind != Kind.STRING) throw invalid("must be a string");
  }

  /** At most 64 UTF-8 bytes of `text` without splitting a character, "..." if cut. */
  private static String quoted(String text) {
    final byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    if (bytes.length <= MAX_QUOTED_BYTES) return text;
    int end = MAX_QUOTED_BYTES;
    while (end > 0 && (bytes[end] & 0xC0) == 0x80) --end;
    return new String(bytes, 0, end, StandardCharsets.UTF_8) + "...";
  }

  static int utf8Length(String s) {
    int bytes = 0;
    for (int i = 0; i < s.length(); ++i) {
      final char c = s.charAt(i);
      if (c < 0x80) {
        ++bytes;
      } else if (c < 0x800) {
        bytes += 2;
      } else if (Character.isHighSurrogate(c) && i + 1 < s.length()
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        bytes += 4;
        ++i;
      } else {
        bytes += 3;
      }
    }
    return bytes;
  }
}
