#include "app/stop_signal.h"

#include <csignal>

namespace segmentd {

namespace {
std::atomic<bool> stop_requested{false};
}  // namespace

extern "C" void segmentd_request_stop(int) { stop_requested.store(true); }

std::atomic<bool>& stop_on_termination_signals() {
  std::signal(SIGTERM, segmentd_request_stop);
  std::signal(SIGINT, segmentd_request_stop);
  return stop_requested;
}

}  // namespace segmentd
