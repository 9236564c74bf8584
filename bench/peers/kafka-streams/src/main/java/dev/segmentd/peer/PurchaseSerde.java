package dev.segmentd.peer;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.TimestampExtractor;

/**
 * How records enter the topology. {@link Reader} turns a value into a validated
 * {@link PurchaseRecord} once, at deserialization (it never throws, so bad input cannot
 * trip Kafka Streams' deserialization handler); {@link EventTimeExtractor} then gives
 * Kafka Streams the event's own `ts` as the record timestamp, so stream time is event time.
 */
final class PurchaseSerde {
  private PurchaseSerde() {}

  /** Thread-safe: one {@link EventParser} per stream thread. */
  static final class Reader implements Deserializer<PurchaseRecord> {
    private final ThreadLocal<EventParser> parser;

    Reader(int maxEventBytes, long maxFutureSkewMs) {
      parser = ThreadLocal.withInitial(() -> new EventParser(maxEventBytes, maxFutureSkewMs));
    }

    @Override
    public PurchaseRecord deserialize(String topic, byte[] data) {
      return parser.get().parse(data, System.currentTimeMillis());
    }
  }

  /**
   * Event time for accepted events. A rejected record must not move stream time (SPEC 4)
   * and must not be dropped (a negative timestamp would make Kafka Streams skip it), so
   * it gets the partition's current time.
   */
  static final class EventTimeExtractor implements TimestampExtractor {
    @Override
    public long extract(ConsumerRecord<Object, Object> record, long partitionTime) {
      if (record.value() instanceof PurchaseRecord.Event e) return e.ts();
      return Math.max(partitionTime, 0L);
    }
  }
}
