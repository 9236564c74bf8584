package dev.segmentd.peer;

import java.util.Arrays;

/**
 * What the store keeps per member (SPEC 6, lifecycle part): purchase count, first and
 * last purchase time, lifetime net amount in thousandths, the last `dedupe.window` event
 * ids applied (oldest first, UTF-8), the lifecycle label, `seq` and the pending timer;
 * and the input position (partition, offset) of the last event applied, which makes
 * re-processing after a crash idempotent (see LifecycleProcessor). Mutable; owned by one
 * stream thread at a time.
 */
final class MemberState {
  long purchases;
  long firstPurchase;
  long lastPurchase;
  long net;
  byte label = Lifecycle.NONE;
  long seq;
  long timer = Lifecycle.NO_TIMER;
  byte[][] recent = new byte[0][];
  int sourcePartition = -1;
  long sourceOffset = -1;

  /** Whether the record at (partition, offset) is already reflected in this state. */
  boolean reflects(int partition, long offset) {
    return partition == sourcePartition && offset <= sourceOffset;
  }

  boolean hasApplied(byte[] eventId) {
    for (byte[] id : recent) {
      if (Arrays.equals(id, eventId)) return true;
    }
    return false;
  }

  /** Adds an event's figures (SPEC 6) and its id to the dedupe ring of `window` ids. */
  void apply(PurchaseRecord.Event e, int window) {
    if (e.refund()) {
      net -= e.amount();
    } else {
      net += e.amount();
      if (purchases == 0) {
        firstPurchase = e.ts();
        lastPurchase = e.ts();
      } else {
        firstPurchase = Math.min(firstPurchase, e.ts());
        lastPurchase = Math.max(lastPurchase, e.ts());
      }
      ++purchases;
    }
    remember(e.eventIdUtf8(), window);
  }

  private void remember(byte[] eventId, int window) {
    if (window <= 0) return;
    final int keep = Math.min(recent.length, window - 1);
    final byte[][] next = new byte[keep + 1][];
    System.arraycopy(recent, recent.length - keep, next, 0, keep);
    next[keep] = eventId;
    recent = next;
  }
}
