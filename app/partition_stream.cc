#include "app/partition_stream.h"

namespace segmentd {

PartitionStream::PartitionStream(StateStore& store, std::int32_t partition, std::size_t cache_bytes,
                                 TransitionSink& sink, ActionSink* actions,
                                 ChangelogSink* changelog, StateWriter& writer)
    : partition_(partition),
      changelog_(changelog),
      members_(store, StreamId{static_cast<std::uint32_t>(partition)}, cache_bytes, changelog),
      sink_(sink, actions),
      writer_(writer) {}

PartitionStream::~PartitionStream() {
  if (writing_.valid()) writing_.wait();
}

Status PartitionStream::restore(StateStore& store, std::int32_t partition,
                                const EngineOptions& options, std::size_t cache_bytes,
                                TransitionSink& sink, ActionSink* actions, ChangelogSink* changelog,
                                StateWriter& writer, std::unique_ptr<PartitionStream>& stream) {
  std::unique_ptr<PartitionStream> s(
      new PartitionStream(store, partition, cache_bytes, sink, actions, changelog, writer));
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
  s->transaction_from_ = s->position_.next_offset;
  status = s->members_.load_timers(s->timers_);
  if (!status.is_ok()) return status;
  s->processor_ =
      std::make_unique<StreamProcessor>(options, s->members_, s->timers_, s->sink_,
                                        checkpoint ? checkpoint->processor : ProcessorCheckpoint{},
                                        actions != nullptr ? &s->sink_ : nullptr);
  stream = std::move(s);
  return Status::ok();
}

std::optional<std::int64_t> PartitionStream::resume_offset() const {
  if (position_.next_offset < 0) return std::nullopt;
  return position_.next_offset;
}

void PartitionStream::catch_up_silently(std::int64_t offset, const GroupOffsetMetadata& metadata) {
  catch_up_ = GroupCommit{offset, metadata};
  sink_.silent = true;
  if (position_.next_offset >= offset) {
    finish_catch_up();
  } else if (metadata.from == position_.next_offset && metadata.idle) {
    // The local state is where the committed transaction began: it began with this.
    processor_->advance_clock_to(*metadata.idle);
  }
}

bool PartitionStream::emits_at(std::int64_t offset) {
  if (catch_up_ && offset >= catch_up_->next_offset) finish_catch_up();
  return !sink_.silent;
}

void PartitionStream::finish_catch_up() {
  if (!catch_up_) return;
  if (catch_up_->metadata.clock) processor_->advance_clock_to(*catch_up_->metadata.clock);
  transaction_from_ = catch_up_->next_offset;
  transaction_idle_.reset();
  catch_up_.reset();
  sink_.silent = false;
}

std::optional<PartitionStream::GroupCommit> PartitionStream::group_commit() const {
  if (catch_up_) return catch_up_;
  if (position_.next_offset < 0) return std::nullopt;
  const StreamClock& clock = processor_->checkpoint().clock;
  return GroupCommit{position_.next_offset,
                     {transaction_from_, transaction_idle_,
                      clock.started ? std::optional<EpochMs>(clock.clock) : std::nullopt}};
}

void PartitionStream::transaction_committed() {
  if (catch_up_) return;
  transaction_from_ = position_.next_offset;
  transaction_idle_.reset();
}

void PartitionStream::advance_clock_to(EpochMs target) {
  const StreamClock before = processor_->checkpoint().clock;
  processor_->advance_clock_to(target);
  const StreamClock& after = processor_->checkpoint().clock;
  if (after != before) transaction_idle_ = after.clock;
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

StreamCheckpoint PartitionStream::checkpoint_now() const {
  PartitionPosition position = position_;
  position.changelog_offset = -1;  // the changelog's copy cannot hold its own offset
  return StreamCheckpoint{processor_->checkpoint(), encode_partition_position(position)};
}

Status PartitionStream::begin_stage(std::size_t members) {
  Status s = members_.begin_stage(checkpoint_now(), members);
  if (s.is_ok()) staged_position_ = position_;
  return s;
}

Status PartitionStream::stage() {
  Status s = begin_stage(SIZE_MAX);
  if (s.is_ok()) members_.send_staged_checkpoint();
  return s;
}

Status PartitionStream::write(std::optional<std::int64_t> changelog_offset, bool sync) {
  PartitionPosition position = staged_position_;
  position.changelog_offset = changelog_offset.value_or(-1);
  Status s = members_.write_staged(encode_partition_position(position), sync);
  if (s.is_ok()) position_.changelog_offset = position.changelog_offset;
  return s;
}

Status PartitionStream::begin_commit(const DeliveryProgress& deliveries) {
  // The output of the work being committed (the member records staged need not wait: they
  // precede the checkpoint record in its changelog partition).
  const std::uint64_t outputs = deliveries.records_produced();
  Status s = begin_stage(kStageStep);
  if (!s.is_ok()) return s;
  in_flight_ = InFlight{outputs, false, std::chrono::steady_clock::now()};
  return Status::ok();
}

Status PartitionStream::advance_commit(const DeliveryProgress& deliveries,
                                       std::optional<WrittenCommit>& written) {
  if (writing_.valid()) {
    if (writing_.wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
      return Status::ok();
    }
    return end_commit(writing_.get(), written);
  }
  if (!in_flight_) return Status::ok();
  if (!members_.stage_complete()) {
    members_.stage_some(kStageStep);
    if (!members_.stage_complete()) return Status::ok();
  }
  if (deliveries.records_delivered() < in_flight_->awaits) return Status::ok();
  Status s = deliveries.delivery_status();
  if (s.is_ok() && !in_flight_->checkpoint_sent) {
    // The output of the work staged is acknowledged: the checkpoint may follow it.
    members_.send_staged_checkpoint();
    in_flight_->checkpoint_sent = true;
    in_flight_->awaits = deliveries.records_produced();
    if (deliveries.records_delivered() < in_flight_->awaits) return Status::ok();
  }
  if (!s.is_ok()) {
    in_flight_.reset();
    return s;
  }
  staged_position_.changelog_offset =
      changelog_ != nullptr ? changelog_->changelog_checkpoint_offset(partition_).value_or(-1) : -1;
  members_.prepare_write(encode_partition_position(staged_position_));
  writing_ = writer_.submit([this] { return members_.write_prepared(true); });
  return Status::ok();
}

void PartitionStream::finish_stage() {
  if (in_flight_) members_.stage_some(SIZE_MAX);
}

Status PartitionStream::end_commit(Status write_outcome, std::optional<WrittenCommit>& written) {
  Status s = members_.finish_write(std::move(write_outcome));
  const auto began = in_flight_->began;
  in_flight_.reset();
  if (!s.is_ok()) return s;
  position_.changelog_offset = staged_position_.changelog_offset;
  written = WrittenCommit{staged_position_.next_offset >= 0
                              ? std::optional<std::int64_t>(staged_position_.next_offset)
                              : std::nullopt,
                          std::chrono::steady_clock::now() - began};
  return Status::ok();
}

void PartitionStream::changelog_restored(const ChangelogRestore& restore) {
  if (restore.seed) members_.seed_changelog();
  members_.rewrite_in_changelog(restore.unfinished);
}

}  // namespace segmentd
