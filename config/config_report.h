// What the configuration says, for people: the effective values of a loaded
// configuration (logged at start-up) and the reference table of every option
// (docs/CONFIGURATION.md is generated from it). Both are derived from the option
// registry, so they list exactly the options that exist. Pure; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "config/segmentd_config.h"

namespace segmentd {

// One "key=value" line per option, in registry order, then each kafka.<property>; the
// values of credentials (is_secret_key) are shown as "***".
std::vector<std::string> describe_effective_config(const SegmentdConfig& config);

// A Markdown table with a row per option: key, default, allowed values, meaning.
std::string config_reference_markdown();

}  // namespace segmentd
