// The live terminal view of `segmentd demo`: members per lifecycle segment, transitions
// per second by from -> to, events read and rejected, lag. Redrawn in place about once
// a second on a terminal, one line per second otherwise. Counts only, never money.
//
// A RunObserver that passes everything on to the service metrics and keeps the latest
// figures for drawing. Called on the engine thread, except lag() and records_read().
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <vector>

#include "app/run_observer.h"

namespace segmentd {

class DemoView final : public RunObserver {
 public:
  DemoView(RunObserver& metrics, std::FILE* out, bool terminal);

  void restore_started(std::int32_t partition) override { metrics_.restore_started(partition); }
  void partition_restored(const PartitionFigures& figures) override;
  void publish(const std::vector<PartitionFigures>& partitions, const StoreFigures& store) override;
  void partitions_revoked(const std::vector<std::int32_t>& partitions) override;
  void record_read() override;
  void transition_acknowledged(std::chrono::nanoseconds since_read) override;
  void committed(std::chrono::nanoseconds took) override { metrics_.committed(took); }
  void commit_paused(std::chrono::nanoseconds took) override { metrics_.commit_paused(took); }
  void set_readiness(const std::optional<std::string>& not_ready_reason) override {
    metrics_.set_readiness(not_ready_reason);
  }
  void heartbeat() override { metrics_.heartbeat(); }

  // Total lag of the latest figures (records not yet read); nullopt while a partition's
  // end offset is unknown (no fetch since its assignment has told it). Any thread.
  std::optional<std::int64_t> lag() const;
  // Any thread.
  std::uint64_t records_read() const { return records_read_.load(); }
  // Draws the final state (not in place).
  void draw_final();

 private:
  void draw(bool in_place);

  using Clock = std::chrono::steady_clock;
  RunObserver& metrics_;
  std::FILE* out_;
  bool terminal_;
  std::vector<PartitionFigures> latest_;
  StreamStats totals_;
  StreamStats totals_at_last_draw_;
  std::atomic<std::uint64_t> records_read_{0};
  std::uint64_t rejected_ = 0;
  std::uint64_t acknowledged_ = 0;
  static constexpr std::int64_t kLagUnknown = -1;
  std::atomic<std::int64_t> lag_{kLagUnknown};
  Clock::time_point last_draw_ = Clock::now();
  int lines_drawn_ = 0;
};

}  // namespace segmentd
