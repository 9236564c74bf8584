// Standby replicas (processing.standby_replicas, SPEC 7): warm copies of partitions this
// instance does not own, kept by tailing their state changelog on a thread of their own,
// so that a takeover finds its local state at or near the changelog's end and its
// restore (app/changelog_restore.h) reads only the last few commits.
//
// The standby thread asks `choose` (standby_choice.h over a group description) which
// partitions to keep every few seconds and soon after refresh_soon(); nullopt keeps the
// previous choice. A kept partition that the group now assigns to this instance stays
// kept until the engine claims it: the group's description can show the new assignment
// before the engine's rebalance callback runs. For each chosen partition the engine does
// not own, it runs restore_from_changelog, the same incremental path as a restore at
// assignment: from the local checkpoint's changelog offset on, applying only records
// before the last checkpoint record read (a commit still being written is applied at a
// later pass); with no local state, the whole changelog. Then it rests `pause` and goes
// round again.
// Failures (a broker away, a corrupt record) are logged and the partition is tried
// again after a pause: a standby never stops the service.
//
// Hand-over (one writer per stream): claim() marks partitions as the engine's; it stops
// an apply in flight on one of them at the next record (what was read up to its last
// checkpoint record is still written, so the local state stays at a changelog
// checkpoint) and returns once none runs; from then on the standby leaves them alone.
// release() gives them back, to be called only after the engine's last write of them
// (its commit on revocation); the standby keeps one again once a later choice names it.
// claim() returns the claimed partitions the standby was keeping warm.
//
// Thread-safety: claim, release, refresh_soon and figures are called by the engine
// thread; `choose` and the store writes run on the standby thread (StateStore allows
// commits from different threads). The destructor stops and joins the thread (an apply
// in flight stops as on a claim).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <vector>

#include "app/standby_choice.h"
#include "connectors/kafka/changelog_reader.h"
#include "state/state_store.h"

namespace segmentd {

struct StandbyFigures {
  std::size_t partitions = 0;      // kept warm now
  std::int64_t lag_records = 0;    // changelog offsets they are behind, at the last look
  std::uint64_t records_read = 0;  // changelog records applied since start (a counter)
};

struct StandbySettings {
  std::chrono::milliseconds pause{250};     // between passes over the partitions
  std::chrono::milliseconds refresh{3000};  // between choices
  std::chrono::milliseconds retry{500};     // after a choice that could not be made
  std::chrono::milliseconds backoff{5000};  // after a failed apply of a partition
};

class StandbyReplicas {
 public:
  using Chooser = std::function<std::optional<StandbyChoice>()>;

  StandbyReplicas(StateStore& store, std::unique_ptr<ChangelogReader> reader, Chooser choose,
                  StandbySettings settings = {});
  ~StandbyReplicas();
  StandbyReplicas(const StandbyReplicas&) = delete;
  StandbyReplicas& operator=(const StandbyReplicas&) = delete;

  std::vector<std::int32_t> claim(const std::vector<std::int32_t>& partitions);
  void release(const std::vector<std::int32_t>& partitions);
  void refresh_soon();
  StandbyFigures figures() const;

 private:
  void run();
  void choose_if_due(std::chrono::steady_clock::time_point now);
  // The chosen partitions the engine does not own, not backing off; under mutex_.
  std::vector<std::int32_t> warm_now(std::chrono::steady_clock::time_point now) const;
  void apply(std::int32_t partition);

  StateStore& store_;
  std::unique_ptr<ChangelogReader> reader_;  // standby thread only
  Chooser choose_;
  StandbySettings settings_;

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  bool stopping_ = false;
  bool refresh_requested_ = true;
  std::vector<std::int32_t> chosen_;
  std::set<std::int32_t> owned_;  // by the engine
  std::optional<std::int32_t> in_flight_;
  std::map<std::int32_t, std::chrono::steady_clock::time_point> backoff_until_;
  std::map<std::int32_t, std::int64_t> lag_;  // per partition, at its last pass
  std::atomic<bool> stop_apply_{false};
  std::atomic<std::uint64_t> records_read_{0};
  std::chrono::steady_clock::time_point next_choice_{};

  std::thread thread_;  // last: starts once everything above is set up
};

}  // namespace segmentd
