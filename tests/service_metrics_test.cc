#include "app/service_metrics.h"

#include <catch2/catch.hpp>
#include <string>

#include "engine/lifecycle.h"
#include "observability/metrics_registry.h"
#include "observability/readiness.h"

namespace segmentd {
namespace {

constexpr std::size_t kActive = static_cast<std::size_t>(LifecycleLabel::active);
constexpr std::size_t kNew = static_cast<std::size_t>(LifecycleLabel::new_member);

PartitionFigures partition(std::int32_t number) {
  PartitionFigures f;
  f.partition = number;
  f.position.next_offset = 0;
  return f;
}

bool has_line(const std::string& text, const std::string& line) {
  return text.find("\n" + line + "\n") != std::string::npos;
}

TEST_CASE("service metrics: impossible transitions get their own series, never the normal one") {
  MetricsRegistry registry;
  Readiness readiness;
  ServiceMetrics metrics(registry, readiness);
  PartitionFigures f = partition(0);
  metrics.partition_restored(f);
  FamilyCounts& lifecycle = f.processor.stats.family(FamilyId::lifecycle);
  lifecycle.transitions[kActive * kMaxFamilyLabels + kActive] = 2;  // refused active -> active
  lifecycle.transitions[kNew * kMaxFamilyLabels + kActive] = 5;
  metrics.publish({f}, {});
  const std::string text = registry.render();
  CHECK(has_line(text,
                 "segmentd_transitions_impossible_total{family=\"lifecycle\",from=\"active\",to="
                 "\"active\"} 2"));
  CHECK(has_line(text,
                 "segmentd_transitions_total{family=\"lifecycle\",from=\"new\",to=\"active\"} 5"));
  CHECK(
      text.find("segmentd_transitions_total{family=\"lifecycle\",from=\"active\",to=\"active\"}") ==
      std::string::npos);
}

TEST_CASE("service metrics: block cache ratio is absent before the first lookup") {
  MetricsRegistry registry;
  Readiness readiness;
  ServiceMetrics metrics(registry, readiness);
  metrics.publish({partition(0)}, {});
  std::string text = registry.render();
  CHECK(text.find("\nsegmentd_rocksdb_block_cache_hit_ratio ") == std::string::npos);
  CHECK(has_line(text, "segmentd_rocksdb_block_cache_hits_total 0"));
  StoreFigures store;
  store.block_cache_hits = 3;
  store.block_cache_misses = 1;
  metrics.publish({partition(0)}, store);
  text = registry.render();
  CHECK(has_line(text, "segmentd_rocksdb_block_cache_hit_ratio 0.75"));
  CHECK(has_line(text, "segmentd_rocksdb_block_cache_misses_total 1"));
}

TEST_CASE("service metrics: a partition has no lag sample until its end offset is known") {
  MetricsRegistry registry;
  Readiness readiness;
  ServiceMetrics metrics(registry, readiness);
  PartitionFigures unread = partition(0);
  unread.position.next_offset = 40;  // resumed from a checkpoint, nothing fetched yet
  PartitionFigures behind = partition(1);
  behind.position.next_offset = 40;
  behind.end_offset = 100;
  metrics.publish({unread, behind}, {});
  std::string text = registry.render();
  CHECK(text.find("segmentd_consumer_lag{partition=\"0\"}") == std::string::npos);
  CHECK(has_line(text, "segmentd_consumer_lag{partition=\"1\"} 60"));
  unread.end_offset = 40;
  metrics.publish({unread, behind}, {});
  CHECK(has_line(registry.render(), "segmentd_consumer_lag{partition=\"0\"} 0"));
}

TEST_CASE(
    "service metrics: a revoked partition leaves the gauges at once, not at the next publish") {
  MetricsRegistry registry;
  Readiness readiness;
  ServiceMetrics metrics(registry, readiness);
  PartitionFigures kept = partition(0);
  kept.processor.stats.family(FamilyId::lifecycle).members[kActive] = 3;
  kept.timers_pending = 2;
  PartitionFigures moved = partition(1);
  moved.processor.stats.family(FamilyId::lifecycle).members[kActive] = 5;
  moved.timers_pending = 7;
  metrics.publish({kept, moved}, {});
  std::string text = registry.render();
  CHECK(has_line(text, "segmentd_partitions_assigned 2"));
  CHECK(has_line(text, "segmentd_members{family=\"lifecycle\",segment=\"active\"} 8"));
  CHECK(has_line(text, "segmentd_timers_pending 9"));
  metrics.partitions_revoked({1});
  text = registry.render();
  CHECK(has_line(text, "segmentd_partitions_assigned 1"));
  CHECK(has_line(text, "segmentd_members{family=\"lifecycle\",segment=\"active\"} 3"));
  CHECK(has_line(text, "segmentd_timers_pending 2"));
}

TEST_CASE("service metrics: standby replicas: gauges as reported, records counted once") {
  MetricsRegistry registry;
  Readiness readiness;
  ServiceMetrics metrics(registry, readiness);
  std::string text = registry.render();
  CHECK(has_line(text, "segmentd_standby_partitions 0"));
  metrics.standby(2, 150, 1000);
  metrics.standby(2, 40, 1600);  // records_read is a running total
  text = registry.render();
  CHECK(has_line(text, "segmentd_standby_partitions 2"));
  CHECK(has_line(text, "segmentd_standby_lag_records 40"));
  CHECK(has_line(text, "segmentd_standby_records_total 1600"));
}

TEST_CASE("service metrics: commit pauses are their own histogram, apart from commit durations") {
  MetricsRegistry registry;
  Readiness readiness;
  ServiceMetrics metrics(registry, readiness);
  metrics.commit_paused(std::chrono::microseconds(300));
  metrics.commit_paused(std::chrono::milliseconds(40));
  metrics.committed(std::chrono::milliseconds(200));
  const std::string text = registry.render();
  CHECK(has_line(text, "segmentd_commit_pause_seconds_count 2"));
  CHECK(has_line(text, "segmentd_commit_pause_seconds_sum 0.0403"));
  CHECK(has_line(text, "segmentd_commit_duration_seconds_count 1"));
}

TEST_CASE("service metrics: restore in progress per partition") {
  MetricsRegistry registry;
  Readiness readiness;
  ServiceMetrics metrics(registry, readiness);
  metrics.restore_started(3);
  CHECK(has_line(registry.render(), "segmentd_restore_in_progress{partition=\"3\"} 1"));
  metrics.partition_restored(partition(3));
  metrics.publish({partition(3)}, {});
  CHECK(has_line(registry.render(), "segmentd_restore_in_progress{partition=\"3\"} 0"));
  metrics.restore_started(4);
  metrics.partitions_revoked({3, 4});
  CHECK(registry.render().find("segmentd_restore_in_progress{") == std::string::npos);
}

}  // namespace
}  // namespace segmentd
