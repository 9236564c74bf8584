#include "observability/metrics_registry.h"

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <cstdint>
#include <cstring>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <string_view>
#include <thread>
#include <utility>

#include "observability/build_info.h"
#include "observability/process_metrics.h"
#include "observability/readiness.h"
#include "observability/standard_metrics.h"

namespace segmentd {
namespace {

using namespace std::chrono_literals;

// ---- A strict reader of the text format 0.0.4, as far as this registry writes it. ----

struct Sample {
  std::string name;
  std::map<std::string, std::string> labels;
  std::string value;
};

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// A metric name ([a-zA-Z_:][a-zA-Z0-9_:]*) or, without colons, a label name.
bool is_name(std::string_view text, bool colons_allowed) {
  const auto name_char = [colons_allowed](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '_' ||
           (colons_allowed && c == ':');
  };
  return !text.empty() && !is_digit(text[0]) && std::ranges::all_of(text, name_char);
}

// +Inf, -Inf, NaN or -?[0-9]+(\.[0-9]+)?(e[+-][0-9]+)?
bool is_value(std::string_view text) {
  if (text == "+Inf" || text == "-Inf" || text == "NaN") return true;
  const auto skip_digits = [&text] {
    std::size_t count = 0;
    while (count < text.size() && is_digit(text[count])) ++count;
    text.remove_prefix(count);
    return count > 0;
  };
  if (text.starts_with('-')) text.remove_prefix(1);
  if (!skip_digits()) return false;
  if (text.starts_with('.')) {
    text.remove_prefix(1);
    if (!skip_digits()) return false;
  }
  if (text.starts_with("e+") || text.starts_with("e-")) {
    text.remove_prefix(2);
    if (!skip_digits()) return false;
  }
  return text.empty();
}

// HELP text escapes only backslash (\\) and newline (\n).
bool is_escaped_help(std::string_view text) {
  for (std::size_t at = text.find('\\'); at != std::string_view::npos;
       at = text.find('\\', at + 2)) {
    if (at + 1 == text.size() || (text[at + 1] != '\\' && text[at + 1] != 'n')) return false;
  }
  return true;
}

// For "<prefix><metric name> <rest>": the name and the rest.
std::optional<std::pair<std::string, std::string>> comment_line(const std::string& line,
                                                                std::string_view prefix) {
  if (!line.starts_with(prefix)) return std::nullopt;
  const std::size_t space = line.find(' ', prefix.size());
  if (space == std::string::npos) return std::nullopt;
  std::string name = line.substr(prefix.size(), space - prefix.size());
  if (!is_name(name, true)) return std::nullopt;
  return std::pair{std::move(name), line.substr(space + 1)};
}

// Reads `"value"` at `at` (escapes \\, \" and \n only); nullopt when malformed.
std::optional<std::string> read_quoted(const std::string& line, std::size_t& at) {
  if (at >= line.size() || line[at] != '"') return std::nullopt;
  std::string value;
  for (++at; at < line.size() && line[at] != '"'; ++at) {
    if (line[at] != '\\') {
      value += line[at];
      continue;
    }
    if (++at == line.size()) return std::nullopt;
    if (line[at] == 'n') {
      value += '\n';
    } else if (line[at] == '\\' || line[at] == '"') {
      value += line[at];
    } else {
      return std::nullopt;
    }
  }
  if (at == line.size()) return std::nullopt;
  ++at;
  return value;
}

std::optional<Sample> parse_sample(const std::string& line) {
  Sample sample;
  std::size_t at = line.find_first_of("{ ");
  if (at == std::string::npos) return std::nullopt;
  sample.name = line.substr(0, at);
  if (!is_name(sample.name, true)) return std::nullopt;
  if (line[at] == '{') {
    do {
      const std::size_t equals = line.find('=', ++at);
      if (equals == std::string::npos) return std::nullopt;
      const std::string label = line.substr(at, equals - at);
      at = equals + 1;
      const std::optional<std::string> value = read_quoted(line, at);
      if (!is_name(label, false) || !value) return std::nullopt;
      if (!sample.labels.emplace(label, *value).second) return std::nullopt;
    } while (at < line.size() && line[at] == ',');
    if (at >= line.size() || line[at] != '}') return std::nullopt;
    ++at;
  }
  if (at >= line.size() || line[at] != ' ') return std::nullopt;
  sample.value = line.substr(at + 1);
  if (!is_value(sample.value)) return std::nullopt;
  return sample;
}

std::string family_of(const std::string& sample_name,
                      const std::map<std::string, std::string>& types) {
  for (const char* suffix : {"_bucket", "_sum", "_count"}) {
    if (!sample_name.ends_with(suffix)) continue;
    const std::string base = sample_name.substr(0, sample_name.size() - std::strlen(suffix));
    if (types.contains(base) && types.at(base) == "histogram") return base;
  }
  return sample_name;
}

// For a sample of histogram `family`: _bucket samples carry le and are cumulative per
// series, and _count equals the series' +Inf bucket. `counts` holds, per series, the
// last bucket count, (key + "+Inf") the +Inf one and (key + "_count") the count.
std::string histogram_problem(const std::string& family, const Sample& sample,
                              std::map<std::string, std::uint64_t>& counts) {
  std::map<std::string, std::string> labels = sample.labels;
  const std::string suffix = sample.name.substr(family.size());
  if ((suffix == "_bucket") != labels.contains("le")) return "le label";
  labels.erase("le");
  std::string key;
  for (const auto& [name, value] : labels) key += name + "=" + value + ",";
  const auto count = static_cast<std::uint64_t>(std::stod(sample.value));
  // _count may come before or after the buckets (prometheus-cpp writes it first).
  std::string other_key;
  if (suffix == "_bucket") {
    if (count < counts[key]) return "bucket not cumulative";
    counts[key] = count;
    if (sample.labels.at("le") != "+Inf") return "";
    counts[key + "+Inf"] = count;
    other_key = key + "_count";
  } else if (suffix == "_count") {
    counts[key + "_count"] = count;
    other_key = key + "+Inf";
  }
  if (!other_key.empty() && counts.contains(other_key) && counts[other_key] != count) {
    return "count differs from +Inf bucket";
  }
  return "";
}

// The first problem found in an exposition, or "" when it is valid: line grammar,
// HELP/TYPE once and before the family's samples, families contiguous, unique series,
// counters named _total, histogram buckets cumulative and ending at +Inf == _count.
std::string exposition_problem(const std::string& text) {
  if (text.empty() || text.back() != '\n') return "does not end with a newline";
  std::map<std::string, std::string> types;
  std::set<std::string> helps, finished_families, series;
  std::string current_family;
  std::map<std::string, std::uint64_t> last_bucket;  // histogram series -> count so far
  std::size_t start = 0;
  for (std::size_t end; (end = text.find('\n', start)) != std::string::npos; start = end + 1) {
    const std::string line = text.substr(start, end - start);
    std::string family;
    if (const auto help = comment_line(line, "# HELP ")) {
      family = help->first;
      if (!is_escaped_help(help->second)) return "HELP escapes: " + line;
      if (!helps.insert(family).second) return "second HELP: " + line;
    } else if (const auto declared = comment_line(line, "# TYPE ")) {
      family = declared->first;
      const std::set<std::string> known_types{"counter", "gauge", "histogram"};
      if (!known_types.contains(declared->second)) return "unknown TYPE: " + line;
      if (!types.emplace(family, declared->second).second) return "second TYPE: " + line;
    } else if (const std::optional<Sample> sample = parse_sample(line)) {
      family = family_of(sample->name, types);
      if (!types.contains(family)) return "sample before its TYPE: " + line;
      if (!series.insert(line.substr(0, line.rfind(' '))).second) return "repeated series: " + line;
      const std::string& type = types.at(family);
      if (type == "counter" && !family.ends_with("_total")) return "counter name: " + line;
      if (type == "histogram") {
        const std::string problem = histogram_problem(family, *sample, last_bucket);
        if (!problem.empty()) return problem + ": " + line;
      }
    } else {
      return "not a valid line: " + line;
    }
    if (family != current_family) {
      if (finished_families.contains(family)) return "family split: " + line;
      finished_families.insert(current_family);
      current_family = family;
    }
  }
  return "";
}

// ---- Tests ----

TEST_CASE("metrics: renders a small registry exactly") {
  MetricsRegistry registry;
  registry.add_counter_family("segmentd_events_consumed_total", "Events read.", {})
      .with_labels({})
      .increment(3);
  CounterFamily& rejected = registry.add_counter_family("segmentd_events_rejected_total",
                                                        "Events rejected, by reason.", {"reason"});
  rejected.with_labels({"bad_json"}).increment();
  rejected.with_labels({"bad_amount"}).increment(2);
  GaugeFamily& clock = registry.add_gauge_family("segmentd_clock_seconds",
                                                 "Stream clock per partition.", {"partition"}, 3);
  clock.with_labels({"1"}).set(1'700'000'000'123);
  clock.with_labels({"0"}).set(-1500);
  Histogram& commit = registry
                          .add_histogram_family("segmentd_commit_duration_seconds",
                                                "Commit duration.", {}, {1ms, 10ms, 1s})
                          .with_labels({});
  commit.observe(500us);
  commit.observe(10ms);
  commit.observe(2s);

  CHECK(registry.render() ==
        "# HELP segmentd_clock_seconds Stream clock per partition.\n"
        "# TYPE segmentd_clock_seconds gauge\n"
        "segmentd_clock_seconds{partition=\"0\"} -1.5\n"
        "segmentd_clock_seconds{partition=\"1\"} 1700000000.123\n"
        "# HELP segmentd_commit_duration_seconds Commit duration.\n"
        "# TYPE segmentd_commit_duration_seconds histogram\n"
        "segmentd_commit_duration_seconds_count 3\n"
        "segmentd_commit_duration_seconds_sum 2.0105\n"
        "segmentd_commit_duration_seconds_bucket{le=\"0.001\"} 1\n"
        "segmentd_commit_duration_seconds_bucket{le=\"0.01\"} 2\n"
        "segmentd_commit_duration_seconds_bucket{le=\"1\"} 2\n"
        "segmentd_commit_duration_seconds_bucket{le=\"+Inf\"} 3\n"
        "# HELP segmentd_events_consumed_total Events read.\n"
        "# TYPE segmentd_events_consumed_total counter\n"
        "segmentd_events_consumed_total 3\n"
        "# HELP segmentd_events_rejected_total Events rejected, by reason.\n"
        "# TYPE segmentd_events_rejected_total counter\n"
        "segmentd_events_rejected_total{reason=\"bad_amount\"} 2\n"
        "segmentd_events_rejected_total{reason=\"bad_json\"} 1\n");
}

TEST_CASE("metrics: escapes label values; refuses help text the serializer would not escape") {
  MetricsRegistry registry;
  registry.add_gauge_family("segmentd_odd", "Odd label values; \"quotes\" stay.", {"v"})
      .with_labels({"a\\b\"c\nd"})
      .set(1);
  const std::string text = registry.render();
  CHECK(text ==
        "# HELP segmentd_odd Odd label values; \"quotes\" stay.\n"
        "# TYPE segmentd_odd gauge\n"
        "segmentd_odd{v=\"a\\\\b\\\"c\\nd\"} 1\n");
  CHECK(exposition_problem(text) == "");
  // prometheus-cpp 1.0 writes HELP verbatim: a newline would end the line early.
  CHECK_THROWS_AS(registry.add_gauge_family("segmentd_nl", "Line\nbreak.", {}),
                  std::invalid_argument);
  CHECK_THROWS_AS(registry.add_counter_family("segmentd_bs_total", "Back\\slash.", {}),
                  std::invalid_argument);
}

TEST_CASE("metrics: histogram buckets are cumulative, bounds inclusive, per label set") {
  MetricsRegistry registry;
  HistogramFamily& latency = registry.add_histogram_family("segmentd_latency_seconds", "Latency.",
                                                           {"partition"}, {5ms, 50ms, 500ms});
  Histogram& first = latency.with_labels({"0"});
  for (auto duration : {1ms, 5ms, 6ms, 50ms, 499ms, 501ms}) first.observe(duration);
  first.observe(-3ms);  // counts as zero
  latency.with_labels({"1"});

  const std::string text = registry.render();
  CHECK_THAT(text,
             Catch::Contains("segmentd_latency_seconds_bucket{partition=\"0\",le=\"0.005\"} 3\n"));
  CHECK_THAT(text,
             Catch::Contains("segmentd_latency_seconds_bucket{partition=\"0\",le=\"0.5\"} 6\n"));
  CHECK_THAT(text,
             Catch::Contains("segmentd_latency_seconds_bucket{partition=\"0\",le=\"+Inf\"} 7\n"));
  CHECK_THAT(text,
             Catch::Contains("segmentd_latency_seconds_bucket{partition=\"0\",le=\"0.05\"} 5\n"));
  CHECK_THAT(text, Catch::Contains("segmentd_latency_seconds_sum{partition=\"0\"} 1.062\n"));
  CHECK_THAT(text,
             Catch::Contains("segmentd_latency_seconds_bucket{partition=\"1\",le=\"+Inf\"} 0\n"));
  CHECK_THAT(text, Catch::Contains("segmentd_latency_seconds_sum{partition=\"1\"} 0\n"));
  CHECK(exposition_problem(text) == "");
}

TEST_CASE("metrics: increments from two threads sum exactly while scraped") {
  MetricsRegistry registry;
  Counter& events =
      registry.add_counter_family("segmentd_events_total", "Events.", {}).with_labels({});
  Gauge& members = registry.add_gauge_family("segmentd_members", "Members.", {}).with_labels({});
  Histogram& latency =
      registry.add_histogram_family("segmentd_latency_seconds", "Latency.", {}, {1us, 1ms})
          .with_labels({});
  constexpr int kPerThread = 100'000;
  std::atomic<bool> done{false};
  std::string scrape_problem;  // Catch2 assertions are not thread-safe: check after join
  std::thread scraper([&] {
    while (!done.load() && scrape_problem.empty()) {
      scrape_problem = exposition_problem(registry.render());
    }
  });
  const auto work = [&] {
    for (int i = 0; i < kPerThread; ++i) {
      events.increment();
      members.add(i % 2 == 0 ? 3 : -1);
      latency.observe(std::chrono::microseconds(i % 3));
    }
  };
  std::thread first(work), second(work);
  first.join();
  second.join();
  done = true;
  scraper.join();

  CHECK(scrape_problem == "");
  CHECK(events.value() == 2 * kPerThread);
  CHECK(members.value() == 2 * kPerThread);
  const std::string text = registry.render();
  CHECK_THAT(text, Catch::Contains("segmentd_latency_seconds_count " +
                                   std::to_string(2 * kPerThread) + "\n"));
}

TEST_CASE("metrics: callback families are read at scrape time until unregistered") {
  MetricsRegistry registry;
  int scrapes = 0;
  CallbackRegistration lag = registry.add_callback_family(
      "segmentd_consumer_lag", "Messages behind the high watermark.", MetricType::gauge,
      {"partition"}, [&scrapes] {
        ++scrapes;
        return std::vector<CallbackSample>{{{"1"}, 0.25}, {{"0"}, static_cast<double>(scrapes)}};
      });
  CHECK(registry.render() ==
        "# HELP segmentd_consumer_lag Messages behind the high watermark.\n"
        "# TYPE segmentd_consumer_lag gauge\n"
        "segmentd_consumer_lag{partition=\"0\"} 1\n"
        "segmentd_consumer_lag{partition=\"1\"} 0.25\n");
  CHECK_THAT(registry.render(), Catch::Contains("{partition=\"0\"} 2\n"));

  CallbackRegistration moved = std::move(lag);
  lag.reset();  // moved-from: nothing to remove
  CHECK_FALSE(registry.render().empty());
  moved.reset();
  CHECK(registry.render().empty());
  CHECK(scrapes == 3);
  // The name is free again.
  CallbackRegistration again =
      registry.add_callback_family("segmentd_consumer_lag", "Lag.", MetricType::gauge, {}, [] {
        return std::vector<CallbackSample>{{{}, std::numeric_limits<double>::infinity()}};
      });
  CHECK_THAT(registry.render(), Catch::EndsWith("segmentd_consumer_lag +Inf\n"));
}

TEST_CASE("metrics: a callback returning bad samples fails the scrape") {
  MetricsRegistry registry;
  std::vector<CallbackSample> samples{{{"a", "b"}, 1}};
  CallbackRegistration registration = registry.add_callback_family(
      "segmentd_bad_total", "Bad.", MetricType::counter, {"only"}, [&samples] { return samples; });
  CHECK_THROWS_AS(registry.render(), std::invalid_argument);
  samples = {{{"x"}, 1}, {{"x"}, 2}};
  CHECK_THROWS_AS(registry.render(), std::invalid_argument);
}

TEST_CASE("metrics: rejects invalid declarations") {
  MetricsRegistry registry;
  CHECK_THROWS_AS(registry.add_counter_family("segmentd_events", "No _total.", {}),
                  std::invalid_argument);
  CHECK_THROWS_AS(registry.add_gauge_family("segmentd bad", "Space.", {}), std::invalid_argument);
  CHECK_THROWS_AS(registry.add_gauge_family("segmentd_g", "Label.", {"bad-label"}),
                  std::invalid_argument);
  CHECK_THROWS_AS(registry.add_gauge_family("segmentd_g", "Reserved.", {"__x"}),
                  std::invalid_argument);
  CHECK_THROWS_AS(registry.add_gauge_family("segmentd_g", "Twice.", {"a", "a"}),
                  std::invalid_argument);
  CHECK_THROWS_AS(registry.add_gauge_family("segmentd_g", "Digits.", {}, 10),
                  std::invalid_argument);
  CHECK_THROWS_AS(registry.add_histogram_family("segmentd_h", "le.", {"le"}, {1ms}),
                  std::invalid_argument);
  CHECK_THROWS_AS(registry.add_histogram_family("segmentd_h", "Order.", {}, {2ms, 1ms}),
                  std::invalid_argument);
  CHECK_THROWS_AS(registry.add_histogram_family("segmentd_h", "Negative.", {}, {-1ms}),
                  std::invalid_argument);
  CHECK(registry.render().empty());

  GaugeFamily& gauge = registry.add_gauge_family("segmentd_g", "Fine.", {"a"});
  CHECK_THROWS_AS(registry.add_gauge_family("segmentd_g", "Again.", {"a"}), std::invalid_argument);
  CHECK_THROWS_AS(gauge.with_labels({}), std::invalid_argument);
  CHECK_THROWS_AS(gauge.with_labels({"1", "2"}), std::invalid_argument);
  CHECK(&gauge.with_labels({"1"}) == &gauge.with_labels({"1"}));
}

TEST_CASE("metrics: build info") {
  MetricsRegistry registry;
  add_build_info(registry, "0.1.0", "abc123");
  CHECK_THAT(registry.render(),
             Catch::EndsWith("# TYPE segmentd_build_info gauge\n"
                             "segmentd_build_info{revision=\"abc123\",version=\"0.1.0\"} 1\n"));
}

TEST_CASE("metrics: a registry of every kind passes the strict format check") {
  MetricsRegistry registry;
  add_build_info(registry, "0.1.0-dev \"quoted\"", "unknown");
  registry
      .add_counter_family("segmentd_transitions_total", "Transitions.", {"family", "from", "to"})
      .with_labels({"lifecycle", "new", "active"})
      .increment(4);
  registry.add_gauge_family("segmentd_members", "Members.", {"family", "segment"})
      .with_labels({"lifecycle", "line\nbreak"})
      .set(-2);
  Histogram& latency = registry
                           .add_histogram_family("segmentd_processing_latency_seconds", "Latency.",
                                                 {"partition"}, {100us, 1ms, 10ms, 100ms, 1s, 10s})
                           .with_labels({"3"});
  for (int i = 0; i < 50; ++i) latency.observe(std::chrono::milliseconds(i * i));
  CallbackRegistration registration = registry.add_callback_family(
      "segmentd_rocksdb_block_cache_hit_ratio", "Hit ratio.", MetricType::gauge, {}, [] {
        return std::vector<CallbackSample>{{{}, 0.987654321}};
      });
  CHECK(exposition_problem(registry.render()) == "");

  // The checker itself catches what it should.
  CHECK(exposition_problem("x 1") != "");
  CHECK(exposition_problem("# TYPE x counter\nx 1\n") != "");
  CHECK(exposition_problem("x 1\n") != "");
  CHECK(exposition_problem("# HELP x tab\\t\n# TYPE x gauge\nx 1\n") != "");
  CHECK(exposition_problem("# TYPE x summary\nx 1\n") != "");
  CHECK(exposition_problem("# TYPE x gauge\nx 1.\n") != "");
  CHECK(exposition_problem("# TYPE x gauge\nx{1a=\"v\"} 1\n") != "");
  CHECK(exposition_problem("# HELP x a\\\\b\\nc\n# TYPE x gauge\nx -1.5e+21\n") == "");
  CHECK(exposition_problem("# TYPE x gauge\nx{a=\"\\t\"} 1\n") != "");
  CHECK(exposition_problem("# TYPE x gauge\nx 1\nx 2\n") != "");
  CHECK(exposition_problem("# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\n") !=
        "");
}

TEST_CASE("metrics: standard metrics: build info with revision, process_*, readiness") {
  MetricsRegistry registry;
  Readiness readiness;
  const auto added = add_standard_metrics(registry, readiness, "0.1.0", "0123456789ab");
  std::string text = registry.render();
  CHECK(exposition_problem(text) == "");
  CHECK_THAT(text, Catch::Contains(
                       "segmentd_build_info{revision=\"0123456789ab\",version=\"0.1.0\"} 1\n"));
  CHECK_THAT(text, Catch::Contains("\nsegmentd_ready 0\n"));
  for (const char* name : {"process_cpu_seconds_total ", "process_resident_memory_bytes ",
                           "process_virtual_memory_bytes ", "process_open_fds ", "process_max_fds ",
                           "process_start_time_seconds "}) {
    CHECK_THAT(text, Catch::Contains(std::string("\n") + name));
  }
  readiness.set_ready();
  CHECK_THAT(registry.render(), Catch::Contains("\nsegmentd_ready 1\n"));
}

TEST_CASE("metrics: parse_proc_stat reads CPU, memory and start time") {
  // A command name with a space and a parenthesis, as proc(5) allows.
  const std::string stat =
      "4242 (seg d) x) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 3 0 1000 "
      "123456789 300 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0";
  const auto figures = parse_proc_stat(stat, 100, 4096, 1'700'000'000);
  REQUIRE(figures);
  CHECK(figures->cpu_seconds == 3.0);
  CHECK(figures->start_time_seconds == 1'700'000'010.0);
  CHECK(figures->virtual_memory_bytes == 123456789.0);
  CHECK(figures->resident_memory_bytes == 300.0 * 4096);
  CHECK_FALSE(parse_proc_stat("4242 (truncated) S 1 2", 100, 4096, 0));
  CHECK_FALSE(parse_proc_stat("no parenthesis", 100, 4096, 0));
}

}  // namespace
}  // namespace segmentd
