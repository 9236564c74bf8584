// Command-line options of segmentd-gen and their validation.
//
// parse_cli reads the arguments after the program name: `--name value` or
// `--name=value`, every option documented in help_text(). Numbers must be complete
// (`--members 10k` is an error). The result either holds valid options (ok) or a
// one-line error that names the option and the bad value. `--help` sets `help` and
// stops parsing. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "bench/generator/civil_time.h"

namespace segmentd::gen {

enum class StreamOrder {
  time,    // by delivery time: event time, except late events and duplicates
  member,  // grouped by member, each member's events in time order (CRM export)
};

struct GeneratorOptions {
  std::uint32_t members = 10'000;
  std::uint64_t events = 200'000;  // exact number of output lines
  std::uint64_t seed = 1;
  EpochMs start = 1'672'531'200'000;  // 2023-01-01T00:00:00Z
  std::int64_t days = 730;
  double late_rate = 0.01;     // fraction of member events delivered late
  double dup_rate = 0.005;     // fraction of event lines delivered twice
  double refund_rate = 0.03;   // fraction of member events that are refunds
  double broken_rate = 0.001;  // fraction of output lines that are broken
  double profile_rate = 0.0;   // fraction of members whose first event is a profile
  StreamOrder order = StreamOrder::time;
  unsigned threads = 0;  // rendering threads; 0: one per core, at most 8
};

struct CliArgs {
  GeneratorOptions options;
  std::string output;    // empty or "-": stdout
  std::string manifest;  // empty: none
  bool help = false;
};

struct CliParse {
  bool ok = false;
  CliArgs args;
  std::string error;
};

CliParse parse_cli(std::span<const char* const> args);

// Empty when the options are consistent, else a message naming the bad option.
std::string validate(const GeneratorOptions& options);

std::string_view help_text();

}  // namespace segmentd::gen
