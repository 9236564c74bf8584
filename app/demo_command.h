// `segmentd demo` (SPEC 9): the zero-setup tour. Starts librdkafka's mock Kafka
// cluster in process, feeds it a generated purchase history at a steady rate, runs the
// same service loop as `segmentd run` on it, shows segment populations and transition
// rates live, serves metrics on http.listen, and stops once everything is processed
// (or on Ctrl-C).
#pragma once

#include <CLI/App.hpp>
#include <string>
#include <vector>

#include "app/demo_feeder.h"

namespace segmentd {

struct DemoCommandLine {
  DemoFeed feed;  // members, events and rate; topic and producer come from the config
  int partitions = 4;
  std::vector<std::string> sets;
};

CLI::App* add_demo_command(CLI::App& app, DemoCommandLine& line);
int run_demo_command(const DemoCommandLine& line);

}  // namespace segmentd
