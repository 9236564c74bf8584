// `segmentd replay` (SPEC 3.2): one input file (or stdin) as one stream with one clock,
// transitions to a JSON Lines file, rejected lines to a dead-letter file.
//
// With a state directory the run is resumable: state, timers, the input position and
// the committed lengths of the output files (the actions file's too, when actions are
// enabled) are committed together every `commit_lines` input lines, sooner when the
// cached members outgrow their memory budget (MemberCache::over_budget) or the
// changed members would fill the commit's write batch (MemberCache::batch_full), and
// at the end: by the work done, not wall time, so the same work commits as often however
// fast it runs. A run killed at any moment
// (SIGKILL included) and started again on the same input continues from the last commit, cutting
// the outputs back to their committed lengths, so the combined output is byte-identical to one
// uninterrupted run. Without one (state_dir empty) a temporary directory is used and removed at the
// end, also when the run fails or is stopped (replay_scratch_dir.h).
//
// `ReplayRequest::stop` (set by SIGTERM/SIGINT) is polled every 1024 lines: the run
// commits what it has done when it has a state directory, and returns an error with
// ReplayOutcome::interrupted set.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "app/replay_position.h"
#include "engine/engine_options.h"
#include "engine/member_state.h"
#include "engine/status.h"
#include "engine/stream_stats.h"

namespace segmentd {

struct ReplaySettings {
  EngineOptions engine;
  std::size_t max_event_bytes = 65536;
  std::uint64_t commit_lines = 100'000;  // replay.commit_events
  std::string state_dir;                 // empty: a temporary directory, removed afterwards
  std::size_t cache_bytes = 256u << 20;
  std::size_t write_buffer_bytes = 64u << 20;  // state.write_buffer_size
  std::size_t sort_memory_bytes = 256u << 20;
};

struct ReplayRequest {
  std::string input;   // "-" for standard input
  std::string output;  // "-" for standard output
  std::string dlq;
  std::string actions;  // member actions, JSON Lines; "" when no action is enabled
  std::optional<EpochMs> until;
  bool sort = false;
  std::string explain;         // a member id: its final state goes to ReplayOutcome::explained
  bool show_progress = false;  // a progress line on stderr
  const std::atomic<bool>* stop = nullptr;  // when set and true: stop early
};

struct ReplayOutcome {
  ReplayPosition position;
  ProcessorCheckpoint processor;
  std::uint64_t resumed_from_line = 0;  // > 0 when an earlier run was continued
  std::uint64_t commits = 0;            // commits made by this run
  std::size_t spilled_runs = 0;
  std::uint64_t members_resident = 0;
  std::uint64_t state_disk_bytes = 0;
  double seconds = 0;
  // Without --sort, more than 1 % of accepted events arrived older than the clock.
  bool looks_unsorted = false;
  bool interrupted = false;              // stopped early through ReplayRequest::stop
  std::optional<MemberState> explained;  // ReplayRequest::explain's member at the end
};

Status run_replay(const ReplaySettings& settings, const ReplayRequest& request,
                  ReplayOutcome& outcome);

}  // namespace segmentd
