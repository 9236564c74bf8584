package dev.segmentd.peer;

/**
 * One record of the purchases topic after parsing: either an accepted {@link Event} or a
 * {@link Rejected} one, which goes to the dead-letter topic with its original bytes.
 */
sealed interface PurchaseRecord permits PurchaseRecord.Event, PurchaseRecord.Rejected {

  /** An event that passed every rule of SPEC 2. `amount` is in thousandths. */
  record Event(String eventId, byte[] eventIdUtf8, String memberId, long ts, boolean refund,
      long amount) implements PurchaseRecord {}

  /**
   * A record that broke a rule: `reason` is the stable SPEC 2 code, `detail` says which
   * field and what was wrong, `raw` is the value exactly as read.
   */
  record Rejected(String reason, String detail, byte[] raw) implements PurchaseRecord {}
}
