package dev.segmentd.peer;

import java.util.concurrent.atomic.LongAdder;

/** Process-wide counters, shared by every task and stream thread. Thread-safe. */
final class Stats {
  final LongAdder consumed = new LongAdder();
  final LongAdder applied = new LongAdder();
  final LongAdder duplicates = new LongAdder();
  final LongAdder reprocessed = new LongAdder();
  final LongAdder late = new LongAdder();
  final LongAdder rejected = new LongAdder();
  final LongAdder transitions = new LongAdder();
  final LongAdder timersFired = new LongAdder();

  /** One JSON object, for a log line. */
  String toJson() {
    return "{\"consumed\":" + consumed.sum() + ",\"applied\":" + applied.sum()
        + ",\"duplicates\":" + duplicates.sum() + ",\"reprocessed\":" + reprocessed.sum()
        + ",\"late\":" + late.sum()
        + ",\"rejected\":" + rejected.sum() + ",\"transitions\":" + transitions.sum()
        + ",\"timers_fired\":" + timersFired.sum() + "}";
  }
}
