#include "app/replay_command.h"

#include <unistd.h>

#include <charconv>
#include <csignal>
#include <cstdio>
#include <fstream>

#include "app/command_config.h"
#include "app/log.h"
#include "app/replay_job.h"
#include "app/replay_paths.h"
#include "app/replay_summary.h"
#include "app/stop_signal.h"
#include "connectors/member_explanation_json.h"
#include "engine/event_time.h"
#include "engine/member_explanation.h"

namespace segmentd {

namespace {

constexpr const char* kReplayDescription =
    "Replay a purchase history file through the segment rules, offline.\n\n"
    "Reads purchase events as JSON Lines (one event per line, the same schema as the\n"
    "purchases topic), moves every member through the lifecycle segments (new, active,\n"
    "at_risk, dormant, lost) and the other enabled families (families.enabled: rfm,\n"
    "quadrant, tier, value) exactly as the live service would, and writes each change of\n"
    "segment as one JSON line to --output; member actions (actions.enabled) go to\n"
    "--actions. Lines that are not valid events go to the dead-letter file with the\n"
    "reason; nothing is dropped silently.\n\n"
    "The whole file is one stream with one clock. At the end, the clock moves on to\n"
    "--until (or to the latest purchase seen), so members who stopped buying become\n"
    "at_risk, dormant or lost by then.\n\n"
    "Exports sorted by customer rather than by time need --sort (it sorts on disk when\n"
    "the file is larger than memory).\n\n"
    "With --set state.dir=DIR the replay is resumable: stop it at any moment and run the\n"
    "same command again; it continues where it left off and the output is the same as one\n"
    "uninterrupted run. Without it, state lives in a temporary directory.\n\n"
    "Examples:\n"
    "  segmentd replay --input purchases.jsonl --output transitions.jsonl\n"
    "  segmentd replay --input export.jsonl --output t.jsonl --sort --until 2025-01-01T00:00:00Z\n"
    "  zcat 2024.jsonl.gz | segmentd replay --input - --output - --set lifecycle.dormant_after=60d";

// RFC 3339 (as in events) or epoch milliseconds.
std::optional<EpochMs> parse_until(const std::string& text) {
  std::int64_t ms = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, ms);
  if (ec == std::errc() && ptr == end && !text.empty()) return EpochMs{ms};
  const TimeParseResult parsed = parse_rfc3339(text);
  if (parsed.ok) return parsed.value;
  return std::nullopt;
}

std::string default_dlq_path(const std::string& output) {
  return output == "-" ? std::string("replay.dlq.jsonl") : output + ".dlq";
}

ReplaySettings settings_from(const SegmentdConfig& config) {
  ReplaySettings settings;
  settings.engine = config.engine;
  settings.max_event_bytes = config.input.max_event_bytes;
  settings.commit_lines = config.replay.commit_events;
  if (config.state.dir_explicitly_set) settings.state_dir = config.state.dir;
  settings.cache_bytes = config.state.cache_bytes;
  settings.write_buffer_bytes = config.state.write_buffer_bytes;
  return settings;
}

// SPEC 9: OUTPUT with a trailing .jsonl replaced by .actions.jsonl, else with
// .actions.jsonl appended.
std::string default_actions_path(const std::string& output) {
  if (output == "-") return "replay.actions.jsonl";
  constexpr std::string_view kSuffix = ".jsonl";
  if (output.ends_with(kSuffix)) {
    return output.substr(0, output.size() - kSuffix.size()) + ".actions.jsonl";
  }
  return output + ".actions.jsonl";
}

bool write_text_file(const std::string& path, const std::string& text) {
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  file << text << '\n';
  file.close();
  return static_cast<bool>(file);
}

}  // namespace

CLI::App* add_replay_command(CLI::App& app, ReplayCommandLine& line) {
  CLI::App* replay = app.add_subcommand("replay", "Replay a purchase history file offline");
  replay->footer(kReplayDescription);
  replay->add_option("--input", line.input, "Purchase events, JSON Lines; '-' reads stdin")
      ->required();
  replay
      ->add_option("--output", line.output,
                   "Where segment changes go, JSON Lines; '-' writes to stdout")
      ->required();
  replay->add_option("--dlq", line.dlq,
                     "Rejected lines with their reason (default: OUTPUT.dlq, or "
                     "replay.dlq.jsonl when OUTPUT is '-')");
  replay->add_option("--until", line.until,
                     "Move the clock to this time at the end (RFC 3339 such as "
                     "2025-01-01T00:00:00Z, or epoch milliseconds); default: the latest "
                     "purchase in the file");
  replay->add_option("--actions", line.actions,
                     "Member actions, JSON Lines, when actions.enabled lists any (default: "
                     "OUTPUT with .jsonl replaced by .actions.jsonl)");
  replay->add_flag("--sort", line.sort,
                   "Process events in time order (for exports sorted by customer)");
  replay->add_option("--config", line.config_file, "TOML configuration file");
  replay->add_option("--set", line.sets, "Override one setting, KEY=VALUE (repeatable)")
      ->type_name("KEY=VALUE");
  replay->add_option("--summary-json", line.summary_json,
                     "Also write the summary as one JSON object to this file");
  replay
      ->add_option("--explain", line.explain,
                   "After the replay, print why MEMBER has its labels (JSON, as GET "
                   "/members/MEMBER answers) on stdout; the summary goes to stderr")
      ->type_name("MEMBER");
  replay->add_flag("--progress,!--no-progress", line.progress,
                   "Show a progress line on stderr (default: when stderr is a terminal)");
  return replay;
}

int run_replay_command(const ReplayCommandLine& line) {
  const std::optional<SegmentdConfig> config =
      load_command_config("replay", line.config_file, line.sets);
  if (!config) return 2;

  ReplayRequest request;
  request.input = line.input;
  request.output = line.output;
  request.dlq = line.dlq.empty() ? default_dlq_path(line.output) : line.dlq;
  request.sort = line.sort;
  request.explain = line.explain;
  if (!request.explain.empty() && request.output == "-") {
    std::fprintf(stderr, "segmentd replay: --explain prints on stdout: give --output a file\n");
    return 2;
  }
  if (config->engine.enabled_actions.any()) {
    request.actions = line.actions.empty() ? default_actions_path(line.output) : line.actions;
  }
  request.show_progress = line.progress.value_or(isatty(STDERR_FILENO) != 0);
  if (!line.until.empty()) {
    request.until = parse_until(line.until);
    if (!request.until) {
      std::fprintf(stderr,
                   "segmentd replay: --until '%s' is not a time; use RFC 3339 such as "
                   "2025-01-01T00:00:00Z or epoch milliseconds\n",
                   line.until.c_str());
      return 2;
    }
  }
  std::vector<ReplayFile> files = {{"--input", request.input, true},
                                   {"--output", request.output},
                                   {line.dlq.empty() ? "--dlq (default)" : "--dlq", request.dlq}};
  if (!line.summary_json.empty()) files.push_back({"--summary-json", line.summary_json});
  if (const auto shared = find_shared_replay_file(files)) {
    std::fprintf(stderr, "segmentd replay: %s\n", shared->c_str());
    return 2;
  }
  if (!request.actions.empty() && (request.actions == request.dlq ||
                                   (request.output != "-" && request.actions == request.output))) {
    std::fprintf(stderr, "segmentd replay: --actions must differ from --output and --dlq\n");
    return 2;
  }

  request.stop = &stop_on_termination_signals();
  ReplayOutcome outcome;
  const ReplaySettings settings = settings_from(*config);
  const Status status = run_replay(settings, request, outcome);
  if (outcome.interrupted) {
    const int signal = termination_signal();
    log::warn("replay_interrupted",
              {{"signal", signal == SIGINT ? "SIGINT" : "SIGTERM"},
               {"state", settings.state_dir.empty()
                             ? "temporary state removed"
                             : "progress committed to state.dir " + settings.state_dir +
                                   ": run the same command again to continue"}});
    return 128 + signal;
  }
  if (!status.is_ok()) {
    log::error("replay_failed", {{"error", status.message()}});
    std::fprintf(stderr, "segmentd replay: %s\n", status.message().c_str());
    return 1;
  }
  if (outcome.looks_unsorted) {
    log::warn("input_looks_unsorted",
              {{"late_events", std::to_string(outcome.processor.stats.events_late)},
               {"hint", "the input looks sorted by member, not by time; use --sort"}});
  }
  // With the transitions or the explanation on stdout, the summary goes to stderr so
  // the two do not mix.
  const bool stdout_taken = request.output == "-" || !request.explain.empty();
  print_replay_summary(stdout_taken ? stderr : stdout, request, outcome);
  if (outcome.explained) {
    const MemberExplanation explanation = explain_member(
        request.explain, *outcome.explained, settings.engine, outcome.processor.clock.clock);
    std::printf("%s\n", member_explanation_json(explanation, -1).c_str());
  }
  if (!line.summary_json.empty() &&
      !write_text_file(line.summary_json, replay_summary_json(outcome))) {
    std::fprintf(stderr, "segmentd replay: cannot write --summary-json %s\n",
                 line.summary_json.c_str());
    return 1;
  }
  return 0;
}

}  // namespace segmentd
