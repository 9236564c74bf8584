package dev.segmentd.peer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * Command line of the peer: builds the configuration, starts Kafka Streams and runs until
 * SIGINT/SIGTERM (then closes cleanly, committing). Exit status 0 after a clean stop, 1 on
 * a fatal error, 2 on bad arguments.
 */
public final class PeerMain {
  private static final Logger LOG = LoggerFactory.getLogger(PeerMain.class);

  private static final String USAGE = """
      usage: java -jar segmentd-peer.jar [OPTIONS]

      The lifecycle family of segmentd's SPEC as a Kafka Streams application (the peer
      segmentd is benchmarked against). Reads purchase events, publishes lifecycle
      transitions, dead-letters invalid events. Runs until SIGINT/SIGTERM.

      options:
        --bootstrap-servers HOST:PORT  same as --set kafka.bootstrap.servers=HOST:PORT
        --application-id ID            same as --set application.id=ID
        --state-dir DIR                same as --set state.dir=DIR
        --set KEY=VALUE                one setting (repeatable; highest precedence)
        --stats-interval DURATION      print counters as JSON on stdout this often (default
                                       10s; 0s: only at exit)
        --describe                     print the topology and exit
        --help

      settings (segmentd's names, SPEC 9), also from SEGMENTD_PEER_<KEY> environment
      variables (key upper-cased, '.' written '__'):
      """;

  private PeerMain() {}

  public static void main(String[] args) {
    final List<String> sets = new ArrayList<>();
    long statsEvery = 10_000;
    boolean describe = false;
    try {
      for (int i = 0; i < args.length; ++i) {
        final String a = args[i];
        switch (a) {
          case "--help", "-h" -> {
            printUsage();
            return;
          }
          case "run" -> { } // accepted for symmetry with `segmentd run`
          case "--describe" -> describe = true;
          case "--bootstrap-servers" -> sets.add("kafka.bootstrap.servers=" + value(args, ++i, a));
          case "--application-id" -> sets.add("application.id=" + value(args, ++i, a));
          case "--state-dir" -> sets.add("state.dir=" + value(args, ++i, a));
          case "--set" -> sets.add(value(args, ++i, a));
          case "--stats-interval" -> {
            statsEvery = PeerConfig.parseDuration(value(args, ++i, a));
            if (statsEvery < 0) throw new IllegalArgumentException("--stats-interval: bad duration");
          }
          default -> throw new IllegalArgumentException("unknown argument '" + a + "' (see --help)");
        }
      }
      if (describe && sets.stream().noneMatch(s -> s.startsWith("kafka.bootstrap.servers="))) {
        sets.add(0, "kafka.bootstrap.servers=unused:9092");
      }
      final PeerConfig config = PeerConfig.load(System.getenv(), sets);
      final Stats stats = new Stats();
      final Topology topology = LifecycleTopology.build(config, stats);
      if (describe) {
        System.out.println(topology.describe());
        return;
      }
      System.exit(run(config, topology, stats, statsEvery));
    } catch (IllegalArgumentException e) {
      System.err.println("segmentd-peer: " + e.getMessage());
      System.exit(2);
    }
  }

  private static int run(PeerConfig config, Topology topology, Stats stats, long statsEvery) {
    LOG.info("segmentd-peer starting with {}", config.effective);
    final KafkaStreams streams = new KafkaStreams(topology, config.streamsProperties());
    final CountDownLatch stop = new CountDownLatch(1);
    final AtomicBoolean failed = new AtomicBoolean();
    streams.setUncaughtExceptionHandler(e -> {
      LOG.error("fatal error in a stream thread; shutting down", e);
      failed.set(true);
      return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
    });
    streams.setStateListener((now, before) -> {
      LOG.info("state {} -> {}", before, now);
      if (now == KafkaStreams.State.ERROR) {
        failed.set(true);
        stop.countDown();
      }
    });
    // SIGTERM/SIGINT close Kafka Streams cleanly (final commit) and exit 0, as segmentd does;
    // the JVM's default would exit 143/130 from inside a shutdown hook.
    for (String name : new String[] {"TERM", "INT"}) {
      Signal.handle(new Signal(name), signal -> stop.countDown());
    }
    streams.start();
    try {
      while (!stop.await(statsEvery > 0 ? statsEvery : Long.MAX_VALUE, TimeUnit.MILLISECONDS)) {
        System.out.println(stats.toJson());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    LOG.info("stopping");
    if (!streams.close(Duration.ofSeconds(60))) {
      LOG.error("Kafka Streams did not close within 60 s");
      failed.set(true);
    }
    System.out.println(stats.toJson());
    System.out.flush();
    return failed.get() ? 1 : 0;
  }

  private static String value(String[] args, int i, String option) {
    if (i >= args.length) throw new IllegalArgumentException(option + " needs a value");
    return args[i];
  }

  private static void printUsage() {
    final StringBuilder out = new StringBuilder(USAGE);
    PeerConfig.DEFAULTS.forEach((k, v) -> out.append(String.format("  %-34s %s%n", k,
        v.isEmpty() ? (k.equals("processing.commit_interval")
            ? "(Kafka Streams default: 30s, 100ms for exactly_once)" : "(none)") : v)));
    out.append(String.format("  %-34s %s%n", "kafka.<property>",
        "passed to Kafka Streams unchanged (kafka.num.stream.threads=2, ...)"));
    System.out.print(out);
  }
}
