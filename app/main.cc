// segmentd: the command-line entry point. Parses the command and hands over to it.
#include <CLI/CLI.hpp>
#include <cstdio>

#include "app/demo_command.h"
#include "app/replay_command.h"
#include "app/run_command.h"

#ifndef SEGMENTD_VERSION
#define SEGMENTD_VERSION "unknown"
#endif

int main(int argc, char** argv) {
  CLI::App app{
      "segmentd: membership segments from purchase events.\n"
      "Keeps a rolling state per member and reports each time a member moves between\n"
      "lifecycle segments (new, active, at_risk, dormant, lost).",
      "segmentd"};
  app.set_version_flag("--version", std::string("segmentd ") + SEGMENTD_VERSION);
  app.require_subcommand(1);
  app.footer("Run 'segmentd <command> --help' for the options of a command.");

  segmentd::ReplayCommandLine replay_line;
  CLI::App* replay = segmentd::add_replay_command(app, replay_line);
  segmentd::RunCommandLine run_line;
  CLI::App* run = segmentd::add_run_command(app, run_line);
  segmentd::DemoCommandLine demo_line;
  CLI::App* demo = segmentd::add_demo_command(app, demo_line);

  CLI11_PARSE(app, argc, argv);
  if (replay->parsed()) return segmentd::run_replay_command(replay_line);
  if (run->parsed()) return segmentd::run_run_command(run_line);
  if (demo->parsed()) return segmentd::run_demo_command(demo_line);
  return 2;
}
