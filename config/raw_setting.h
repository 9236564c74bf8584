// A setting as read from one source, before it is checked: the key, the value in the
// form the source wrote it, and where it came from (for error messages). Produced by
// config/config_sources.h, consumed by the loader. Plain values.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace segmentd {

struct RawValue {
  enum class Form : std::uint8_t {
    text,     // a string (always, from the environment and --set)
    integer,  // TOML integer, in `text` as decimal digits
    decimal,  // TOML float, in `text` as its shortest round-trip decimal
    boolean,  // TOML boolean, in `text` as "true"/"false"
    list,     // TOML array of strings, in `items`
    other,    // any other TOML value (date, table array, mixed array), rendered in `text`
  };
  Form form = Form::text;
  std::string text;
  std::vector<std::string> items;
};

struct SettingOrigin {
  enum class Source : std::uint8_t { file, environment, command_line };
  Source source = Source::command_line;
  std::string where;  // "path/to/file.toml:12", "SEGMENTD_TIME__IDLE_DELAY" or "--set"
};

struct RawSetting {
  std::string key;  // dotted, e.g. "time.idle_delay"
  RawValue value;
  SettingOrigin origin;
};

// The value as the user wrote it, for messages: "90" quoted, 65536 bare, ["a", "b"].
std::string display_raw_value(const RawValue& value);

}  // namespace segmentd
