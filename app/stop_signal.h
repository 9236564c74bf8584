// SIGTERM and SIGINT as a stop request for the long-running commands (run, demo): the
// handler only sets a flag that the service loop polls. Thread-safe to read.
#pragma once

#include <atomic>

namespace segmentd {

// Installs the handlers (idempotent) and returns the flag they set.
std::atomic<bool>& stop_on_termination_signals();

// The signal that set the flag last (SIGTERM or SIGINT); 0 before any.
int termination_signal();

}  // namespace segmentd
