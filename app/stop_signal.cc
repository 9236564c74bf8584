#include "app/stop_signal.h"

#include <csignal>

namespace segmentd {

namespace {
std::atomic<bool> stop_requested{false};
std::atomic<int> last_signal{0};
}  // namespace

extern "C" void segmentd_request_stop(int signal) {
  last_signal.store(signal);
  stop_requested.store(true);
}

std::atomic<bool>& stop_on_termination_signals() {
  std::signal(SIGTERM, segmentd_request_stop);
  std::signal(SIGINT, segmentd_request_stop);
  return stop_requested;
}

int termination_signal() { return last_signal.load(); }

}  // namespace segmentd
