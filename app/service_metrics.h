// The metric set of SPEC 8 for `segmentd run`, fed by the service loop (RunObserver)
// and served from a MetricsRegistry. All names are prefixed `segmentd_`.
//
// Counters count the work of this process: a partition's figures at restore are its
// baseline and only what changes after it is added, so counters never go backwards
// when partitions move. Gauges (members per segment, timers pending, partitions assigned)
// sum the assigned partitions' persisted figures, so they stay exact across restarts, and
// drop a partition's share as soon as it is revoked. Per-partition
// figures (consumer lag, clock) are read at scrape time from the latest snapshot (a
// partition has no lag sample until a fetch since its assignment told its end);
// segmentd_restore_in_progress{partition} is 1 while a partition's state is restored at
// assignment and 0 once it consumes; segmentd_restore_records_total and
// segmentd_restore_bytes_total count the changelog records read by restores as they are
// read, segmentd_restore_duration_seconds the time of each partition's changelog restore.
// Standby replicas: segmentd_standby_partitions (kept warm now),
// segmentd_standby_lag_records (changelog offsets they are behind, at their last look)
// and segmentd_standby_records_total (changelog records they applied).
//
// Thread-safety: the RunObserver methods are called by the engine thread; the registry
// renders on the HTTP thread.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <vector>

#include "app/run_observer.h"
#include "engine/families/family_rules.h"
#include "observability/metrics_registry.h"
#include "observability/readiness.h"

namespace segmentd {

class ServiceMetrics final : public RunObserver {
 public:
  // Transition and members-per-segment series exist for the `families` enabled.
  ServiceMetrics(MetricsRegistry& registry, Readiness& readiness, FamilySelection families = {});

  void restore_started(std::int32_t partition) override;
  void partition_restored(const PartitionFigures& figures) override;
  void restore_read(std::uint64_t records, std::uint64_t bytes) override {
    restore_records_.increment(records);
    restore_bytes_.increment(bytes);
  }
  void restore_took(std::chrono::nanoseconds took) override { restore_duration_.observe(took); }
  void publish(const std::vector<PartitionFigures>& partitions, const StoreFigures& store) override;
  void partitions_revoked(const std::vector<std::int32_t>& partitions) override;
  void record_read() override { consumed_.increment(); }
  void transition_acknowledged(std::chrono::nanoseconds since_read) override {
    latency_.observe(since_read);
  }
  void committed(std::chrono::nanoseconds took) override { commit_duration_.observe(took); }
  void commit_paused(std::chrono::nanoseconds took) override { commit_pause_.observe(took); }
  void standby(std::size_t partitions, std::int64_t lag_records,
               std::uint64_t records_read) override;
  void set_readiness(const std::optional<std::string>& not_ready_reason) override;
  void heartbeat() override { readiness_.beat(); }

 private:
  void add_deltas(const PartitionFigures& now, const PartitionFigures& before);
  // Members per segment, timers pending and partitions assigned: sums over `partitions`.
  void set_gauges(const std::vector<PartitionFigures>& partitions);
  std::vector<CallbackSample> restore_samples() const;
  // One sample per assigned partition for which `value` has one.
  std::vector<CallbackSample> partition_samples(
      std::optional<double> (*value)(const PartitionFigures&)) const;
  std::vector<CallbackSample> store_sample(double (*value)(const StoreFigures&)) const;

  Readiness& readiness_;
  Counter& consumed_;
  Counter& applied_;
  Counter& duplicate_;
  Counter& late_;
  Counter& timers_fired_;
  std::vector<Counter*> rejected_;  // by RejectReason
  struct TransitionCounter {
    FamilyId family;
    std::size_t index;  // into FamilyCounts::transitions
    Counter* counter;
  };
  struct MembersGauge {
    FamilyId family;
    std::size_t label;
    Gauge* gauge;
  };
  std::vector<TransitionCounter> transitions_;  // enabled families, from != to
  std::vector<TransitionCounter> impossible_;   // enabled families, from == to (logged)
  std::vector<MembersGauge> members_;           // enabled families, every label
  Gauge& timers_pending_;
  Gauge& partitions_assigned_;
  Histogram& latency_;
  Histogram& commit_duration_;
  Histogram& commit_pause_;
  Counter& restore_records_;
  Counter& restore_bytes_;
  Histogram& restore_duration_;
  Gauge& standby_partitions_;
  Gauge& standby_lag_;
  Counter& standby_records_;
  std::uint64_t standby_records_seen_ = 0;  // engine thread only

  std::map<std::int32_t, PartitionFigures> baseline_;  // engine thread only
  mutable std::mutex latest_mutex_;  // guards latest_, latest_store_ and restoring_
  std::vector<PartitionFigures> latest_;
  std::set<std::int32_t> restoring_;  // partitions whose restore runs now
  StoreFigures latest_store_;
  std::vector<CallbackRegistration> scraped_;
};

}  // namespace segmentd
