// The human-readable report printed at the end of `segmentd replay`: events read,
// applied, duplicate, late and rejected by reason; transitions by from -> to; members
// per segment; throughput. Counts only, never money.
#pragma once

#include <cstdio>
#include <string>

#include "app/replay_job.h"

namespace segmentd {

void print_replay_summary(std::FILE* out, const ReplayRequest& request,
                          const ReplayOutcome& outcome);

// The same figures as one JSON object, for scripts and tests (`--summary-json`).
std::string replay_summary_json(const ReplayOutcome& outcome);

}  // namespace segmentd
