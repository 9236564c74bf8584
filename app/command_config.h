// The configuration of a command run from the shell: --config FILE, the process
// environment and --set, loaded and validated (config/config_loader.h). On failure the
// problems are printed on stderr under "segmentd <command>: invalid configuration".
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "config/segmentd_config.h"

namespace segmentd {

std::optional<SegmentdConfig> load_command_config(const std::string& command,
                                                  const std::string& config_file,
                                                  const std::vector<std::string>& sets);

}  // namespace segmentd
