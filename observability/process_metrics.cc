#include "observability/process_metrics.h"

#include <sys/resource.h>
#include <unistd.h>

#include <charconv>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace segmentd {

namespace {

std::string read_file(const char* path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::optional<double> boot_time_seconds() {
  std::istringstream stat(read_file("/proc/stat"));
  std::string key;
  double value = 0;
  while (stat >> key) {
    if (key == "btime" && stat >> value) return value;
    stat.ignore(std::numeric_limits<std::streamsize>::max(), '\n');
  }
  return std::nullopt;
}

std::optional<ProcessFigures> read_process_figures() {
  const std::optional<double> boot = boot_time_seconds();
  if (!boot) return std::nullopt;
  return parse_proc_stat(read_file("/proc/self/stat"), static_cast<double>(sysconf(_SC_CLK_TCK)),
                         static_cast<double>(sysconf(_SC_PAGESIZE)), *boot);
}

std::vector<CallbackSample> sample_of(double (*field)(const ProcessFigures&)) {
  const std::optional<ProcessFigures> figures = read_process_figures();
  if (!figures) return {};
  return {{{}, field(*figures)}};
}

std::vector<CallbackSample> open_fds() {
  std::error_code ec;
  double count = 0;
  for (std::filesystem::directory_iterator it("/proc/self/fd", ec), end; !ec && it != end;
       it.increment(ec)) {
    ++count;
  }
  if (ec) return {};
  return {{{}, count}};
}

std::vector<CallbackSample> max_fds() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return {};
  return {{{}, static_cast<double>(limit.rlim_cur)}};
}

}  // namespace

std::optional<ProcessFigures> parse_proc_stat(std::string_view stat, double ticks_per_second,
                                              double page_bytes, double boot_time_seconds) {
  // The command name (field 2) is in parentheses and may hold spaces and ')': the
  // fields after it start after the last ')'. Field 3 (state) is then the first.
  const auto close = stat.rfind(')');
  if (close == std::string_view::npos || ticks_per_second <= 0) return std::nullopt;
  std::istringstream fields{std::string(stat.substr(close + 1))};
  std::vector<std::string> values;
  for (std::string value; fields >> value;) values.push_back(value);
  // Fields 14 utime, 15 stime, 22 starttime, 23 vsize, 24 rss (1-based, proc(5)).
  constexpr std::size_t kFirst = 3;
  if (values.size() < 24 - kFirst + 1) return std::nullopt;
  const auto field = [&](std::size_t number, double& out) {
    const std::string& text = values[number - kFirst];
    unsigned long long parsed = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), parsed);
    out = static_cast<double>(parsed);
    return error == std::errc() && end == text.data() + text.size();
  };
  double utime = 0, stime = 0, start = 0, vsize = 0, rss = 0;
  if (!field(14, utime) || !field(15, stime) || !field(22, start) || !field(23, vsize) ||
      !field(24, rss)) {
    return std::nullopt;
  }
  return ProcessFigures{(utime + stime) / ticks_per_second,
                        boot_time_seconds + start / ticks_per_second, vsize, rss * page_bytes};
}

std::vector<CallbackRegistration> add_process_metrics(MetricsRegistry& registry) {
  std::vector<CallbackRegistration> added;
  added.push_back(registry.add_callback_family(
      "process_cpu_seconds_total", "Total user and system CPU time spent in seconds.",
      MetricType::counter, {},
      [] { return sample_of([](const ProcessFigures& f) { return f.cpu_seconds; }); }));
  added.push_back(registry.add_callback_family(
      "process_resident_memory_bytes", "Resident memory size in bytes.", MetricType::gauge, {},
      [] { return sample_of([](const ProcessFigures& f) { return f.resident_memory_bytes; }); }));
  added.push_back(registry.add_callback_family(
      "process_virtual_memory_bytes", "Virtual memory size in bytes.", MetricType::gauge, {},
      [] { return sample_of([](const ProcessFigures& f) { return f.virtual_memory_bytes; }); }));
  added.push_back(registry.add_callback_family(
      "process_start_time_seconds", "Start time of the process since unix epoch in seconds.",
      MetricType::gauge, {},
      [] { return sample_of([](const ProcessFigures& f) { return f.start_time_seconds; }); }));
  added.push_back(registry.add_callback_family(
      "process_open_fds", "Number of open file descriptors.", MetricType::gauge, {}, &open_fds));
  added.push_back(registry.add_callback_family("process_max_fds",
                                               "Maximum number of open file descriptors.",
                                               MetricType::gauge, {}, &max_fds));
  return added;
}

}  // namespace segmentd
