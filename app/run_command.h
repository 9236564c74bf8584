// `segmentd run` on the command line: the service (SPEC 9). Loads and validates the
// configuration, serves /metrics, /healthz and /readyz on http.listen, runs the service
// loop until SIGTERM or SIGINT, then drains, flushes, commits and exits 0.
#pragma once

#include <CLI/App.hpp>
#include <string>
#include <vector>

namespace segmentd {

struct RunCommandLine {
  std::string config_file;
  std::vector<std::string> sets;
};

CLI::App* add_run_command(CLI::App& app, RunCommandLine& line);

// Returns the process exit status: 0 after a clean stop, 1 on a fatal error, 2 for an
// invalid configuration.
int run_run_command(const RunCommandLine& line);

}  // namespace segmentd
