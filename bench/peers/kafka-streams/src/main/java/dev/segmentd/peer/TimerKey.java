package dev.segmentd.peer;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.utils.Bytes;

/**
 * Keys of the timer store: due time as 8 bytes big-endian with the sign bit flipped, then
 * the member id in UTF-8. RocksDB's bytewise order (and {@link Bytes#compareTo}) is then
 * (due, member_id), the order SPEC 5.1 fires timers in. Stateless.
 */
final class TimerKey {
  /** Below every key. */
  static final Bytes LOWEST = Bytes.wrap(new byte[0]);

  private TimerKey() {}

  /** The 8-byte due prefix: above every key due before `due`, below every key due at it. */
  static Bytes prefix(long due) {
    return Bytes.wrap(ByteBuffer.allocate(8).putLong(due ^ Long.MIN_VALUE).array());
  }

  static Bytes of(long due, String memberId) {
    final byte[] member = memberId.getBytes(StandardCharsets.UTF_8);
    return Bytes.wrap(ByteBuffer.allocate(8 + member.length)
        .putLong(due ^ Long.MIN_VALUE).put(member).array());
  }

  static long due(Bytes key) {
    return ByteBuffer.wrap(key.get()).getLong() ^ Long.MIN_VALUE;
  }

  static String member(Bytes key) {
    final byte[] k = key.get();
    return new String(k, 8, k.length - 8, StandardCharsets.UTF_8);
  }
}
