package dev.segmentd.peer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Behaviour of the topology that the conformance scenarios do not reach. */
class TopologyTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path stateDir;

  private TopologyTestDriver driver(List<String> settings, Instant wallClock) {
    final List<String> sets = new ArrayList<>(settings);
    sets.add("kafka.bootstrap.servers=unused:9092");
    sets.add("state.dir=" + stateDir);
    final PeerConfig config = PeerConfig.load(Map.of(), sets);
    return new TopologyTestDriver(LifecycleTopology.build(config, new Stats()),
        config.streamsProperties(), wallClock);
  }

  private static void pipe(TestInputTopic<byte[], byte[]> in, String member, String event,
      long ts) {
    in.pipeInput(member.getBytes(StandardCharsets.UTF_8), ("{\"event_id\":\"" + event
        + "\",\"member_id\":\"" + member + "\",\"ts\":" + ts + ",\"amount\":\"9.90\"}")
        .getBytes(StandardCharsets.UTF_8));
  }

  private static List<String> steps(TestOutputTopic<byte[], byte[]> out) throws Exception {
    final List<String> steps = new ArrayList<>();
    for (byte[] v : out.readValuesToList()) {
      final JsonNode t = JSON.readTree(v);
      steps.add(t.get("member_id").asText() + " " + t.get("from").asText() + ">"
          + t.get("to").asText() + " " + t.get("cause").asText() + " "
          + t.get("effective_ts").asLong());
    }
    return steps;
  }

  /** SPEC 4: a quiet partition's clock follows wall clock - idle_delay. */
  @Test
  void idlePartitionFollowsTheWallClock() throws Exception {
    final Instant start = Instant.ofEpochMilli(System.currentTimeMillis());
    final long t0 = start.toEpochMilli() - 1000;
    try (TopologyTestDriver d = driver(List.of("time.idle_delay=1s", "time.allowed_lateness=0s",
        "lifecycle.dormant_after=4s", "lifecycle.lost_after=8s"), start)) {
      final TestInputTopic<byte[], byte[]> in = d.createInputTopic("purchases",
          new ByteArraySerializer(), new ByteArraySerializer());
      final TestOutputTopic<byte[], byte[]> out = d.createOutputTopic("member-transitions",
          new ByteArrayDeserializer(), new ByteArrayDeserializer());
      pipe(in, "m-idle", "e1", t0);
      for (int i = 0; i < 120; ++i) d.advanceWallClockTime(Duration.ofMillis(100));
      assertEquals(List.of("m-idle none>new event " + t0, "m-idle new>dormant timer " + (t0 + 4000),
          "m-idle dormant>lost timer " + (t0 + 8000)), steps(out));
    }
  }

  /** SPEC 5.1: one clock jump fires successive timers, each at its own instant. */
  @Test
  void timersFireInDueThenMemberOrder() throws Exception {
    try (TopologyTestDriver d = driver(List.of("time.idle_delay=36500d"), Instant.now())) {
      final TestInputTopic<byte[], byte[]> in = d.createInputTopic("purchases",
          new ByteArraySerializer(), new ByteArraySerializer());
      final TestOutputTopic<byte[], byte[]> out = d.createOutputTopic("member-transitions",
          new ByteArrayDeserializer(), new ByteArrayDeserializer());
      final long day = 86_400_000L;
      final long t = 1_704_067_200_000L;
      pipe(in, "b", "b1", t);
      pipe(in, "a", "a1", t);
      pipe(in, "c", "c1", t - day);
      out.readValuesToList();
      pipe(in, "z", "z1", t + 400 * day);
      assertEquals(List.of(
          "c new>dormant timer " + (t + 89 * day),
          "a new>dormant timer " + (t + 90 * day),
          "b new>dormant timer " + (t + 90 * day),
          "c dormant>lost timer " + (t + 179 * day),
          "a dormant>lost timer " + (t + 180 * day),
          "b dormant>lost timer " + (t + 180 * day),
          "z none>new event " + (t + 400 * day)).stream().sorted().toList(),
          steps(out).stream().sorted().toList());
    }
  }

  /** SPEC 3.1 routing: at_risk also to its own topic, lost only to its own. */
  @Test
  void routesSendChosenTransitionsToTheirTopics() throws Exception {
    try (TopologyTestDriver d = driver(List.of("time.idle_delay=36500d",
        "output.routes=lifecycle/dormant=winback, lifecycle/lost=lost-members;instead"),
        Instant.now())) {
      final TestInputTopic<byte[], byte[]> in = d.createInputTopic("purchases",
          new ByteArraySerializer(), new ByteArraySerializer());
      final long t = 1_704_067_200_000L;
      pipe(in, "a", "a1", t);
      pipe(in, "z", "z1", t + 400 * 86_400_000L);
      final ByteArrayDeserializer b = new ByteArrayDeserializer();
      assertEquals(3, d.createOutputTopic("member-transitions", b, b).readValuesToList().size());
      assertEquals(1, d.createOutputTopic("winback", b, b).readValuesToList().size());
      assertEquals(1, d.createOutputTopic("lost-members", b, b).readValuesToList().size());
    }
  }
}
