// Structured logs (SPEC 8): one JSON object per line on stderr, e.g.
//   {"time":"2024-05-01T10:00:00.123Z","level":"info","event":"replay_resumed","line":"1200"}
// The only module that links spdlog. Callers pass an event name and string fields;
// never money amounts, whole events or secrets. Thread-safe.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

namespace segmentd::log {

struct Field {
  std::string_view key;
  std::string value;
};

void info(std::string_view event, std::initializer_list<Field> fields = {});
void warn(std::string_view event, std::initializer_list<Field> fields = {});
void error(std::string_view event, std::initializer_list<Field> fields = {});

// Only warnings and errors are written when `quiet` (the default for replay).
void set_quiet(bool quiet);

}  // namespace segmentd::log
