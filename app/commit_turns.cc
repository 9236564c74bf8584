#include "app/commit_turns.h"

namespace segmentd {

namespace {

constexpr auto kAwaitStep = std::chrono::milliseconds(10);

Status advance(std::int32_t partition, PartitionStream& stream, DeliveryProgress& deliveries,
               const CommitTurns::OnWritten& on_written) {
  std::optional<PartitionStream::WrittenCommit> written;
  Status s = stream.advance_commit(deliveries, written);
  if (s.is_ok() && written) on_written(partition, *written);
  return s;
}

// Waits until the stream's commit in flight is written (or fails).
Status await(std::int32_t partition, PartitionStream& stream, DeliveryProgress& deliveries,
             const CommitTurns::OnWritten& on_written) {
  stream.finish_stage();
  Status s = advance(partition, stream, deliveries, on_written);
  while (s.is_ok() && stream.commit_in_flight()) {
    deliveries.await_deliveries(kAwaitStep);
    s = advance(partition, stream, deliveries, on_written);
  }
  return s;
}

}  // namespace

Status CommitTurns::step(PartitionStreams& streams, DeliveryProgress& deliveries, bool turn_due,
                         const OnWritten& on_written) {
  for (auto& [partition, stream] : streams) {
    Status s = advance(partition, *stream, deliveries, on_written);
    if (!s.is_ok()) return s;
  }
  if (!turn_due || streams.empty()) return Status::ok();
  auto it = last_turn_ ? streams.upper_bound(*last_turn_) : streams.begin();
  if (it == streams.end()) it = streams.begin();
  Status s = await(it->first, *it->second, deliveries, on_written);
  if (!s.is_ok()) return s;
  last_turn_ = it->first;
  s = it->second->begin_commit(deliveries);
  // With nothing left to acknowledge it is written at once.
  if (s.is_ok()) s = advance(it->first, *it->second, deliveries, on_written);
  return s;
}

Status CommitTurns::finish(PartitionStreams& streams, DeliveryProgress& deliveries,
                           const OnWritten& on_written) {
  for (auto& [partition, stream] : streams) {
    Status s = await(partition, *stream, deliveries, on_written);
    if (!s.is_ok()) return s;
  }
  return Status::ok();
}

}  // namespace segmentd
