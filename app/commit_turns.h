// At least once: the partitions commit in turn (one every processing.commit_interval / N,
// in partition order), each without stopping the processing (PartitionStream::
// begin_commit). step() runs on every turn of the processing loop: it moves the commits
// in flight on (a few of their members staged per turn, then their deliveries
// acknowledged) and, when a turn is due, begins the next partition's commit. Back-pressure: a
// partition whose previous commit is still in flight when its turn comes again waits for it first
// (delivery reports served, nothing else processed). finish() waits for every commit in flight,
// before a commit of all partitions at once (shutdown, revocation, disk-full retries).
//
// Not thread-safe: the engine thread.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>

#include "app/partition_stream.h"
#include "engine/delivery_progress.h"

namespace segmentd {

using PartitionStreams = std::map<std::int32_t, std::unique_ptr<PartitionStream>>;

class CommitTurns {
 public:
  // Called for each commit written: its group offset can be committed.
  using OnWritten =
      std::function<void(std::int32_t partition, const PartitionStream::WrittenCommit& written)>;

  // An error (a failed write, a delivery failure) ends that commit and is returned.
  Status step(PartitionStreams& streams, DeliveryProgress& deliveries, bool turn_due,
              const OnWritten& on_written);
  Status finish(PartitionStreams& streams, DeliveryProgress& deliveries,
                const OnWritten& on_written);

 private:
  std::optional<std::int32_t> last_turn_;
};

}  // namespace segmentd
