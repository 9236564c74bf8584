package dev.segmentd.peer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lifecycle rules of SPEC 5 for one input partition (one Kafka Streams task).
 *
 * <p><b>Clock.</b> The partition's clock (SPEC 4) is Kafka Streams' stream time minus
 * time.allowed_lateness: the source's timestamp extractor makes stream time the largest
 * `ts` of the accepted events, and Kafka Streams commits it with the input offsets, so
 * after a restart the clock is exactly the one the committed position implies. The live
 * idle advance raises it to wall clock - time.idle_delay on a quiet partition; that floor
 * is kept in {@link LifecycleTopology#CLOCK}.
 *
 * <p><b>State.</b> One record per member in {@link LifecycleTopology#MEMBERS} (cached
 * RocksDB store): figures, dedupe ring, label, seq and the pending timer, so an event costs
 * one store write. The timers are also held in memory in firing order ({@link TimerIndex}),
 * rebuilt from the store when the task starts; firing reads the head of that index, so a
 * clock advance with nothing due costs a comparison.
 *
 * <p><b>Crash recovery under at_least_once.</b> Kafka Streams does not commit state and
 * input offsets together: a restored store can be ahead of the committed offsets (cache
 * evictions write the changelog between commits). So each member remembers the input
 * offset of the last event it applied, and records re-read after a crash that the member
 * already reflects are skipped (no double counting). The records re-processed then give the
 * same transitions, with the same ids, as before the crash. Since timers live in the member
 * record, the restored store and the index rebuilt from it always agree.
 *
 * <p><b>Steps.</b> An event is applied as SPEC 5.2 says inside {@link #process}, step 4
 * (other members' timers that the clock has passed) included, so the output order is
 * segmentd's. A WALL_CLOCK_TIME punctuator implements the live idle advance.
 *
 * <p>Not thread-safe: Kafka Streams gives each task its own instance.
 */
final class LifecycleProcessor implements Processor<byte[], PurchaseRecord, byte[], byte[]> {
  private static final Logger LOG = LoggerFactory.getLogger(LifecycleProcessor.class);
  private static final String IDLE_FLOOR_KEY = "idle_floor";
  private static final long NOT_STARTED = Long.MIN_VALUE;
  private static final Duration IDLE_CHECK_EVERY = Duration.ofMillis(100);
  /** A task counts as caught up after this long without a record. */
  private static final long QUIET_FOR_MS = 1000;

  private final PeerConfig config;
  private final Lifecycle rules;
  private final Stats stats;
  private final String ceSource;
  private final List<List<String>> sinksFor; // by label: the sinks a transition to it goes to
  private final TimerIndex timers = new TimerIndex();

  private ProcessorContext<byte[], byte[]> context;
  private KeyValueStore<String, MemberState> members;
  private KeyValueStore<String, Long> clockStore;

  private long idleFloor = NOT_STARTED;
  private boolean ready;
  private long recordsSinceIdleCheck;
  private long lastRecordWallMs;

  LifecycleProcessor(PeerConfig config, Stats stats, List<List<String>> sinksFor) {
    this.config = config;
    this.rules = config.lifecycle;
    this.stats = stats;
    this.ceSource = "segmentd/" + config.applicationId;
    this.sinksFor = sinksFor;
  }

  @Override
  public void init(ProcessorContext<byte[], byte[]> context) {
    this.context = context;
    members = context.getStateStore(LifecycleTopology.MEMBERS);
    clockStore = context.getStateStore(LifecycleTopology.CLOCK);
    final Long floor = clockStore.get(IDLE_FLOOR_KEY);
    idleFloor = floor != null ? floor : NOT_STARTED;
    lastRecordWallMs = context.currentSystemTimeMs();
    context.schedule(IDLE_CHECK_EVERY, PunctuationType.WALL_CLOCK_TIME, this::idleCheck);
  }

  /**
   * Before the first record or punctuation of this task instance: builds the timer index
   * from the (restored) member store, then fires what the restored clock has already
   * passed. One pass over the task's members; on an empty store nothing to read.
   */
  private void ensureReady() {
    if (ready) return;
    ready = true;
    try (KeyValueIterator<String, MemberState> it = members.all()) {
      while (it.hasNext()) {
        final KeyValue<String, MemberState> kv = it.next();
        timers.add(kv.value.timer, kv.key);
      }
    }
    if (timers.size() > 0) {
      LOG.info("task {}: {} pending timers loaded from the member store", context.taskId(),
          timers.size());
    }
    fireDueTimers();
  }

  @Override
  public void process(Record<byte[], PurchaseRecord> record) {
    stats.consumed.increment();
    ++recordsSinceIdleCheck;
    ensureReady();
    if (record.value() instanceof PurchaseRecord.Event e) {
      apply(e);
    } else {
      deadLetter(record, (PurchaseRecord.Rejected) record.value());
    }
  }

  /**
   * The clock after the current record (stream time already includes it), or NOT_STARTED.
   * For step 2, max(t, clock before e) == max(t, clock after e): an event only moves the
   * clock to t - allowed_lateness &lt;= t.
   */
  private long clock() {
    final long streamTime = context.currentStreamTimeMs();
    final long fromEvents =
        streamTime >= EventTime.EARLIEST ? streamTime - config.allowedLateness : NOT_STARTED;
    return Math.max(fromEvents, idleFloor);
  }

  // SPEC 5.2.
  private void apply(PurchaseRecord.Event e) {
    final long clock = clock(); // includes e
    if (e.ts() < clock) stats.late.increment();
    final String id = e.memberId();
    MemberState m = members.get(id);
    if (m == null) m = new MemberState();
    final RecordMetadata source = context.recordMetadata().orElseThrow();
    if (m.reflects(source.partition(), source.offset())) { // re-read after a crash
      stats.reprocessed.increment();
      fireDueTimers();
      return;
    }
    if (m.hasApplied(e.eventIdUtf8())) { // 1. duplicate: only the clock moves
      stats.duplicates.increment();
      fireDueTimers();
      return;
    }
    timers.remove(m.timer, id); // m's timers are handled here, not in step 4
    fireOwnTimers(id, m, Math.max(e.ts(), clock)); // 2.
    m.apply(e, config.dedupeWindow); // 3.
    m.sourcePartition = source.partition();
    m.sourceOffset = source.offset();
    stats.applied.increment();
    fireDueTimers(); // 4.
    long at = Math.max(e.ts(), clock); // 5.
    if (m.purchases > 0) at = Math.max(at, m.lastPurchase);
    evaluate(id, m, at, e.eventId());
    m.timer = rules.nextChange(m, at);
    timers.add(m.timer, id);
    members.put(id, m);
  }

  private void fireOwnTimers(String id, MemberState m, long limit) {
    while (m.timer != Lifecycle.NO_TIMER && m.timer <= limit) fire(id, m, m.timer);
  }

  /** Evaluates `m` at its due time `due` (SPEC 5.1) and sets its next timer (in memory). */
  private void fire(String id, MemberState m, long due) {
    stats.timersFired.increment();
    evaluate(id, m, due, null);
    m.timer = rules.nextChange(m, due);
  }

  /**
   * SPEC 5.1: fires every timer due by the clock, in (due, member id) order; a member's
   * next timer goes back into the index, so it fires within the same advance when due.
   */
  private void fireDueTimers() {
    if (!ready) {
      ensureReady(); // calls back here once ready
      return;
    }
    final long clock = clock();
    if (clock == NOT_STARTED) return;
    for (TimerIndex.Entry due = timers.pollDue(clock); due != null; due = timers.pollDue(clock)) {
      final MemberState m = members.get(due.member());
      fire(due.member(), m, due.due());
      timers.add(m.timer, due.member());
      members.put(due.member(), m);
    }
  }

  /** SPEC 4, live idle advance: a caught-up partition's clock follows wall - idle_delay. */
  private void idleCheck(long wallNow) {
    ensureReady();
    if (recordsSinceIdleCheck > 0) {
      recordsSinceIdleCheck = 0;
      lastRecordWallMs = wallNow;
      return;
    }
    if (wallNow - lastRecordWallMs < QUIET_FOR_MS) return;
    final long target = wallNow - config.idleDelay;
    final long clock = clock();
    if (clock != NOT_STARTED && target <= clock) return;
    idleFloor = target;
    clockStore.put(IDLE_FLOOR_KEY, target);
    fireDueTimers();
  }

  private void evaluate(String id, MemberState m, long at, String eventId) {
    final byte to = rules.label(m, at);
    if (to == m.label) return;
    final byte from = m.label;
    m.label = to;
    ++m.seq;
    emit(id, m, from, to, at, eventId);
  }

  private void emit(String id, MemberState m, byte from, byte to, long at, String eventId) {
    stats.transitions.increment();
    final byte[] value = TransitionJson.encode(id, m, from, to, at, eventId);
    final RecordHeaders headers = new RecordHeaders();
    headers.add("ce_specversion", utf8("1.0"));
    headers.add("ce_id", utf8(id + ":" + m.seq));
    headers.add("ce_source", utf8(ceSource));
    headers.add("ce_type", utf8("segmentd.transition." + TransitionJson.FAMILY + "."
        + Lifecycle.NAMES[to]));
    headers.add("ce_time", utf8(EventTime.format(at)));
    headers.add("content-type", utf8("application/json"));
    final Record<byte[], byte[]> out =
        new Record<>(utf8(id), value, context.currentSystemTimeMs(), headers);
    for (String sink : sinksFor.get(to)) context.forward(out, sink);
  }

  private void deadLetter(Record<byte[], PurchaseRecord> record, PurchaseRecord.Rejected r) {
    stats.rejected.increment();
    final RecordHeaders headers = new RecordHeaders();
    headers.add("segmentd-error", utf8(r.reason()));
    headers.add("segmentd-error-detail", utf8(r.detail()));
    final RecordMetadata source = context.recordMetadata().orElseThrow();
    headers.add("segmentd-source-topic", utf8(source.topic()));
    headers.add("segmentd-source-partition", utf8(Integer.toString(source.partition())));
    headers.add("segmentd-source-offset", utf8(Long.toString(source.offset())));
    context.forward(new Record<>(record.key(), r.raw(), context.currentSystemTimeMs(), headers),
        LifecycleTopology.DLQ_SINK);
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
