package dev.segmentd.peer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * The conformance scenarios of SPEC (conformance.dir, default /work/shared/conformance)
 * through the topology in a TopologyTestDriver. Replay mode moves the clock to --until (or
 * to the largest ts) at the end of input; a live stream cannot, so a sentinel event of a
 * member of its own, `ts` = that instant + allowed lateness, moves the clock there, and
 * its transitions are left out of the comparison. Transitions are compared per member in
 * seq order on every field (money as decimals); DLQ records by line and reason (and
 * detail, which the peer words as segmentd does).
 */
class ConformanceTest {
  private static final String SENTINEL = "~sentinel~";
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

  @TempDir
  Path stateDir;

  @TestFactory
  Stream<DynamicTest> scenarios() throws IOException {
    final Path root = Path.of(System.getProperty("conformance.dir", "/work/shared/conformance"));
    Assumptions.assumeTrue(Files.isDirectory(root), "no conformance scenarios at " + root);
    try (Stream<Path> dirs = Files.list(root)) {
      return dirs.filter(d -> Files.exists(d.resolve("events.jsonl"))).sorted()
          .map(d -> DynamicTest.dynamicTest(d.getFileName().toString(), () -> run(d)))
          .toList().stream();
    }
  }

  private void run(Path dir) throws IOException {
    final List<String> sets = new ArrayList<>();
    String until = null;
    final String[] args = Files.readString(dir.resolve("args")).trim().split("\\s+");
    for (int i = 0; i < args.length; ++i) {
      if (args[i].equals("--set")) sets.add(args[++i]);
      if (args[i].equals("--until")) until = args[++i];
    }
    for (String set : sets) { // extension families and actions (SPEC 5.5-5.7): not ported
      final String key = set.split("=", 2)[0];
      Assumptions.assumeTrue(PeerConfig.DEFAULTS.containsKey(key),
          "the peer implements the lifecycle family only; the scenario sets " + key);
    }
    sets.add("kafka.bootstrap.servers=unused:9092");
    sets.add("state.dir=" + stateDir.resolve(dir.getFileName().toString()));
    final PeerConfig config = PeerConfig.load(Map.of(), sets);
    final Properties props = config.streamsProperties();
    props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, "1048576");

    final List<String> lines = Files.readAllLines(dir.resolve("events.jsonl"));
    final List<Integer> lineOfOffset = new ArrayList<>();
    long maxTs = Long.MIN_VALUE;
    final EventParser parser = new EventParser(config.maxEventBytes, -1);
    try (TopologyTestDriver driver =
             new TopologyTestDriver(LifecycleTopology.build(config, new Stats()), props)) {
      final TestInputTopic<byte[], byte[]> in = driver.createInputTopic(config.inputTopic,
          new ByteArraySerializer(), new ByteArraySerializer());
      for (int i = 0; i < lines.size(); ++i) {
        if (lines.get(i).isBlank()) continue;
        final byte[] value = lines.get(i).getBytes(StandardCharsets.UTF_8);
        final PurchaseRecord parsed = parser.parse(value, 0);
        byte[] key = null;
        if (parsed instanceof PurchaseRecord.Event e) {
          key = e.memberId().getBytes(StandardCharsets.UTF_8);
          maxTs = Math.max(maxTs, e.ts());
        }
        in.pipeInput(key, value);
        lineOfOffset.add(i + 1);
      }
      final long endClock = until != null ? untilMs(until) : maxTs;
      final long sentinelTs = endClock + config.allowedLateness;
      in.pipeInput(SENTINEL.getBytes(StandardCharsets.UTF_8), ("{\"event_id\":\"s\",\"member_id\":\""
          + SENTINEL + "\",\"ts\":" + sentinelTs + ",\"amount\":0}").getBytes(StandardCharsets.UTF_8));

      final TestOutputTopic<byte[], byte[]> out = driver.createOutputTopic(config.outputTopic,
          new ByteArrayDeserializer(), new ByteArrayDeserializer());
      final Map<String, List<JsonNode>> actual = new TreeMap<>();
      for (TestRecord<byte[], byte[]> r : out.readRecordsToList()) {
        final JsonNode t = JSON.readTree(r.value());
        assertEquals(t.get("member_id").asText(), new String(r.key(), StandardCharsets.UTF_8));
        assertEquals(t.get("transition_id").asText(),
            header(r, "ce_id"), "ce_id is the transition id");
        if (!t.get("member_id").asText().equals(SENTINEL)) {
          actual.computeIfAbsent(t.get("member_id").asText(), k -> new ArrayList<>()).add(t);
        }
      }
      assertEquals(byMember(Files.readAllLines(dir.resolve("expected.jsonl"))), sortBySeq(actual),
          "transitions of " + dir.getFileName());

      final TestOutputTopic<byte[], byte[]> dlq = driver.createOutputTopic(config.dlqTopic,
          new ByteArrayDeserializer(), new ByteArrayDeserializer());
      final List<String> actualDlq = new ArrayList<>();
      for (TestRecord<byte[], byte[]> r : dlq.readRecordsToList()) {
        final int line = lineOfOffset.get(Integer.parseInt(header(r, "segmentd-source-offset")));
        assertEquals(lines.get(line - 1), new String(r.value(), StandardCharsets.UTF_8));
        actualDlq.add(line + " " + header(r, "segmentd-error") + " "
            + header(r, "segmentd-error-detail"));
      }
      final List<String> expectedDlq = new ArrayList<>();
      final Path expectedDlqFile = dir.resolve("expected_dlq.jsonl");
      if (Files.exists(expectedDlqFile)) {
        for (String l : Files.readAllLines(expectedDlqFile)) {
          if (l.isBlank()) continue;
          final JsonNode d = JSON.readTree(l);
          expectedDlq.add(d.get("line").asInt() + " " + d.get("reason").asText() + " "
              + d.get("detail").asText());
        }
      }
      assertEquals(expectedDlq, actualDlq, "dead letters of " + dir.getFileName());
    }
  }

  private static long untilMs(String text) {
    final long t = EventTime.parse(text);
    return t > EventTime.IMPOSSIBLE_DATE ? t : Long.parseLong(text);
  }

  private static String header(TestRecord<byte[], byte[]> r, String name) {
    final Header h = r.headers().lastHeader(name);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  private static Map<String, List<JsonNode>> byMember(List<String> lines) throws IOException {
    final Map<String, List<JsonNode>> m = new TreeMap<>();
    for (String l : lines) {
      if (l.isBlank()) continue;
      final JsonNode t = JSON.readTree(l);
      m.computeIfAbsent(t.get("member_id").asText(), k -> new ArrayList<>()).add(t);
    }
    return sortBySeq(m);
  }

  /** Per member, by seq; money normalised so 60 and 60.0 compare equal. */
  private static Map<String, List<JsonNode>> sortBySeq(Map<String, List<JsonNode>> m)
      throws IOException {
    final Map<String, List<JsonNode>> sorted = new TreeMap<>();
    for (Map.Entry<String, List<JsonNode>> e : m.entrySet()) {
      final List<JsonNode> list = new ArrayList<>();
      for (JsonNode t : e.getValue()) {
        final String money = t.get("snapshot").get("monetary_total").decimalValue()
            .stripTrailingZeros().toPlainString();
        ((com.fasterxml.jackson.databind.node.ObjectNode) t.get("snapshot"))
            .put("monetary_total", money);
        list.add(t);
      }
      list.sort(Comparator.comparingLong(t -> t.get("seq").asLong()));
      sorted.put(e.getKey(), list);
    }
    return sorted;
  }
}
