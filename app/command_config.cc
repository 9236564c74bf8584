#include "app/command_config.h"

#include <cstdio>

#include "config/config_loader.h"

extern char** environ;

namespace segmentd {

std::optional<SegmentdConfig> load_command_config(const std::string& command,
                                                  const std::string& config_file,
                                                  const std::vector<std::string>& sets) {
  LoadRequest load;
  if (!config_file.empty()) load.config_file = config_file;
  load.environment = environment_entries(environ);
  load.overrides = sets;
  ConfigResult<SegmentdConfig> loaded = load_config(load);
  if (!loaded.ok()) {
    std::fprintf(stderr, "segmentd %s: invalid configuration\n%s\n", command.c_str(),
                 loaded.error().c_str());
    return std::nullopt;
  }
  return std::move(loaded).value();
}

}  // namespace segmentd
