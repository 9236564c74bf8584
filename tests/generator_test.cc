// Tests of segmentd-gen (bench/generator): determinism, exact line counts, manifest
// accuracy, member-order grouping, id uniqueness, refund bounds, and the small
// building blocks (calendar queue, RFC 3339 text, command line).
#include "bench/generator/generator.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <charconv>
#include <cstdio>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "bench/generator/civil_time.h"
#include "bench/generator/options.h"
#include "bench/generator/time_queue.h"

namespace {

using namespace segmentd::gen;

struct Run {
  std::vector<std::string> lines;
  std::vector<std::string> manifest;
  std::string bytes;
  GenerationSummary summary;
};

std::string read_all(std::FILE* file) {
  std::rewind(file);
  std::string text;
  char buffer[1 << 16];
  for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, file)) > 0;) text.append(buffer, n);
  return text;
}

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t begin = 0;
  for (std::size_t end; (end = text.find('\n', begin)) != std::string::npos; begin = end + 1) {
    lines.push_back(text.substr(begin, end - begin));
  }
  REQUIRE(begin == text.size());  // every line ends with a newline
  return lines;
}

Run generate_run(const GeneratorOptions& options) {
  std::FILE* out_file = std::tmpfile();
  std::FILE* manifest_file = std::tmpfile();
  REQUIRE(out_file != nullptr);
  REQUIRE(manifest_file != nullptr);
  Run run;
  OutputFile out(out_file, "out");
  OutputFile manifest(manifest_file, "manifest");
  run.summary = generate(options, out, &manifest);
  run.bytes = read_all(out_file);
  run.lines = split_lines(run.bytes);
  run.manifest = split_lines(read_all(manifest_file));
  std::fclose(out_file);
  std::fclose(manifest_file);
  return run;
}

GeneratorOptions faulty_options(StreamOrder order) {
  GeneratorOptions o;
  o.members = 300;
  o.events = 20'000;
  o.seed = 42;
  o.days = 365;
  o.late_rate = 0.05;
  o.dup_rate = 0.05;
  o.refund_rate = 0.1;
  o.broken_rate = 0.03;
  o.order = order;
  return o;
}

// The raw text of top-level field `key` (string contents without quotes, or the
// number); nullopt when absent. Good enough for the generator's flat events: no
// nested object repeats a top-level key and no string holds a quote.
std::optional<std::string_view> field(std::string_view line, std::string_view key) {
  std::string pattern = "\"";
  pattern += key;
  pattern += "\":";
  const auto at = line.find(pattern);
  if (at == std::string_view::npos) return std::nullopt;
  std::string_view rest = line.substr(at + pattern.size());
  if (!rest.empty() && rest[0] == '"') {
    rest.remove_prefix(1);
    return rest.substr(0, rest.find('"'));
  }
  return rest.substr(0, rest.find_first_of(",}"));
}

std::optional<EpochMs> event_time(std::string_view line) {
  const auto raw = field(line, "ts");
  if (!raw) return std::nullopt;
  EpochMs ms = 0;
  const auto result = std::from_chars(raw->data(), raw->data() + raw->size(), ms);
  if (result.ec == std::errc{} && result.ptr == raw->data() + raw->size()) return ms;
  return parse_rfc3339(*raw);
}

// Thousandths from a decimal like "23.4" or "23.405".
std::int64_t thousandths(std::string_view text) {
  const auto dot = text.find('.');
  std::int64_t units = 0;
  std::from_chars(text.data(), text.data() + std::min(dot, text.size()), units);
  std::int64_t fraction = 0;
  int digits = 0;
  for (std::size_t i = dot == std::string_view::npos ? text.size() : dot + 1; i < text.size();
       ++i) {
    fraction = fraction * 10 + (text[i] - '0');
    ++digits;
  }
  for (; digits < 3; ++digits) fraction *= 10;
  return units * 1000 + fraction;
}

bool looks_valid(std::string_view line) {
  return line.size() <= 65536 && line.front() == '{' && line.back() == '}' &&
         field(line, "event_id") && !field(line, "event_id")->empty() && field(line, "member_id") &&
         !field(line, "member_id")->empty() && field(line, "amount") && event_time(line) &&
         field(line, "amount")->front() != '-';
}

// Whether `line` shows the defect that `reason` names (a light check).
bool shows_defect(std::string_view line, std::string_view reason) {
  const auto contains = [&](std::string_view s) { return line.find(s) != std::string_view::npos; };
  if (reason == "invalid_json") return line.empty() || line.front() != '{' || line.back() != '}';
  if (reason == "missing_field") return !contains("\"event_id\":") || !contains("\"amount\":");
  if (reason == "invalid_field")
    return contains("\"ts\":\"yesterday\"") || contains("\"member_id\":\"\"");
  if (reason == "out_of_range") {
    return contains("\"amount\":-") || contains("\"ts\":\"1980-") || contains("\"amount\":1e13");
  }
  if (reason == "unknown_type") return contains("\"type\":\"void\"");
  if (reason == "too_large") return line.size() > 65536;
  return false;
}

std::map<std::uint64_t, std::string> manifest_reasons(const Run& run) {
  std::map<std::uint64_t, std::string> reasons;
  for (const auto& entry : run.manifest) {
    std::uint64_t line = 0;
    const auto number = *field(entry, "line");
    std::from_chars(number.data(), number.data() + number.size(), line);
    reasons[line] = std::string(*field(entry, "reason"));
  }
  return reasons;
}

}  // namespace

TEST_CASE("same options give byte-identical output", "[generator]") {
  for (const auto order : {StreamOrder::time, StreamOrder::member}) {
    const GeneratorOptions options = faulty_options(order);
    const Run first = generate_run(options);
    const Run second = generate_run(options);
    CHECK(first.bytes == second.bytes);
    CHECK(first.manifest == second.manifest);
    GeneratorOptions other = options;
    other.seed = 43;
    CHECK(generate_run(other).bytes != first.bytes);
  }
}

TEST_CASE("the output does not depend on the number of threads", "[generator]") {
  for (const auto order : {StreamOrder::time, StreamOrder::member}) {
    GeneratorOptions options = faulty_options(order);
    options.events = 150'000;  // several render batches
    options.threads = 1;
    const Run single = generate_run(options);
    options.threads = 3;
    CHECK(generate_run(options).bytes == single.bytes);
  }
}

TEST_CASE("write errors are reported, not lost", "[generator]") {
  std::FILE* read_only = std::fopen("/dev/null", "r");
  REQUIRE(read_only != nullptr);
  OutputFile out(read_only, "read-only");
  GeneratorOptions options = faulty_options(StreamOrder::time);
  options.events = 100'000;
  CHECK_THROWS_AS(generate(options, out, nullptr), std::runtime_error);
  std::fclose(read_only);
}

TEST_CASE("exactly the requested number of lines", "[generator]") {
  for (const auto order : {StreamOrder::time, StreamOrder::member}) {
    for (const std::uint64_t events : {0, 1, 2, 7, 1000, 12345}) {
      GeneratorOptions options = faulty_options(order);
      options.events = events;
      const Run run = generate_run(options);
      CHECK(run.lines.size() == events);
      CHECK(run.summary.lines == events);
      CHECK(run.summary.events + run.summary.duplicates + run.summary.broken == events);
    }
  }
}

TEST_CASE("one member and dense streams still reach the requested length", "[generator]") {
  GeneratorOptions options;
  options.members = 1;
  options.events = 5000;
  options.days = 1;
  const Run run = generate_run(options);
  CHECK(run.lines.size() == 5000);
}

TEST_CASE("the manifest points at exactly the broken lines", "[generator]") {
  for (const auto order : {StreamOrder::time, StreamOrder::member}) {
    const Run run = generate_run(faulty_options(order));
    const auto reasons = manifest_reasons(run);
    CHECK(reasons.size() == run.summary.broken);
    CHECK(run.summary.broken > 400);
    std::set<std::string> seen_reasons;
    for (std::size_t i = 0; i < run.lines.size(); ++i) {
      const auto reason = reasons.find(i + 1);
      if (reason == reasons.end()) {
        INFO("line " << i + 1 << ": " << run.lines[i]);
        CHECK(looks_valid(run.lines[i]));
      } else {
        INFO("line " << i + 1 << " (" << reason->second << "): " << run.lines[i].substr(0, 200));
        CHECK(shows_defect(run.lines[i], reason->second));
        seen_reasons.insert(reason->second);
      }
    }
    CHECK(seen_reasons.size() >= 5);
  }
}

TEST_CASE("event ids are unique except for duplicate deliveries", "[generator]") {
  for (const auto order : {StreamOrder::time, StreamOrder::member}) {
    const Run run = generate_run(faulty_options(order));
    const auto reasons = manifest_reasons(run);
    std::map<std::string, std::string> line_by_id;
    std::uint64_t repeats = 0;
    for (std::size_t i = 0; i < run.lines.size(); ++i) {
      if (reasons.count(i + 1) != 0) continue;
      const std::string id(*field(run.lines[i], "event_id"));
      const auto [it, inserted] = line_by_id.emplace(id, run.lines[i]);
      if (!inserted) {
        ++repeats;
        CHECK(it->second == run.lines[i]);  // a duplicate is the same line again
      }
    }
    CHECK(repeats == run.summary.duplicates);
    CHECK(run.summary.duplicates > 0);
  }
}

TEST_CASE("refunds never exceed the purchase they refund", "[generator]") {
  const Run run = generate_run(faulty_options(StreamOrder::time));
  std::map<std::string, std::int64_t> purchase_amounts;
  std::size_t checked = 0;
  for (const auto& line : run.lines) {
    if (!looks_valid(line)) continue;
    const std::int64_t amount = thousandths(*field(line, "amount"));
    if (field(line, "type") != std::optional<std::string_view>("refund")) {
      purchase_amounts[std::string(*field(line, "event_id"))] = amount;
    } else if (const auto original = field(line, "original_event_id")) {
      const auto purchase = purchase_amounts.find(std::string(*original));
      if (purchase == purchase_amounts.end()) continue;  // purchase delivered late
      CHECK(amount <= purchase->second);
      ++checked;
    }
  }
  CHECK(checked > 50);
  CHECK(run.summary.refunds > 0);
  CHECK(run.summary.late > 0);
}

TEST_CASE("member order groups each member's events in time order", "[generator]") {
  const Run run = generate_run(faulty_options(StreamOrder::member));
  const auto reasons = manifest_reasons(run);
  std::set<std::string> finished_members;
  std::string current;
  EpochMs last_ts = 0;
  for (std::size_t i = 0; i < run.lines.size(); ++i) {
    if (reasons.count(i + 1) != 0) continue;
    const std::string member(*field(run.lines[i], "member_id"));
    const EpochMs ts = *event_time(run.lines[i]);
    if (member != current) {
      INFO("member " << member << " reappears at line " << i + 1);
      CHECK(finished_members.insert(current).second);
      CHECK(finished_members.count(member) == 0);
      current = member;
    } else {
      INFO("line " << i + 1);
      CHECK(ts >= last_ts);
    }
    last_ts = ts;
  }
  CHECK(run.summary.late == 0);
  CHECK(finished_members.size() > 100);
}

TEST_CASE("a profile is the first of its member's events, birthdays well formed", "[generator]") {
  GeneratorOptions options = faulty_options(StreamOrder::member);
  options.profile_rate = 0.3;
  options.broken_rate = 0;
  options.dup_rate = 0;
  const Run run = generate_run(options);
  std::map<std::string, std::vector<std::string>> types;  // member -> event types in order
  for (const std::string& line : run.lines) {
    const std::string member(*field(line, "member_id"));
    const auto type = field(line, "type");
    types[member].push_back(type ? std::string(*type) : "purchase");
  }
  std::size_t with_profile = 0;
  for (const auto& [member, list] : types) {
    INFO("member " << member);
    const auto profiles = std::count(list.begin(), list.end(), "profile");
    CHECK(profiles <= 1);
    if (profiles == 1) {
      CHECK(list.front() == "profile");
      ++with_profile;
    }
  }
  CHECK(with_profile > types.size() / 10);
  CHECK(with_profile < types.size() / 2);
  for (const std::string& line : run.lines) {
    const auto birthday = field(line, "birthday");
    if (!birthday) continue;
    CHECK((birthday->size() == 5 || birthday->size() == 10));
  }
}

TEST_CASE("time order delivers on-time events in time order", "[generator]") {
  GeneratorOptions options = faulty_options(StreamOrder::time);
  options.late_rate = 0.0;
  options.dup_rate = 0.0;
  options.broken_rate = 0.0;
  const Run run = generate_run(options);
  EpochMs last_ts = 0;
  std::size_t out_of_order = 0;
  for (const auto& line : run.lines) {
    const EpochMs ts = *event_time(line);
    // RFC 3339 text without milliseconds truncates up to 999 ms.
    if (ts + 1000 <= last_ts) ++out_of_order;
    last_ts = std::max(last_ts, ts);
  }
  CHECK(out_of_order == 0);
}

TEST_CASE("the calendar queue pops in (ts, member) order", "[generator]") {
  std::mt19937_64 random(7);
  TimeQueue queue(1000, 10, 50);
  std::vector<QueueEntry> expected;
  const auto push = [&](EpochMs ts, std::uint32_t member) {
    queue.push({ts, member});
    expected.push_back({ts, member});
  };
  for (std::uint32_t i = 0; i < 2000; ++i) push(static_cast<EpochMs>(random() % 1200), i);
  std::vector<QueueEntry> popped;
  while (!queue.empty()) {
    popped.push_back(queue.pop());
    // Pushes during draining land before, inside and after the slot range.
    if (popped.size() % 3 == 0 && popped.size() < 3000) {
      push(popped.back().ts + static_cast<EpochMs>(random() % 700),
           5000 + static_cast<std::uint32_t>(popped.size()));
    }
  }
  const auto before = [](const QueueEntry& a, const QueueEntry& b) {
    return a.ts != b.ts ? a.ts < b.ts : a.member < b.member;
  };
  CHECK(std::is_sorted(popped.begin(), popped.end(), before));
  CHECK(popped.size() == expected.size());
}

TEST_CASE("RFC 3339 text round-trips", "[generator]") {
  const EpochMs t = 1'700'000'123'456;
  for (const int offset : {0, 60, 120, -300, 330}) {
    std::string text;
    append_rfc3339(text, t, {offset, true, offset != 0});
    CHECK(parse_rfc3339(text) == t);
  }
  std::string text;
  append_rfc3339(text, t, {120, false, true});
  CHECK(text == "2023-11-15T00:15:23+02:00");
  CHECK(parse_rfc3339("2023-01-01") == 1'672'531'200'000);
  CHECK_FALSE(parse_rfc3339("2023-02-30"));
  CHECK_FALSE(parse_rfc3339("yesterday"));
}

TEST_CASE("command line parsing", "[generator]") {
  const auto parse = [](std::vector<const char*> args) { return parse_cli(args); };
  const CliParse parsed = parse({"--members", "5", "--events=9", "--order", "member", "--start",
                                 "2024-02-29", "--output", "x.jsonl"});
  REQUIRE(parsed.ok);
  CHECK(parsed.args.options.members == 5);
  CHECK(parsed.args.options.events == 9);
  CHECK(parsed.args.options.order == StreamOrder::member);
  CHECK(parsed.args.options.start == 1'709'164'800'000);
  CHECK(parsed.args.output == "x.jsonl");
  CHECK(parse({"--help"}).args.help);
  CHECK_FALSE(parse({"--members", "10k"}).ok);
  CHECK_FALSE(parse({"--bogus", "1"}).ok);
  CHECK_FALSE(parse({"--events"}).ok);
  CHECK_FALSE(parse({"--refund-rate", "0.7"}).ok);
  CHECK_FALSE(parse({"--order", "random"}).ok);
  CHECK_FALSE(parse({"--start", "1985-01-01"}).ok);
}
