// What `segmentd run` reports as it works, for metrics and readiness (SPEC 8). The
// engine thread calls every method; implementations hand figures to other threads
// themselves. `segmentd run` wires in ServiceMetrics; tests may observe directly.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "app/partition_position.h"
#include "engine/stream_stats.h"
#include "state/state_store.h"

namespace segmentd {

// One assigned partition's figures at one moment.
struct PartitionFigures {
  std::int32_t partition = 0;
  PartitionPosition position;
  ProcessorCheckpoint processor;
  std::size_t timers_pending = 0;
  std::optional<std::int64_t> end_offset;  // for consumer lag
};

class RunObserver {
 public:
  virtual ~RunObserver() = default;
  // Restoring a newly assigned partition's state (the store scans its members and
  // timers) begins; partition_restored() ends it.
  virtual void restore_started(std::int32_t /*partition*/) {}
  // Changelog records read while restoring (state changelog, SPEC 7), as they are read.
  virtual void restore_read(std::uint64_t /*records*/, std::uint64_t /*bytes*/) {}
  // One partition's changelog restore ended, after `took`.
  virtual void restore_took(std::chrono::nanoseconds /*took*/) {}
  // A partition was restored from its checkpoint: figures so far, not new work.
  virtual void partition_restored(const PartitionFigures& figures) = 0;
  // Current figures of every assigned partition (called often, and before a revoke).
  virtual void publish(const std::vector<PartitionFigures>& partitions,
                       const StoreFigures& store) = 0;
  // Standby replicas (standby_replicas.h): partitions kept warm, the changelog offsets
  // they are behind, and the changelog records applied since start (called with publish).
  virtual void standby(std::size_t /*partitions*/, std::int64_t /*lag_records*/,
                       std::uint64_t /*records_read*/) {}
  // The partitions were revoked; they are no longer reported.
  virtual void partitions_revoked(const std::vector<std::int32_t>& partitions) = 0;
  virtual void record_read() = 0;
  virtual void transition_acknowledged(std::chrono::nanoseconds since_read) = 0;
  virtual void committed(std::chrono::nanoseconds took) = 0;
  // The processing loop stopped consuming this long for commit work: a partition's turn
  // begun or a written commit's bookkeeping and evictions (at least once), a transaction
  // with every partition's state write (exactly once), a retried commit (disk full).
  virtual void commit_paused(std::chrono::nanoseconds took) = 0;
  // nullopt: assigned partitions are restored and consuming; else why not (short, safe
  // to show on /readyz).
  virtual void set_readiness(const std::optional<std::string>& not_ready_reason) = 0;
  // The processing loop is alive: called at least every loop iteration.
  virtual void heartbeat() = 0;
};

}  // namespace segmentd
