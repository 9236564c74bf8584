package dev.segmentd.peer;

import java.nio.ByteBuffer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Compact binary form of {@link MemberState} for the RocksDB store and its changelog:
 * version byte, label, fixed-width figures and input position, then the dedupe ring as
 * (length, bytes) pairs. Thread-safe (stateless).
 */
final class MemberStateSerde implements Serde<MemberState> {
  private static final byte VERSION = 1;
  private static final int FIXED_BYTES = 1 + 1 + 8 * 6 + 4 + 8 + 4;

  @Override
  public Serializer<MemberState> serializer() {
    return (topic, m) -> m == null ? null : encode(m);
  }

  @Override
  public Deserializer<MemberState> deserializer() {
    return (topic, bytes) -> bytes == null ? null : decode(bytes);
  }

  static byte[] encode(MemberState m) {
    int size = FIXED_BYTES;
    for (byte[] id : m.recent) size += 1 + id.length;
    final ByteBuffer b = ByteBuffer.allocate(size);
    b.put(VERSION).put(m.label)
        .putLong(m.purchases).putLong(m.firstPurchase).putLong(m.lastPurchase)
        .putLong(m.net).putLong(m.seq).putLong(m.timer)
        .putInt(m.sourcePartition).putLong(m.sourceOffset)
        .putInt(m.recent.length);
    for (byte[] id : m.recent) b.put((byte) id.length).put(id); // ids are 1..128 bytes
    return b.array();
  }

  static MemberState decode(byte[] bytes) {
    final ByteBuffer b = ByteBuffer.wrap(bytes);
    final byte version = b.get();
    if (version != VERSION) throw new IllegalStateException("member state version " + version);
    final MemberState m = new MemberState();
    m.label = b.get();
    m.purchases = b.getLong();
    m.firstPurchase = b.getLong();
    m.lastPurchase = b.getLong();
    m.net = b.getLong();
    m.seq = b.getLong();
    m.timer = b.getLong();
    m.sourcePartition = b.getInt();
    m.sourceOffset = b.getLong();
    final int count = b.getInt();
    m.recent = new byte[count][];
    for (int i = 0; i < count; ++i) {
      final byte[] id = new byte[b.get() & 0xFF];
      b.get(id);
      m.recent[i] = id;
    }
    return m;
  }
}
