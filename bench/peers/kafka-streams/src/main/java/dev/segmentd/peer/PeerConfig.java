package dev.segmentd.peer;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The peer's settings, named as segmentd names them (SPEC 9) so one set of `--set`
 * arguments fits both: environment variables `SEGMENTD_PEER_<KEY>` (key upper-cased, `.`
 * written `__`), then `--set key=value` (highest precedence). `kafka.<property>` goes to
 * the Kafka Streams configuration unchanged (bootstrap.servers, commit.interval.ms,
 * num.stream.threads, consumer/producer properties, ...). Unknown keys and invalid
 * values are errors that name the key, the value and what is allowed. Immutable once
 * built.
 */
final class PeerConfig {
  static final String ENV_PREFIX = "SEGMENTD_PEER_";

  /** Settings with their defaults, in the order --help lists them. */
  static final Map<String, String> DEFAULTS = new LinkedHashMap<>();

  static {
    DEFAULTS.put("application.id", "segmentd-peer");
    DEFAULTS.put("input.topic", "purchases");
    DEFAULTS.put("input.max_event_bytes", "65536");
    DEFAULTS.put("input.max_future_skew", "1d");
    DEFAULTS.put("output.topic", "member-transitions");
    DEFAULTS.put("output.dlq_topic", "purchases.dlq");
    DEFAULTS.put("output.routes", "");
    DEFAULTS.put("time.allowed_lateness", "1h");
    DEFAULTS.put("time.idle_delay", "5m");
    DEFAULTS.put("time.utc_offset", "+00:00");
    DEFAULTS.put("lifecycle.dormant_after", "90d");
    DEFAULTS.put("lifecycle.lost_after", "180d");
    DEFAULTS.put("lifecycle.at_risk_min_purchases", "3");
    DEFAULTS.put("lifecycle.at_risk_min_days", "14d");
    DEFAULTS.put("lifecycle.at_risk_factor", "2.0");
    DEFAULTS.put("dedupe.window", "32");
    DEFAULTS.put("processing.guarantee", "at_least_once");
    DEFAULTS.put("processing.commit_interval", ""); // "": Kafka Streams' default
    DEFAULTS.put("state.dir", "./segmentd-peer-state");
    // The peer's own key: Kafka Streams' changelog topics on (its default) or off.
    DEFAULTS.put("state.changelog", "true");
  }

  private static final long DAY = 86_400_000L;
  private static final long MAX_DURATION = 36_500 * DAY;
  private static final Pattern TOPIC = Pattern.compile("[A-Za-z0-9._-]{1,249}");
  private static final Pattern ROUTABLE_TO = Pattern.compile("new|active|at_risk|dormant|lost");

  /** One extra destination for transitions of (family, to), SPEC 3.1. */
  record Route(String family, String to, String topic, boolean instead) {}

  final String applicationId;
  final String inputTopic;
  final int maxEventBytes;
  final long maxFutureSkew;
  final String outputTopic;
  final String dlqTopic;
  final List<Route> routes;
  final long allowedLateness;
  final long idleDelay;
  final Lifecycle lifecycle;
  final int dedupeWindow;
  final String guarantee;
  final String stateDir;
  final boolean changelog;
  final Map<String, String> kafka; // kafka.* without the prefix
  final Map<String, String> effective; // every setting as it ended up, for the start log

  private PeerConfig(Map<String, String> v, Map<String, String> kafka) {
    applicationId = identifier(v, "application.id");
    inputTopic = topic(v, "input.topic");
    maxEventBytes = (int) integer(v, "input.max_event_bytes", 1, 16_777_216);
    maxFutureSkew = duration(v, "input.max_future_skew", 0);
    outputTopic = topic(v, "output.topic");
    dlqTopic = topic(v, "output.dlq_topic");
    routes = routes(v.get("output.routes"));
    allowedLateness = duration(v, "time.allowed_lateness", 0);
    idleDelay = duration(v, "time.idle_delay", 0);
    utcOffset(v.get("time.utc_offset")); // validated; only rolling windows use it
    final long dormant = duration(v, "lifecycle.dormant_after", 1);
    final long lost = duration(v, "lifecycle.lost_after", 1);
    if (lost <= dormant) {
      throw new IllegalArgumentException("lifecycle.lost_after (" + v.get("lifecycle.lost_after")
          + ") must exceed lifecycle.dormant_after (" + v.get("lifecycle.dormant_after") + ")");
    }
    lifecycle = new Lifecycle(dormant, lost,
        integer(v, "lifecycle.at_risk_min_purchases", 2, 1_000_000),
        duration(v, "lifecycle.at_risk_min_days", 0),
        thousandths(v, "lifecycle.at_risk_factor", 1, 1_000_000));
    dedupeWindow = (int) integer(v, "dedupe.window", 1, 1024);
    guarantee = v.get("processing.guarantee");
    if (!guarantee.equals("at_least_once") && !guarantee.equals("exactly_once")) {
      throw bad("processing.guarantee", guarantee, "at_least_once or exactly_once");
    }
    final String commit = v.get("processing.commit_interval");
    if (!commit.isEmpty()) {
      kafka.putIfAbsent(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG,
          Long.toString(duration(v, "processing.commit_interval", 1)));
    }
    stateDir = v.get("state.dir");
    if (stateDir.isEmpty()) throw bad("state.dir", stateDir, "a directory");
    final String changelogValue = v.get("state.changelog");
    if (!changelogValue.equals("true") && !changelogValue.equals("false")) {
      throw bad("state.changelog", changelogValue, "true or false");
    }
    changelog = changelogValue.equals("true");
    if (!kafka.containsKey(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG)) {
      throw new IllegalArgumentException(
          "kafka.bootstrap.servers is required (--bootstrap-servers HOST:PORT, "
              + "--set kafka.bootstrap.servers=HOST:PORT or SEGMENTD_PEER_KAFKA__BOOTSTRAP__SERVERS)");
    }
    this.kafka = Map.copyOf(kafka);
    final Map<String, String> all = new TreeMap<>(v);
    kafka.forEach((k, val) -> all.put("kafka." + k, k.contains("password") || k.contains("jaas")
        ? "(secret)" : val));
    effective = all;
  }

  /** Settings from the environment, then `overrides` ("key=value" strings, in order). */
  static PeerConfig load(Map<String, String> env, List<String> overrides) {
    final Map<String, String> values = new LinkedHashMap<>(DEFAULTS);
    final Map<String, String> kafka = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : new TreeMap<>(env).entrySet()) {
      if (!e.getKey().startsWith(ENV_PREFIX)) continue;
      final String key = e.getKey().substring(ENV_PREFIX.length())
          .toLowerCase(Locale.ROOT).replace("__", ".");
      set(values, kafka, key, e.getValue(), e.getKey());
    }
    for (String kv : overrides) {
      final int eq = kv.indexOf('=');
      if (eq <= 0) throw new IllegalArgumentException("--set expects KEY=VALUE, got '" + kv + "'");
      set(values, kafka, kv.substring(0, eq).trim(), kv.substring(eq + 1).trim(), "--set");
    }
    return new PeerConfig(values, kafka);
  }

  private static void set(Map<String, String> values, Map<String, String> kafka, String key,
      String value, String source) {
    if (key.startsWith("kafka.") && key.length() > "kafka.".length()) {
      kafka.put(key.substring("kafka.".length()), value);
    } else if (values.containsKey(key)) {
      values.put(key, value);
    } else {
      throw new IllegalArgumentException("unknown setting '" + key + "' (from " + source
          + "); known: " + String.join(", ", DEFAULTS.keySet()) + ", kafka.<property>");
    }
  }

  /** Record cache of all stores of the instance (Kafka Streams' default: 10 MB). */
  static final long STATESTORE_CACHE_BYTES = 64L << 20;
  /** The producer's batching delay (Kafka Streams' default: 100 ms; segmentd's: 5 ms). */
  static final String PRODUCER_LINGER_MS = "5";

  /**
   * The Kafka Streams configuration: Kafka Streams' defaults, then the settings sized for
   * this job (record cache, RocksDB options, producer linger), then what kafka.* sets.
   */
  Properties streamsProperties() {
    final Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
    p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir);
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG,
        guarantee.equals("exactly_once") ? StreamsConfig.EXACTLY_ONCE_V2 : StreamsConfig.AT_LEAST_ONCE);
    p.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, Long.toString(STATESTORE_CACHE_BYTES));
    p.put(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, JobRocksDbConfig.class.getName());
    p.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), PRODUCER_LINGER_MS);
    p.putAll(kafka);
    return p;
  }

  // ------------------------------------------------------------------ value parsing

  private static IllegalArgumentException bad(String key, String value, String allowed) {
    return new IllegalArgumentException(
        "invalid value '" + value + "' for " + key + ": expected " + allowed);
  }

  private static String identifier(Map<String, String> v, String key) {
    final String s = v.get(key);
    if (s.isEmpty() || s.length() > 200 || !TOPIC.matcher(s).matches()) {
      throw bad(key, s, "1-200 characters of A-Z a-z 0-9 . _ -");
    }
    return s;
  }

  private static String topic(Map<String, String> v, String key) {
    final String s = v.get(key);
    if (!TOPIC.matcher(s).matches() || s.equals(".") || s.equals("..")) {
      throw bad(key, s, "a Kafka topic name (1-249 characters of A-Z a-z 0-9 . _ -)");
    }
    return s;
  }

  private static long integer(Map<String, String> v, String key, long min, long max) {
    final String s = v.get(key);
    try {
      if (!s.matches("[0-9]+")) throw new NumberFormatException();
      final long n = Long.parseLong(s);
      if (n >= min && n <= max) return n;
    } catch (NumberFormatException ignored) {
      // reported below
    }
    throw bad(key, s, "an integer in [" + min + ", " + max + "]");
  }

  /** "250ms", "30s", "5m", "1h", "90d" in milliseconds. */
  static long parseDuration(String s) {
    int digits = 0;
    while (digits < s.length() && Character.isDigit(s.charAt(digits))) ++digits;
    if (digits == 0 || digits > 18) return -1;
    final long n = Long.parseLong(s.substring(0, digits));
    final long unit = switch (s.substring(digits)) {
      case "d" -> DAY;
      case "h" -> 3_600_000L;
      case "m" -> 60_000L;
      case "s" -> 1000L;
      case "ms" -> 1L;
      default -> -1L;
    };
    if (unit < 0 || n > Long.MAX_VALUE / unit) return -1;
    return n * unit;
  }

  private static long duration(Map<String, String> v, String key, long min) {
    final String s = v.get(key);
    final long ms = parseDuration(s);
    if (ms < min || ms > MAX_DURATION) {
      throw bad(key, s, "a duration such as 250ms, 30s, 5m, 1h or 90d, from "
          + (min == 0 ? "0s" : "1ms") + " to 36500d");
    }
    return ms;
  }

  private static long thousandths(Map<String, String> v, String key, long min, long max) {
    final String s = v.get(key);
    if (s.matches("[0-9]{1,12}(\\.[0-9]{1,3})?")) {
      final int dot = s.indexOf('.');
      long value = Long.parseLong(dot < 0 ? s : s.substring(0, dot)) * 1000;
      if (dot >= 0) {
        final String fraction = (s.substring(dot + 1) + "00").substring(0, 3);
        value += Long.parseLong(fraction);
      }
      if (value >= min && value <= max) return value;
    }
    throw bad(key, s, "a decimal with at most 3 fractional digits in [0.001, 1000]");
  }

  private static void utcOffset(String s) {
    if (!s.matches("[+-](0[0-9]|1[0-4]):[0-5][0-9]")) {
      throw bad("time.utc_offset", s, "+HH:MM or -HH:MM within 14 hours");
    }
  }

  /** `family/to=topic` or `family/to=topic;instead`, comma-separated. */
  private static List<Route> routes(String text) {
    final List<Route> routes = new ArrayList<>();
    for (String item : text.split(",")) {
      final String r = item.trim();
      if (r.isEmpty()) continue;
      final int slash = r.indexOf('/');
      final int eq = r.indexOf('=');
      if (slash <= 0 || eq <= slash + 1) {
        throw bad("output.routes", r, "family/to=topic or family/to=topic;instead");
      }
      final String family = r.substring(0, slash);
      final String to = r.substring(slash + 1, eq);
      String topic = r.substring(eq + 1);
      boolean instead = false;
      if (topic.endsWith(";instead")) {
        instead = true;
        topic = topic.substring(0, topic.length() - ";instead".length());
      }
      if (!family.equals("lifecycle") || !ROUTABLE_TO.matcher(to).matches()) {
        throw bad("output.routes", r, "a route of lifecycle (new, active, at_risk, dormant, lost)");
      }
      if (!TOPIC.matcher(topic).matches()) throw bad("output.routes", r, "a valid topic name");
      routes.add(new Route(family, to, topic, instead));
    }
    return List.copyOf(routes);
  }
}
