package dev.segmentd.peer;

import java.nio.charset.StandardCharsets;

/**
 * The transition value of SPEC 3.1, byte for byte as segmentd writes it
 * (connectors/transition_json.cc): compact, fields in schema order, money with at most
 * three fractional digits. Stateless.
 */
final class TransitionJson {
  static final String SCHEMA = "segmentd.transition.v1";
  static final String FAMILY = "lifecycle";

  private TransitionJson() {}

  /** eventId null means cause "timer". */
  static byte[] encode(String memberId, MemberState m, byte from, byte to, long effectiveTs,
      String eventId) {
    final StringBuilder out = new StringBuilder(320);
    out.append("{\"schema\":\"").append(SCHEMA).append("\",\"transition_id\":\"");
    appendEscaped(out, memberId);
    out.append(':').append(m.seq).append("\",\"member_id\":\"");
    appendEscaped(out, memberId);
    out.append("\",\"family\":\"").append(FAMILY)
        .append("\",\"from\":\"").append(Lifecycle.NAMES[from])
        .append("\",\"to\":\"").append(Lifecycle.NAMES[to])
        .append("\",\"effective_ts\":").append(effectiveTs)
        .append(",\"effective_time\":\"");
    EventTime.append(out, effectiveTs);
    if (eventId != null) {
      out.append("\",\"cause\":\"event\",\"event_id\":\"");
      appendEscaped(out, eventId);
      out.append('"');
    } else {
      out.append("\",\"cause\":\"timer\",\"event_id\":null");
    }
    out.append(",\"seq\":").append(m.seq).append(",\"snapshot\":{\"purchases\":").append(m.purchases);
    if (m.purchases > 0) {
      out.append(",\"first_purchase_ts\":").append(m.firstPurchase)
          .append(",\"last_purchase_ts\":").append(m.lastPurchase);
    } else {
      out.append(",\"first_purchase_ts\":null,\"last_purchase_ts\":null");
    }
    out.append(",\"monetary_total\":");
    Money.append(out, m.net);
    out.append("}}");
    return out.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  static void appendEscaped(StringBuilder out, String s) {
    for (int i = 0; i < s.length(); ++i) {
      final char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) {
            out.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xF]);
          } else {
            out.append(c);
          }
        }
      }
    }
  }
}
