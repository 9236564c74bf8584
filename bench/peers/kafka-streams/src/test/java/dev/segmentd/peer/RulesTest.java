package dev.segmentd.peer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Table tests of the pure parts: money, time, lifecycle, parser details, config. */
class RulesTest {
  @Test
  void moneyIsExactAndRoundsHalfAwayFromZero() throws Exception {
    assertEquals(2001, Money.parse("2.0005"));
    assertEquals(1, Money.parse("0.0005"));
    assertEquals(0, Money.parse("0.0004999999999999999999"));
    assertEquals(12500, Money.parse("12.50"));
    assertEquals(1_000_000_000_000_000L, Money.parse("1e12"));
    assertEquals(0, Money.parse("-0"));
    assertEquals(1235, Money.parse("1.2345e0"));
    assertEquals(1234, Money.parse("12.344e-1"));
    assertEquals(Money.Error.TOO_LARGE,
        assertThrows(Money.ParseException.class, () -> Money.parse("1e13")).error);
    assertEquals(Money.Error.TOO_LARGE,
        assertThrows(Money.ParseException.class, () -> Money.parse("1000000000000.0005")).error);
    assertEquals(Money.Error.NEGATIVE,
        assertThrows(Money.ParseException.class, () -> Money.parse("-1")).error);
    for (String bad : List.of("1,50", "01", ".5", "1.", "+1", " 1", "1e", "NaN", "")) {
      assertEquals(Money.Error.SYNTAX,
          assertThrows(Money.ParseException.class, () -> Money.parse(bad)).error, bad);
    }
    assertEquals("1234.5", Money.format(1_234_500));
    assertEquals("-9.5", Money.format(-9_500));
    assertEquals("2.001", Money.format(2_001));
    assertEquals("0", Money.format(0));
    assertEquals("-0.05", Money.format(-50));
  }

  @Test
  void rfc3339ParsesLikeSegmentd() {
    assertEquals(1710028800000L, EventTime.parse("2024-03-10T08:00:00+08:00"));
    assertEquals(1710028800123L, EventTime.parse("2024-03-09T19:00:00.1239-05:00"));
    assertEquals(1710115201500L, EventTime.parse("2024-03-11t00:00:01.5z"));
    assertEquals(EventTime.IMPOSSIBLE_DATE, EventTime.parse("2024-02-30T00:00:00Z"));
    assertEquals(EventTime.IMPOSSIBLE_DATE, EventTime.parse("2023-02-29T00:00:00Z"));
    assertEquals(EventTime.NOT_RFC3339, EventTime.parse("last tuesday"));
    assertEquals(EventTime.NOT_RFC3339, EventTime.parse("2024-03-10 08:00:00Z"));
    assertEquals(EventTime.NOT_RFC3339, EventTime.parse("2024-03-10T08:00:00"));
    assertEquals(EventTime.NOT_RFC3339, EventTime.parse("2024-03-10T08:00:00.Z"));
    assertEquals(EventTime.NOT_RFC3339, EventTime.parse("2024-03-10T08:00:00+24:00"));
    assertEquals(EventTime.NOT_RFC3339, EventTime.parse("2024-03-10T08:00:00+0800"));
    assertEquals("2024-11-01T00:00:00.000Z", EventTime.format(1730419200000L));
    assertEquals("1970-01-01T00:00:00.001Z", EventTime.format(1));
  }

  @Test
  void atRiskAfterRoundsUpInWholeMilliseconds() {
    final Lifecycle rules = new Lifecycle(90 * 86_400_000L, 180 * 86_400_000L, 3,
        14 * 86_400_000L, 2000);
    final MemberState m = new MemberState();
    m.purchases = 4;
    m.firstPurchase = 1704067200000L;
    m.lastPurchase = 1712707200001L;
    // 2 * 8640000001 / 3 = 5760000000.67 -> ...001 rounds up to 5760000001
    assertEquals(5_760_000_001L, rules.atRiskAfter(m));
    assertEquals(1718467200002L, rules.nextChange(m, m.lastPurchase));
    assertEquals(Lifecycle.ACTIVE, rules.label(m, 1718467200001L));
    assertEquals(Lifecycle.AT_RISK, rules.label(m, 1718467200002L));
  }

  @Test
  void parserDetailsMatchSegmentd() {
    final EventParser p = new EventParser(100, 86_400_000L);
    assertEquals("too_large", reason(p, "{\"x\":\"" + "a".repeat(100) + "\"}"));
    assertEquals("invalid_field event_id: given more than once",
        reasonAndDetail(p, "{\"event_id\":\"a\",\"event_id\":\"b\",\"member_id\":\"m\",\"ts\":1e3}"));
    assertEquals("invalid_field ts: not a timestamp",
        reasonAndDetail(p, "{\"event_id\":\"a\",\"member_id\":\"m\",\"ts\":null,\"amount\":1}"));
    assertEquals("invalid_json not valid JSON", reasonAndDetail(p, "{\"a\":1} x"));
    assertEquals("invalid_json not valid JSON", reasonAndDetail(p, ""));
    assertEquals("invalid_json not a JSON object", reasonAndDetail(p, "\"s\""));
    assertEquals("future_timestamp", reason(p,
        "{\"event_id\":\"a\",\"member_id\":\"m\",\"ts\":2000000000000,\"amount\":1}"));
    assertEquals("invalid_field items: item is not an object", reasonAndDetail(p,
        "{\"event_id\":\"a\",\"member_id\":\"m\",\"ts\":1704067200000,\"amount\":1,\"items\":[1]}"));
    final String ok = "{\"event_id\":\"a\",\"member_id\":\"m\",\"ts\":1704067200000,\"amount\":1}";
    assertEquals("accepted", reasonAndDetail(p, ok));
    assertEquals("invalid_json not valid JSON", reasonAndDetail(p, "\uFEFF" + ok)); // BOM
    assertEquals("invalid_json not valid JSON", reasonAndDetail(p, ok.replace("\"a\"", "\"\\ud800\"")));
    assertEquals("accepted", reasonAndDetail(p, ok.replace("\"a\"", "\"\\ud83d\\ude00\"")));
    final PurchaseRecord overlong = p.parse(new byte[] {'"', (byte) 0xC0, (byte) 0xAF, '"'}, 0);
    assertEquals("invalid_json", ((PurchaseRecord.Rejected) overlong).reason());
    assertEquals("unknown_type type: 'x'", reasonAndDetail(p,
        "{\"event_id\":\"a\",\"member_id\":\"m\",\"ts\":1704067200000,\"amount\":1,\"type\":\"x\"}"));
  }

  @Test
  void configRejectsUnknownKeysAndBadValues() {
    final List<String> base = List.of("kafka.bootstrap.servers=b:1");
    assertThrows(IllegalArgumentException.class,
        () -> PeerConfig.load(Map.of(), List.of("kafka.bootstrap.servers=b:1", "nope=1")));
    assertThrows(IllegalArgumentException.class, () -> PeerConfig.load(Map.of(),
        List.of("kafka.bootstrap.servers=b:1", "time.allowed_lateness=1w")));
    final PeerConfig c = PeerConfig.load(
        Map.of("SEGMENTD_PEER_LIFECYCLE__AT_RISK_FACTOR", "1.5",
            "SEGMENTD_PEER_KAFKA__COMMIT__INTERVAL__MS", "500"), base);
    assertEquals(1500, c.lifecycle.atRiskFactorThousandths);
    assertEquals("500", c.streamsProperties().get("commit.interval.ms"));
    assertEquals("segmentd-peer", c.applicationId);
    assertEquals("at_least_once", c.streamsProperties().get("processing.guarantee"));
  }

  private static String reason(EventParser p, String value) {
    return reasonAndDetail(p, value).split(" ")[0];
  }

  private static String reasonAndDetail(EventParser p, String value) {
    final PurchaseRecord r =
        p.parse(value.getBytes(StandardCharsets.UTF_8), System.currentTimeMillis());
    if (r instanceof PurchaseRecord.Rejected rej) return rej.reason() + " " + rej.detail();
    return "accepted";
  }

  @Test
  void timerIndexFiresInDueThenUtf8MemberOrder() {
    final TimerIndex index = new TimerIndex();
    // UTF-8 byte order: "\uFFFD" (EF BF BD) sorts before "\uD83D\uDE00" (F0 9F 98 80),
    // although UTF-16 (String.compareTo) puts the surrogate first.
    index.add(20, "b");
    index.add(10, "\uD83D\uDE00");
    index.add(10, "\uFFFD");
    index.add(10, "a");
    index.add(30, "c");
    index.add(Lifecycle.NO_TIMER, "none");
    index.remove(30, "c");
    assertEquals(4, index.size());
    assertEquals(new TimerIndex.Entry(10, "a"), index.pollDue(25));
    assertEquals(new TimerIndex.Entry(10, "\uFFFD"), index.pollDue(25));
    assertEquals(new TimerIndex.Entry(10, "\uD83D\uDE00"), index.pollDue(25));
    assertEquals(new TimerIndex.Entry(20, "b"), index.pollDue(25));
    assertEquals(null, index.pollDue(25));
    assertEquals(0, index.size());
  }
}
