#include "app/service_metrics.h"

#include <string>

#include "app/log.h"
#include "engine/lifecycle.h"
#include "engine/rejection.h"

namespace segmentd {

namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;
using std::chrono::nanoseconds;

std::vector<nanoseconds> restore_bounds() {
  std::vector<nanoseconds> bounds;
  for (long ms : {10, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000}) {
    bounds.push_back(milliseconds(ms));
  }
  return bounds;
}

std::vector<nanoseconds> latency_bounds() {
  std::vector<nanoseconds> bounds;
  for (long us : {250, 500, 1000, 2500, 5000, 10000, 20000, 50000, 100000, 250000, 500000, 1000000,
                  2500000, 5000000, 10000000}) {
    bounds.push_back(microseconds(us));
  }
  return bounds;
}

// No sample until a fetch since the assignment told the partition's end: a lag of 0
// then would claim a partition caught up that has not been read yet.
std::optional<double> lag_of(const PartitionFigures& f) {
  if (!f.end_offset) return std::nullopt;
  if (f.position.next_offset < 0) return 0.0;  // nothing to read where it started
  return static_cast<double>(std::max<std::int64_t>(0, *f.end_offset - f.position.next_offset));
}

std::optional<double> clock_of(const PartitionFigures& f) {
  return f.processor.clock.started ? static_cast<double>(f.processor.clock.clock.ms) / 1000.0 : 0;
}

}  // namespace

ServiceMetrics::ServiceMetrics(MetricsRegistry& registry, Readiness& readiness,
                               FamilySelection families)
    : readiness_(readiness),
      consumed_(registry
                    .add_counter_family("segmentd_events_consumed_total",
                                        "Input records read, valid or not.", {})
                    .with_labels({})),
      applied_(registry
                   .add_counter_family("segmentd_events_applied_total",
                                       "Events that changed member figures.", {})
                   .with_labels({})),
      duplicate_(registry
                     .add_counter_family("segmentd_events_duplicate_total",
                                         "Events dropped as duplicates (SPEC 5.3).", {})
                     .with_labels({})),
      late_(registry
                .add_counter_family("segmentd_events_late_total",
                                    "Accepted events older than their partition's clock.", {})
                .with_labels({})),
      timers_fired_(
          registry.add_counter_family("segmentd_timers_fired_total", "Member timers fired.", {})
              .with_labels({})),
      timers_pending_(registry
                          .add_gauge_family("segmentd_timers_pending",
                                            "Member timers waiting, assigned partitions.", {})
                          .with_labels({})),
      partitions_assigned_(registry
                               .add_gauge_family("segmentd_partitions_assigned",
                                                 "Input partitions assigned to this process.", {})
                               .with_labels({})),
      latency_(registry
                   .add_histogram_family("segmentd_processing_latency_seconds",
                                         "From reading a record to the acknowledgement of a "
                                         "transition it caused.",
                                         {}, latency_bounds())
                   .with_labels({})),
      commit_duration_(
          registry
              .add_histogram_family(
                  "segmentd_commit_duration_seconds",
                  "One commit: at least once, one partition's commit from its commit point "
                  "until its state is written (outputs and changelog acknowledged; the "
                  "processing goes on meanwhile); exactly once, the transaction and every "
                  "partition's state write.",
                  {}, latency_bounds())
              .with_labels({})),
      commit_pause_(registry
                        .add_histogram_family(
                            "segmentd_commit_pause_seconds",
                            "How long the processing loop stopped consuming for commit work: "
                            "at least once, a partition's turn begun (after waiting for its "
                            "previous commit if still in flight), a step of a commit's staging "
                            "(a few of its changed members encoded and sent to the changelog) "
                            "or a written commit's bookkeeping and evictions; exactly once, "
                            "each transaction with its state writes.",
                            {}, latency_bounds())
                        .with_labels({})),
      restore_records_(registry
                           .add_counter_family("segmentd_restore_records_total",
                                               "State changelog records read by restores.", {})
                           .with_labels({})),
      restore_bytes_(registry
                         .add_counter_family("segmentd_restore_bytes_total",
                                             "Key and value bytes of the state changelog "
                                             "records read by restores.",
                                             {})
                         .with_labels({})),
      restore_duration_(registry
                            .add_histogram_family("segmentd_restore_duration_seconds",
                                                  "Time to restore one partition's state from "
                                                  "the state changelog.",
                                                  {}, restore_bounds())
                            .with_labels({})),
      standby_partitions_(registry
                              .add_gauge_family("segmentd_standby_partitions",
                                                "Partitions this process keeps warm as a "
                                                "standby replica (processing.standby_replicas).",
                                                {})
                              .with_labels({})),
      standby_lag_(registry
                       .add_gauge_family("segmentd_standby_lag_records",
                                         "State changelog offsets the standby replicas are "
                                         "behind, at their last look.",
                                         {})
                       .with_labels({})),
      standby_records_(registry
                           .add_counter_family("segmentd_standby_records_total",
                                               "State changelog records read by standby "
                                               "replicas.",
                                               {})
                           .with_labels({})) {
  auto& rejected = registry.add_counter_family("segmentd_events_rejected_total",
                                               "Events sent to the dead-letter topic.", {"reason"});
  for (std::size_t r = 0; r < kRejectReasonCount; ++r) {
    rejected_.push_back(
        &rejected.with_labels({std::string(reason_code(static_cast<RejectReason>(r)))}));
  }
  auto& transitions = registry.add_counter_family(
      "segmentd_transitions_total", "Segment transitions emitted.", {"family", "from", "to"});
  auto& impossible = registry.add_counter_family(
      "segmentd_transitions_impossible_total",
      "Transitions asked for from a label to the same label: a bug, refused and never "
      "emitted.",
      {"family", "from", "to"});
  auto& members = registry.add_gauge_family(
      "segmentd_members", "Members per segment, assigned partitions.", {"family", "segment"});
  for (FamilyId family : kAllFamilies) {
    if (!families.has(family)) continue;
    const std::string name(family_name(family));
    const auto labels = family_labels(family);
    for (std::size_t from = 0; from < labels.size(); ++from) {
      const std::string from_name(labels[from]);
      members_.push_back({family, from, &members.with_labels({name, from_name})});
      for (std::size_t to = 0; to < labels.size(); ++to) {
        if (to == from) {
          impossible_.push_back({family, from * kMaxFamilyLabels + to,
                                 &impossible.with_labels({name, from_name, from_name})});
          continue;
        }
        transitions_.push_back(
            {family, from * kMaxFamilyLabels + to,
             &transitions.with_labels({name, from_name, std::string(labels[to])})});
      }
    }
  }
  scraped_.push_back(registry.add_callback_family(
      "segmentd_consumer_lag",
      "Records not yet read, per input partition (absent until a fetch since its assignment).",
      MetricType::gauge, {"partition"}, [this] { return partition_samples(&lag_of); }));
  scraped_.push_back(registry.add_callback_family(
      "segmentd_restore_in_progress",
      "1 while the partition's state is restored at assignment, 0 once it consumes.",
      MetricType::gauge, {"partition"}, [this] { return restore_samples(); }));
  scraped_.push_back(registry.add_callback_family(
      "segmentd_clock_seconds", "Event-time clock per input partition (SPEC 4).", MetricType::gauge,
      {"partition"}, [this] { return partition_samples(&clock_of); }));
  scraped_.push_back(registry.add_callback_family(
      "segmentd_rocksdb_disk_bytes", "State store size on disk (SST and WAL files).",
      MetricType::gauge, {},
      [this] { return store_sample([](const StoreFigures& s) { return double(s.disk_bytes); }); }));
  // No sample before the first lookup: a short run keeps its state in the memtables
  // (no table file yet, so no block is looked up), and 0/0 is no hit ratio.
  scraped_.push_back(registry.add_callback_family(
      "segmentd_rocksdb_block_cache_hit_ratio",
      "Block cache hits / lookups since start (absent before the first lookup).", MetricType::gauge,
      {}, [this] {
        std::vector<CallbackSample> sample = store_sample([](const StoreFigures& s) {
          const auto lookups = s.block_cache_hits + s.block_cache_misses;
          return lookups == 0 ? -1.0 : double(s.block_cache_hits) / double(lookups);
        });
        if (sample.front().value < 0) sample.clear();
        return sample;
      }));
  scraped_.push_back(registry.add_callback_family(
      "segmentd_rocksdb_block_cache_hits_total", "Block cache lookups that found the block.",
      MetricType::counter, {}, [this] {
        return store_sample([](const StoreFigures& s) { return double(s.block_cache_hits); });
      }));
  scraped_.push_back(registry.add_callback_family(
      "segmentd_rocksdb_block_cache_misses_total",
      "Block cache lookups that read the block from disk.", MetricType::counter, {}, [this] {
        return store_sample([](const StoreFigures& s) { return double(s.block_cache_misses); });
      }));
  scraped_.push_back(registry.add_callback_family("segmentd_rocksdb_write_stall_seconds_total",
                                                  "Time writes were stalled by RocksDB.",
                                                  MetricType::counter, {}, [this] {
                                                    return store_sample([](const StoreFigures& s) {
                                                      return double(s.write_stall_micros) / 1e6;
                                                    });
                                                  }));
}

std::vector<CallbackSample> ServiceMetrics::restore_samples() const {
  std::lock_guard lock(latest_mutex_);
  std::vector<CallbackSample> samples;
  for (std::int32_t partition : restoring_) samples.push_back({{std::to_string(partition)}, 1});
  for (const PartitionFigures& f : latest_) {
    if (!restoring_.contains(f.partition)) samples.push_back({{std::to_string(f.partition)}, 0});
  }
  return samples;
}

std::vector<CallbackSample> ServiceMetrics::partition_samples(
    std::optional<double> (*value)(const PartitionFigures&)) const {
  std::lock_guard lock(latest_mutex_);
  std::vector<CallbackSample> samples;
  for (const PartitionFigures& f : latest_) {
    if (const std::optional<double> v = value(f)) {
      samples.push_back({{std::to_string(f.partition)}, *v});
    }
  }
  return samples;
}

std::vector<CallbackSample> ServiceMetrics::store_sample(
    double (*value)(const StoreFigures&)) const {
  std::lock_guard lock(latest_mutex_);
  return {{{}, value(latest_store_)}};
}

void ServiceMetrics::standby(std::size_t partitions, std::int64_t lag_records,
                             std::uint64_t records_read) {
  standby_partitions_.set(static_cast<std::int64_t>(partitions));
  standby_lag_.set(lag_records);
  standby_records_.increment(records_read - standby_records_seen_);
  standby_records_seen_ = records_read;
}

void ServiceMetrics::restore_started(std::int32_t partition) {
  std::lock_guard lock(latest_mutex_);
  restoring_.insert(partition);
}

void ServiceMetrics::partition_restored(const PartitionFigures& figures) {
  baseline_[figures.partition] = figures;
  std::lock_guard lock(latest_mutex_);
  restoring_.erase(figures.partition);
}

void ServiceMetrics::add_deltas(const PartitionFigures& now, const PartitionFigures& before) {
  const StreamStats& a = now.processor.stats;
  const StreamStats& b = before.processor.stats;
  applied_.increment(a.events_applied - b.events_applied);
  duplicate_.increment(a.events_duplicate - b.events_duplicate);
  late_.increment(a.events_late - b.events_late);
  timers_fired_.increment(a.timers_fired - b.timers_fired);
  for (std::size_t r = 0; r < kRejectReasonCount; ++r) {
    rejected_[r]->increment(now.position.rejected[r] - before.position.rejected[r]);
  }
  for (const TransitionCounter& t : transitions_) {
    t.counter->increment(a.family(t.family).transitions[t.index] -
                         b.family(t.family).transitions[t.index]);
  }
  for (const TransitionCounter& t : impossible_) {
    const std::uint64_t refused =
        a.family(t.family).transitions[t.index] - b.family(t.family).transitions[t.index];
    if (refused == 0) continue;
    t.counter->increment(refused);
    const std::string label(family_labels(t.family)[t.index / kMaxFamilyLabels]);
    log::error("impossible_transition", {{"family", std::string(family_name(t.family))},
                                         {"from", label},
                                         {"to", label},
                                         {"partition", std::to_string(now.partition)},
                                         {"count", std::to_string(refused)}});
  }
}

void ServiceMetrics::publish(const std::vector<PartitionFigures>& partitions,
                             const StoreFigures& store) {
  for (const PartitionFigures& f : partitions) {
    auto [it, inserted] = baseline_.try_emplace(f.partition, f);
    if (!inserted) add_deltas(f, it->second);
    it->second = f;
  }
  set_gauges(partitions);
  std::lock_guard lock(latest_mutex_);
  latest_ = partitions;
  latest_store_ = store;
}

void ServiceMetrics::set_gauges(const std::vector<PartitionFigures>& partitions) {
  std::vector<std::int64_t> members(members_.size(), 0);
  std::size_t timers = 0;
  for (const PartitionFigures& f : partitions) {
    for (std::size_t i = 0; i < members_.size(); ++i) {
      members[i] += f.processor.stats.family(members_[i].family).members[members_[i].label];
    }
    timers += f.timers_pending;
  }
  for (std::size_t i = 0; i < members_.size(); ++i) members_[i].gauge->set(members[i]);
  timers_pending_.set(static_cast<std::int64_t>(timers));
  partitions_assigned_.set(static_cast<std::int64_t>(partitions.size()));
}

void ServiceMetrics::partitions_revoked(const std::vector<std::int32_t>& partitions) {
  for (std::int32_t p : partitions) baseline_.erase(p);
  std::lock_guard lock(latest_mutex_);
  for (std::int32_t p : partitions) restoring_.erase(p);
  std::erase_if(latest_, [&](const PartitionFigures& f) {
    return std::find(partitions.begin(), partitions.end(), f.partition) != partitions.end();
  });
  set_gauges(latest_);  // the revoked partitions' members and timers are no longer ours
}

void ServiceMetrics::set_readiness(const std::optional<std::string>& not_ready_reason) {
  if (not_ready_reason) {
    readiness_.set_not_ready(*not_ready_reason);
  } else {
    readiness_.set_ready();
  }
}

}  // namespace segmentd
