// Builds the process's SegmentdConfig from the option registry's defaults, then the TOML
// file, then the environment, then --set (each overriding the one before; SPEC 9).
//
// Every value from every source is checked, even one a later source overrides. Unknown
// keys (and unknown SEGMENTD_* variables), invalid values and credentials given with
// --set are errors; the failure message has one line per problem, naming the key, the
// value as written (credentials shown as ***), where it came from and what is allowed.
// Never exits, throws or reads the process environment itself. Thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "config/config_result.h"
#include "config/segmentd_config.h"

namespace segmentd {

struct LoadRequest {
  std::optional<std::string> config_file;  // --config
  std::vector<std::string> environment;    // "NAME=value" entries, e.g. environment_entries()
  std::vector<std::string> overrides;      // --set arguments, "key=value"
};

ConfigResult<SegmentdConfig> load_config(const LoadRequest& request);

// The entries of a null-terminated "NAME=value" array such as environ or main's envp.
std::vector<std::string> environment_entries(const char* const* environment);

}  // namespace segmentd
