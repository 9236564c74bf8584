// How far the output of the processing has been delivered, for commits that do not stop
// the processing (issue 10): every record the sink produces is numbered in produce order
// (0, 1, 2, ...), so "every output of the work up to this point is acknowledged" is
// records_delivered() >= the records_produced() taken at that point, whatever order the
// acknowledgements of different partitions arrive in.
//
// A failed delivery counts as delivered (it is over) and is kept by delivery_status():
// a caller checks it after seeing records_delivered() pass its point, and never commits
// past a failure (fatal, as a failed flush). Not thread-safe: the engine thread.
#pragma once

#include <chrono>
#include <cstdint>

#include "engine/status.h"

namespace segmentd {

class DeliveryProgress {
 public:
  virtual ~DeliveryProgress() = default;
  // Records produced so far: the number the next record gets.
  virtual std::uint64_t records_produced() const = 0;
  // Every record numbered below this has had its delivery reported (acknowledged or failed).
  virtual std::uint64_t records_delivered() const = 0;
  // ok, or the first delivery failure (fatal: the caller must not commit past it).
  virtual Status delivery_status() const = 0;
  // Serves delivery reports, waiting up to `timeout` for the first.
  virtual void await_deliveries(std::chrono::milliseconds timeout) = 0;
};

}  // namespace segmentd
