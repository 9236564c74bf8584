#include "app/partition_stream.h"

namespace segmentd {

PartitionStream::PartitionStream(StateStore& store, std::int32_t partition, std::size_t cache_bytes)
    : partition_(partition),
      members_(store, StreamId{static_cast<std::uint32_t>(partition)}, cache_bytes) {}

Status PartitionStream::restore(StateStore& store, std::int32_t partition,
                                const EngineOptions& options, std::size_t cache_bytes,
                                TransitionSink& sink, ActionSink* actions,
                                std::unique_ptr<PartitionStream>& stream) {
  std::unique_ptr<PartitionStream> s(new PartitionStream(store, partition, cache_bytes));
  std::optional<StreamCheckpoint> checkpoint;
  Status status =
      store.read_checkpoint(StreamId{static_cast<std::uint32_t>(partition)}, checkpoint);
  if (!status.is_ok()) return status;
  if (checkpoint && !decode_partition_position(checkpoint->source_position, s->position_)) {
    return Status::fatal("state.dir holds a checkpoint for partition " + std::to_string(partition) +
                         " that is not a Kafka position (was it used by `segmentd replay`?)");
  }
  if (checkpoint && checkpoint->processor.utc_offset != options.utc_offset) {
    return Status::fatal("state.dir holds partition " + std::to_string(partition) +
                         " made with another time.utc_offset (its per-day figures depend on "
                         "it): use the same offset, or a new state.dir");
  }
  status = s->members_.load_timers(s->timers_);
  if (!status.is_ok()) return status;
  s->processor_ = std::make_unique<StreamProcessor>(
      options, s->members_, s->timers_, sink,
      checkpoint ? checkpoint->processor : ProcessorCheckpoint{}, actions);
  stream = std::move(s);
  return Status::ok();
}

std::optional<std::int64_t> PartitionStream::resume_offset() const {
  if (position_.next_offset < 0) return std::nullopt;
  return position_.next_offset;
}

void PartitionStream::consumed(std::int64_t offset) {
  position_.next_offset = offset + 1;
  ++position_.records_read;
}

void PartitionStream::apply(const PurchaseEvent& event, std::int64_t offset) {
  processor_->apply(event);
  consumed(offset);
}

void PartitionStream::reject(RejectReason reason, std::int64_t offset) {
  ++position_.rejected[static_cast<std::size_t>(reason)];
  consumed(offset);
}

Status PartitionStream::commit(bool sync) {
  return members_.commit(
      StreamCheckpoint{processor_->checkpoint(), encode_partition_position(position_)}, sync);
}

}  // namespace segmentd
