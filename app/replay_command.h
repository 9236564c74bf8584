// `segmentd replay` on the command line: its options and help text, and the step from
// validated configuration to a replay run and its printed summary.
#pragma once

#include <CLI/App.hpp>
#include <optional>
#include <string>
#include <vector>

namespace segmentd {

struct ReplayCommandLine {
  std::string input, output, dlq, actions, until, summary_json, config_file, explain;
  std::vector<std::string> sets;
  bool sort = false;
  std::optional<bool> progress;
};

// Adds the `replay` subcommand to `app`; `line` receives its options.
CLI::App* add_replay_command(CLI::App& app, ReplayCommandLine& line);

// Runs the replay; returns the process exit status (0: the input was read to the end).
int run_replay_command(const ReplayCommandLine& line);

}  // namespace segmentd
