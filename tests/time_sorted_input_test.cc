#include "connectors/time_sorted_input.h"

#include <stdlib.h>
#include <sys/resource.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <charconv>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

namespace segmentd {
namespace {

struct TempDir {
  std::filesystem::path path;
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "segmentd-test-XXXXXX");
    path = ::mkdtemp(pattern.data());
  }
  ~TempDir() { std::filesystem::remove_all(path); }
};

// A sorted line as the tests compare it: original line number and text.
struct Sorted {
  std::uint64_t number = 0;
  std::string text;
  bool operator==(const Sorted&) const = default;
};

// Test lines read "<ts> <payload>"; any line not starting with a number is rejected.
// A classify that keeps each accepted line itself as its record.
std::optional<EpochMs> leading_ts(const InputLine& line, std::string& record) {
  record = line.text;
  std::int64_t ts = 0;
  const char* end = line.text.data() + line.text.size();
  const auto [stop, error] = std::from_chars(line.text.data(), end, ts);
  if (error != std::errc() || stop == line.text.data()) return std::nullopt;
  return EpochMs{ts};
}

// The result of sorting some lines: what next() gave, and what classify was called with.
struct SortRun {
  std::vector<Sorted> output;
  std::size_t spilled_runs = 0;
  std::vector<std::string> classified;
};

std::unique_ptr<JsonlReader> open_input(const TempDir& dir, const std::vector<std::string>& lines) {
  const std::filesystem::path path = dir.path / "input.jsonl";
  {
    std::ofstream out(path, std::ios::binary);
    for (const std::string& line : lines) out << line << '\n';
  }
  std::unique_ptr<JsonlReader> reader;
  REQUIRE(JsonlReader::open(path, 4u << 20, reader).is_ok());  // every line whole
  return reader;
}

void read_all(TimeSortedInput& sorted, SortRun& run) {
  InputLine line;
  while (sorted.next(line)) run.output.push_back({line.number, std::string(line.text)});
  REQUIRE(sorted.status().is_ok());
  run.spilled_runs = sorted.spilled_runs();
}

// Sorts `lines` with `budget`; checks that no spill file is ever visible in the spill dir.
SortRun sort_lines(const std::vector<std::string>& lines, std::size_t budget) {
  TempDir dir;
  const std::filesystem::path spill_dir = dir.path / "spill";
  std::filesystem::create_directory(spill_dir);
  std::unique_ptr<JsonlReader> reader = open_input(dir, lines);
  SortRun run;
  auto classify = [&run](const InputLine& line, std::string& record) {
    run.classified.emplace_back(line.text);
    return leading_ts(line, record);
  };
  std::unique_ptr<TimeSortedInput> sorted;
  REQUIRE(TimeSortedInput::sort(*reader, classify, budget, spill_dir, sorted).is_ok());
  CHECK(std::filesystem::is_empty(spill_dir));
  read_all(*sorted, run);
  sorted.reset();
  CHECK(std::filesystem::is_empty(spill_dir));
  return run;
}

// What the sort must produce: accepted lines stable-sorted by ts.
std::vector<Sorted> expected_order(const std::vector<std::string>& lines) {
  std::vector<std::pair<std::int64_t, Sorted>> accepted;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const InputLine line{lines[i], i + 1, 0};
    std::string record;
    if (const auto ts = leading_ts(line, record)) accepted.push_back({ts->ms, {i + 1, lines[i]}});
  }
  std::stable_sort(accepted.begin(), accepted.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<Sorted> out;
  for (auto& entry : accepted) out.push_back(std::move(entry.second));
  return out;
}

// Budgets that hold all of kMixedInput, and about two of its lines (a line costs its
// bytes plus a per-record overhead).
constexpr std::size_t kLargeBudget = 1 << 20;
constexpr std::size_t kTinyBudget = 100;

const std::vector<std::string> kMixedInput = {
    "30 c",    "10 a",       "",     "20 b", "bad line",   "10 a-again",  "   ",
    "5 first", "20 b-again", "\t\r", "x 99", "30 c-again", "-7 negative", "10 a-third",
};

TEST_CASE("an input that fits in the budget is sorted in memory", "[sort]") {
  const SortRun run = sort_lines(kMixedInput, kLargeBudget);
  CHECK(run.spilled_runs == 0);
  const std::vector<Sorted> expected = {
      {13, "-7 negative"}, {8, "5 first"},    {2, "10 a"}, {6, "10 a-again"},  {14, "10 a-third"},
      {4, "20 b"},         {9, "20 b-again"}, {1, "30 c"}, {12, "30 c-again"},
  };
  CHECK(run.output == expected);
}

TEST_CASE("a tiny budget spills many runs and gives the same order", "[sort]") {
  const SortRun in_memory = sort_lines(kMixedInput, kLargeBudget);
  const SortRun spilled = sort_lines(kMixedInput, kTinyBudget);
  CHECK(spilled.spilled_runs > 2);
  CHECK(spilled.output == in_memory.output);
}

TEST_CASE("equal times keep input order", "[sort]") {
  std::vector<std::string> lines;
  for (int i = 0; i < 300; ++i) lines.push_back(std::to_string(i % 3) + " n" + std::to_string(i));
  for (const std::size_t budget : {kLargeBudget, std::size_t{500}}) {
    const SortRun run = sort_lines(lines, budget);
    CHECK((run.spilled_runs > 0) == (budget != kLargeBudget));
    CHECK(run.output == expected_order(lines));
  }
}

TEST_CASE("blank lines are skipped without classify, rejected lines are dropped", "[sort]") {
  const SortRun run = sort_lines(kMixedInput, kTinyBudget);
  const std::vector<std::string> blanks = {"", "   ", "\t\r"};
  for (const std::string& text : run.classified) {
    CHECK(std::find(blanks.begin(), blanks.end(), text) == blanks.end());
  }
  CHECK(run.classified.size() == kMixedInput.size() - blanks.size());
  for (const Sorted& line : run.output) {
    CHECK(line.text != "bad line");
    CHECK(line.text != "x 99");
  }
}

TEST_CASE("original line numbers are preserved", "[sort]") {
  const SortRun run = sort_lines(kMixedInput, GENERATE(kLargeBudget, kTinyBudget));
  REQUIRE_FALSE(run.output.empty());
  for (const Sorted& line : run.output) CHECK(kMixedInput.at(line.number - 1) == line.text);
}

TEST_CASE("a large random input matches std::stable_sort", "[sort]") {
  std::mt19937_64 random(42);
  std::uniform_int_distribution<std::int64_t> ts(0, 5'000);  // many equal times
  std::uniform_int_distribution<int> padding(0, 60);
  std::vector<std::string> lines;
  for (int i = 0; i < 50'000; ++i) {
    lines.push_back(std::to_string(ts(random)) + " {\"i\":" + std::to_string(i) + "}" +
                    std::string(static_cast<std::size_t>(padding(random)), 'p'));
  }
  const SortRun run = sort_lines(lines, 64 << 10);
  CHECK(run.spilled_runs > 10);
  CHECK(run.output == expected_order(lines));
}

TEST_CASE("lines longer than the budget and the read buffers survive a spill", "[sort]") {
  const std::vector<std::string> lines = {"3 " + std::string(300'000, 'a'), "1 short",
                                          "2 " + std::string(2'000'000, 'b'), "0 tiny"};
  const SortRun run = sort_lines(lines, 1000);
  CHECK(run.spilled_runs == 4);
  CHECK(run.output == expected_order(lines));
}

TEST_CASE("an empty input gives no lines", "[sort]") {
  const SortRun run = sort_lines({}, kTinyBudget);
  CHECK(run.output.empty());
  CHECK(run.spilled_runs == 0);
}

TEST_CASE("a spill dir that does not exist is reported", "[sort]") {
  TempDir dir;
  std::unique_ptr<JsonlReader> reader = open_input(dir, kMixedInput);
  std::unique_ptr<TimeSortedInput> sorted;
  const Status s =
      TimeSortedInput::sort(*reader, leading_ts, kTinyBudget, dir.path / "missing", sorted);
  REQUIRE_FALSE(s.is_ok());
  CHECK_THAT(s.message(), Catch::Contains("cannot create a sort spill file"));
  CHECK(sorted == nullptr);
}

// Makes writes past `bytes` into any file fail (EFBIG) while in scope, as a full disk would.
class FileSizeLimit {
 public:
  explicit FileSizeLimit(rlim_t bytes) {
    ::getrlimit(RLIMIT_FSIZE, &saved_);
    previous_handler_ = std::signal(SIGXFSZ, SIG_IGN);
    rlimit limited = saved_;
    limited.rlim_cur = bytes;
    ::setrlimit(RLIMIT_FSIZE, &limited);
  }
  ~FileSizeLimit() {
    ::setrlimit(RLIMIT_FSIZE, &saved_);
    std::signal(SIGXFSZ, previous_handler_);
  }

 private:
  rlimit saved_{};
  void (*previous_handler_)(int) = nullptr;
};

TEST_CASE("a spill write that fails is reported", "[sort]") {
  TempDir dir;
  std::vector<std::string> lines;
  for (int i = 0; i < 20'000; ++i) lines.push_back(std::to_string(i % 7) + std::string(100, 'x'));
  std::unique_ptr<JsonlReader> reader = open_input(dir, lines);
  std::unique_ptr<TimeSortedInput> sorted;
  Status s = Status::ok();
  {
    const FileSizeLimit limit(64 << 10);
    s = TimeSortedInput::sort(*reader, leading_ts, 4096, dir.path, sorted);
  }
  REQUIRE_FALSE(s.is_ok());
  CHECK_THAT(s.message(), Catch::Contains("cannot write the sort spill file"));
  CHECK(sorted == nullptr);
}

}  // namespace
}  // namespace segmentd
