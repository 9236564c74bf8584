// Whether the process is ready for traffic (SPEC 8: assigned partitions restored and
// consuming), as GET /readyz reports it. The application sets it; the HTTP thread
// reads it. Starts not ready, with reason "starting".
//
// Ownership: owned by the application; must outlive the HttpServer that reads it.
// Thread-safety: every member function may be called from any thread.
#pragma once

#include <mutex>
#include <optional>
#include <string>

namespace segmentd {

class Readiness {
 public:
  void set_ready() {
    std::lock_guard lock(mutex_);
    not_ready_reason_.reset();
  }
  // `reason` is short and safe to show to anyone who can reach the endpoint.
  void set_not_ready(std::string reason) {
    std::lock_guard lock(mutex_);
    not_ready_reason_ = std::move(reason);
  }
  // Empty when ready.
  std::optional<std::string> not_ready_reason() const {
    std::lock_guard lock(mutex_);
    return not_ready_reason_;
  }

 private:
  mutable std::mutex mutex_;
  std::optional<std::string> not_ready_reason_{"starting"};
};

}  // namespace segmentd
