#include "app/log.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "connectors/transition_json.h"

namespace segmentd::log {

namespace {

spdlog::logger& logger() {
  static const std::shared_ptr<spdlog::logger> instance = [] {
    auto l = spdlog::stderr_logger_mt("segmentd");
    l->set_pattern(R"({"time":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l",%v})",
                   spdlog::pattern_time_type::utc);
    return l;
  }();
  return *instance;
}

std::string render(std::string_view event, std::initializer_list<Field> fields) {
  std::string out = "\"event\":";
  append_json_string(out, event);
  for (const Field& field : fields) {
    out.push_back(',');
    append_json_string(out, field.key);
    out.push_back(':');
    append_json_string(out, field.value);
  }
  return out;
}

}  // namespace

void info(std::string_view event, std::initializer_list<Field> fields) {
  if (logger().should_log(spdlog::level::info)) logger().info(render(event, fields));
}
void warn(std::string_view event, std::initializer_list<Field> fields) {
  logger().warn(render(event, fields));
}
void error(std::string_view event, std::initializer_list<Field> fields) {
  logger().error(render(event, fields));
}
void set_quiet(bool quiet) {
  logger().set_level(quiet ? spdlog::level::warn : spdlog::level::info);
}

}  // namespace segmentd::log
