package dev.segmentd.peer;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The Processor API topology:
 *
 * <pre>
 *   purchases ──► lifecycle ──► member-transitions (+ routed topics)
 *                   │  ├─ members  (RocksDB: member id → MemberState, timer included)
 *                   │  └─ clock    (RocksDB: the idle-advance floor of the clock)
 *                   └──────────► purchases.dlq
 * </pre>
 *
 * Values are parsed and validated once, by the source's deserializer; the event's `ts` is
 * the record timestamp (so stream time is event time). All stores are persistent RocksDB
 * stores with changelogs (unless state.changelog=false), cached (as DSL stores are by
 * default), so a member changed many times between two commits is written to RocksDB and
 * its changelog once. Pending timers live in the member record; the processor keeps its
 * own in-memory index of them.
 */
final class LifecycleTopology {
  static final String SOURCE = "purchases-source";
  static final String PROCESSOR = "lifecycle";
  static final String MEMBERS = "members";
  static final String CLOCK = "clock";
  static final String TRANSITIONS_SINK = "transitions-sink";
  static final String DLQ_SINK = "dlq-sink";

  private LifecycleTopology() {}

  static Topology build(PeerConfig config, Stats stats) {
    final Topology topology = new Topology();
    topology.addSource(Topology.AutoOffsetReset.EARLIEST, SOURCE,
        new PurchaseSerde.EventTimeExtractor(), new ByteArrayDeserializer(),
        new PurchaseSerde.Reader(config.maxEventBytes, config.maxFutureSkew), config.inputTopic);
    final List<List<String>> sinksFor = sinksByLabel(config);
    topology.addProcessor(PROCESSOR, () -> new LifecycleProcessor(config, stats, sinksFor), SOURCE);
    topology.addStateStore(logged(config, Stores.keyValueStoreBuilder(
        Stores.persistentKeyValueStore(MEMBERS), Serdes.String(), new MemberStateSerde())
        .withCachingEnabled()), PROCESSOR);
    topology.addStateStore(logged(config, Stores.keyValueStoreBuilder(
        Stores.persistentKeyValueStore(CLOCK), Serdes.String(), Serdes.Long())
        .withCachingEnabled()), PROCESSOR);

    final ByteArraySerializer bytes = new ByteArraySerializer();
    topology.addSink(TRANSITIONS_SINK, config.outputTopic, bytes, bytes, PROCESSOR);
    topology.addSink(DLQ_SINK, config.dlqTopic, bytes, bytes, PROCESSOR);
    for (String topic : routeTopics(config)) {
      topology.addSink(routeSink(topic), topic, bytes, bytes, PROCESSOR);
    }
    return topology;
  }

  /**
   * Changelog on (Kafka Streams' default) unless state.changelog=false. The broker stamps
   * changelog records with their append time: Kafka Streams would stamp them with the
   * input record's timestamp, here the event's `ts`, and replaying years of history would
   * then roll a changelog segment every 7 days of event time (segment.ms) and keep the
   * log cleaner busy during the run. Restoring a key-value store ignores the timestamps.
   */
  private static <T extends StateStore> StoreBuilder<T> logged(PeerConfig config,
      StoreBuilder<T> builder) {
    return config.changelog
        ? builder.withLoggingEnabled(Map.of("message.timestamp.type", "LogAppendTime"))
        : builder.withLoggingDisabled();
  }

  private static Set<String> routeTopics(PeerConfig config) {
    final Set<String> topics = new LinkedHashSet<>();
    for (PeerConfig.Route r : config.routes) topics.add(r.topic());
    return topics;
  }

  private static String routeSink(String topic) {
    return "route-sink-" + topic;
  }

  /** For each label, the sinks a transition to it goes to (SPEC 3.1 routing). */
  private static List<List<String>> sinksByLabel(PeerConfig config) {
    final List<List<String>> sinks = new ArrayList<>();
    for (String label : Lifecycle.NAMES) {
      final List<String> to = new ArrayList<>();
      boolean instead = false;
      for (PeerConfig.Route r : config.routes) {
        if (r.to().equals(label)) {
          final String sink = routeSink(r.topic());
          if (!to.contains(sink)) to.add(sink);
          instead |= r.instead();
        }
      }
      if (!instead) to.add(0, TRANSITIONS_SINK);
      sinks.add(List.copyOf(to));
    }
    return List.copyOf(sinks);
  }
}
