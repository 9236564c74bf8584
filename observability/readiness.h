// Whether the process is ready for traffic (SPEC 8: assigned partitions restored and
// consuming, the broker reachable, the state store writable), as GET /readyz reports it.
// The application sets it; the HTTP thread reads it. Starts not ready, with reason
// "starting".
//
// Liveness of the processing loop: once set_stall_limit() was called, the loop must
// beat() at least that often; a loop stuck longer (in a flush waiting for a broker, a
// write waiting for the disk) makes the process not ready with reason "processing
// stalled" until it beats again. The HTTP thread checks this when asked, so it does not
// depend on the loop.
//
// Ownership: owned by the application; must outlive the HttpServer that reads it.
// Thread-safety: every member function may be called from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <mutex>
#include <optional>
#include <string>

namespace segmentd {

class Readiness {
 public:
  using Clock = std::chrono::steady_clock;

  void set_ready() {
    std::lock_guard lock(mutex_);
    not_ready_reason_.reset();
  }
  // `reason` is short and safe to show to anyone who can reach the endpoint.
  void set_not_ready(std::string reason) {
    std::lock_guard lock(mutex_);
    not_ready_reason_ = std::move(reason);
  }

  void set_stall_limit(std::chrono::milliseconds limit, Clock::time_point now = Clock::now()) {
    beat(now);
    stall_limit_ns_.store(std::chrono::nanoseconds(limit).count());
  }
  void beat(Clock::time_point now = Clock::now()) {
    last_beat_ns_.store(now.time_since_epoch().count(), std::memory_order_relaxed);
  }

  // Empty when ready.
  std::optional<std::string> not_ready_reason(Clock::time_point now = Clock::now()) const {
    {
      std::lock_guard lock(mutex_);
      if (not_ready_reason_) return not_ready_reason_;
    }
    const auto limit = stall_limit_ns_.load();
    const auto since_beat =
        now.time_since_epoch().count() - last_beat_ns_.load(std::memory_order_relaxed);
    if (limit > 0 && since_beat > limit) return "processing stalled";
    return std::nullopt;
  }

 private:
  mutable std::mutex mutex_;
  std::optional<std::string> not_ready_reason_{"starting"};
  std::atomic<Clock::rep> stall_limit_ns_{0};  // 0: no stall check
  std::atomic<Clock::rep> last_beat_ns_{0};
};

}  // namespace segmentd
