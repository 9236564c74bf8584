// Reading settings from the three sources the loader merges (SPEC 9), unchecked: which
// keys exist and what values mean is the loader's business. Each setting records where
// it came from, for error messages.
//
// - TOML file: nested tables and dotted keys both flatten to dotted names
//   ([lifecycle] dormant_after = "90d" and lifecycle.dormant_after = "90d" are the same).
// - Environment: SEGMENTD_ + key upper-cased with '.' -> "__"; other variables ignored.
// - --set: "key=value" strings, split at the first '='.
// The only file of the project that uses toml++; no exception escapes. Thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "config/config_result.h"
#include "config/raw_setting.h"

namespace segmentd {

inline constexpr std::string_view kEnvironmentPrefix = "SEGMENTD_";

// The file's settings, or why it cannot be read or parsed (with line and column).
ConfigResult<std::vector<RawSetting>> read_toml_settings(const std::string& path);

// The SEGMENTD_* entries of `environment` ("NAME=value" strings, as in environ).
std::vector<RawSetting> environment_settings(const std::vector<std::string>& environment);

// "time.idle_delay" -> "SEGMENTD_TIME__IDLE_DELAY".
std::string environment_variable_for(std::string_view key);

// The settings of --set arguments, or which argument is not key=value.
ConfigResult<std::vector<RawSetting>> command_line_settings(const std::vector<std::string>& sets);

}  // namespace segmentd
