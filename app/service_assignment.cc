// Assignment and revocation for `segmentd run` (run_job.h): each assigned partition's
// stream is restored from the changelog and the state store inside the rebalance callback,
// standby replicas are started with the changelog reader and handed partitions back
// after their last commit.
#include <algorithm>
#include <chrono>
#include <mutex>
#include <string>
#include <vector>

#include "app/changelog_restore.h"
#include "app/group_offset_metadata.h"
#include "app/log.h"
#include "app/service.h"
#include "connectors/kafka/changelog_topic.h"
#include "connectors/kafka/kafka_properties.h"

namespace segmentd {

namespace {

// Exactly once: how long reading the group's committed offsets may wait for a transaction
// of a killed instance to be aborted (transaction.timeout.ms, then the broker's check).
constexpr auto kCommittedOffsetsTimeout = std::chrono::seconds(90);

std::string partition_list(const std::vector<std::int32_t>& partitions) {
  std::string out;
  for (std::int32_t p : partitions) out += (out.empty() ? "" : ",") + std::to_string(p);
  return out;
}

}  // namespace

std::vector<std::optional<std::int64_t>> Service::on_assigned(
    const std::vector<std::int32_t>& partitions) {
  const auto assigned_at = SteadyClock::now();
  {
    std::lock_guard lock(consumer_member_mutex_);
    consumer_member_ = source_->member_id();
  }
  const auto starts = restore_streams(partitions, assigned_at);
  if (standby_) standby_->refresh_soon();
  log::info("partitions_assigned", {{"partitions", partition_list(partitions)}});
  health_.set_assigned(failure_.is_ok());
  update_readiness();
  return starts;
}

// Restores the streams of `partitions` from the state store; exactly once, each catches
// up silently to the group's committed offset (partition_stream.h). Returns where each
// resumes; failures go to fail(). Standbys first stop tailing them (standby_replicas.h).
// Logs `partition_ready` for each, with the seconds since `assigned_at`.
std::vector<std::optional<std::int64_t>> Service::restore_streams(
    const std::vector<std::int32_t>& partitions, SteadyClock::time_point assigned_at) {
  Status opened = changelog_reader_ || !changelog_ ? Status::ok() : open_changelog();
  if (!opened.is_ok()) fail(opened);
  // Claimed before the committed offsets, which may wait for a killed owner's transaction
  // to be aborted: whether the standby kept them warm is decided at assignment.
  const std::vector<std::int32_t> warm =
      standby_ ? standby_->claim(partitions) : std::vector<std::int32_t>();
  std::vector<std::optional<GroupOffset>> committed(partitions.size());
  if (exactly_once_ && !partitions.empty() && failure_.is_ok()) {
    Status s = source_->committed_offsets(partitions, kCommittedOffsetsTimeout, committed);
    if (!s.is_ok()) {
      fail(Status::fatal(s.message()));
      return std::vector<std::optional<std::int64_t>>(partitions.size());
    }
  }
  std::vector<std::optional<std::int64_t>> starts;
  const std::size_t cache_share =
      config_.state.cache_bytes / std::max<std::size_t>(1, partitions.size());
  for (std::size_t i = 0; i < partitions.size(); ++i) {
    const std::int32_t partition = partitions[i];
    std::unique_ptr<PartitionStream> stream;
    Status s = failure_.is_ok() ? restore_partition(partition, cache_share, stream) : failure_;
    if (!s.is_ok()) {
      fail(s);
      starts.emplace_back(std::nullopt);
      continue;
    }
    if (committed[i]) {
      const std::int64_t local = stream->resume_offset().value_or(-1);
      stream->catch_up_silently(committed[i]->offset,
                                decode_group_offset_metadata(committed[i]->metadata));
      if (local < committed[i]->offset) {
        log::info("partition_catching_up",
                  {{"partition", std::to_string(partition)},
                   {"local_offset", std::to_string(local)},
                   {"committed_offset", std::to_string(committed[i]->offset)},
                   {"action", "re-processing without output up to the committed offset"}});
      }
    }
    starts.push_back(stream->resume_offset());
    observer_.partition_restored(figures_of(*stream));
    streams_[partition] = std::move(stream);
    const bool was_warm = std::find(warm.begin(), warm.end(), partition) != warm.end();
    log::info("partition_ready",
              {{"partition", std::to_string(partition)},
               {"standby", was_warm ? "warm" : "none"},
               {"seconds_since_assignment",
                std::to_string(
                    std::chrono::duration<double>(SteadyClock::now() - assigned_at).count())}});
  }
  return starts;
}

// The changelog topic is checked (or created) once the input topic's partition count is
// known for certain: at the first assignment.
Status Service::open_changelog() {
  const std::optional<std::int32_t> partitions = source_->partition_count();
  if (!partitions) {
    return Status::fatal("cannot read the partition count of " + config_.input.topic +
                         " to check the state changelog topic " + changelog_topic_);
  }
  Status s = ensure_changelog_topic(producer_properties(config_.kafka_properties), changelog_topic_,
                                    *partitions, this, !embedded_cluster_);
  if (!s.is_ok()) return s;
  s = ChangelogReader::open(
      consumer_properties(config_.kafka_properties, config_.application_id), changelog_topic_,
      std::chrono::milliseconds(config_.state.restore_timeout.ms), changelog_reader_, this);
  if (!s.is_ok() || config_.processing.standby_replicas == 0) return s;
  return open_standby();
}

// Standby replicas tail the changelog with a reader of their own and choose their
// partitions from the group's description (standby_choice.h).
Status Service::open_standby() {
  std::unique_ptr<ChangelogReader> reader;
  Status s = ChangelogReader::open(
      consumer_properties(config_.kafka_properties, config_.application_id), changelog_topic_,
      std::chrono::milliseconds(config_.state.restore_timeout.ms), reader, this);
  if (!s.is_ok()) return s;
  std::unique_ptr<ConsumerGroupDescriber> group;
  s = ConsumerGroupDescriber::open(producer_properties(config_.kafka_properties),
                                   config_.application_id, config_.input.topic, group, this);
  if (!s.is_ok()) return s;
  standby_ = std::make_unique<StandbyReplicas>(
      *store_, std::move(reader),
      [this, group = std::shared_ptr<ConsumerGroupDescriber>(std::move(group))] {
        return choose_standby(*group);
      });
  log::info("standby_replicas_started",
            {{"standby_replicas", std::to_string(config_.processing.standby_replicas)}});
  return Status::ok();
}

// On the standby thread.
std::optional<StandbyChoice> Service::choose_standby(ConsumerGroupDescriber& group) {
  GroupDescription description;
  const Status s = group.describe(description);
  if (!s.is_ok()) {
    if (!standby_group_unknown_) {
      log::warn("standby_group_unknown", {{"detail", s.message()},
                                          {"action",
                                           "keeping the standby partitions as they "
                                           "are; retrying"}});
    }
    standby_group_unknown_ = true;
    return std::nullopt;
  }
  standby_group_unknown_ = false;
  std::string self;
  {
    std::lock_guard lock(consumer_member_mutex_);
    self = consumer_member_;
  }
  return choose_standby_partitions(description, self, config_.processing.standby_replicas);
}

// Restores the partition's state from the changelog where the local store is behind it
// (or missing; never with state.changelog off), then its stream from the local store.
// Runs inside the rebalance callback: /readyz says which partition is being restored.
Status Service::restore_partition(std::int32_t partition, std::size_t cache_bytes,
                                  std::unique_ptr<PartitionStream>& stream) {
  observer_.restore_started(partition);
  health_.set_restoring(partition);
  update_readiness();
  const auto started = SteadyClock::now();
  ChangelogRestore restored;
  Status s = Status::ok();
  if (changelog_) {
    s = restore_from_changelog(
        *store_, *changelog_reader_, partition,
        [this](std::uint64_t records, std::uint64_t bytes) {
          observer_.restore_read(records, bytes);
          observer_.heartbeat();
        },
        restored);
  }
  if (s.is_ok()) {
    s = PartitionStream::restore(*store_, partition, config_.engine, cache_bytes, *sink_,
                                 config_.engine.enabled_actions.any() ? sink_.get() : nullptr,
                                 changelog_ ? sink_.get() : nullptr, state_writer_, stream);
  }
  if (s.is_ok()) stream->changelog_restored(restored);
  health_.set_restoring(std::nullopt);
  const auto took = SteadyClock::now() - started;
  observer_.restore_took(took);
  if (s.is_ok() && restored.records > 0) {
    log::info("partition_restored_from_changelog",
              {{"partition", std::to_string(partition)},
               {"records", std::to_string(restored.records)},
               {"bytes", std::to_string(restored.bytes)},
               {"unfinished_commit_members", std::to_string(restored.unfinished.size())},
               {"seconds", std::to_string(std::chrono::duration<double>(took).count())}});
  }
  return s;
}

void Service::on_revoked(const std::vector<std::int32_t>& partitions) {
  health_.set_assigned(false);
  update_readiness();
  if (failure_.is_ok() && !discarding_) {
    Status s = commit_all(false);
    if (!s.is_ok() && s.kind() == ErrorKind::retry) {
      // The state store refuses writes: the partitions go with their last commit, and
      // whoever gets them redoes the work since (at least once).
      log::warn("partitions_revoked_uncommitted", {{"detail", s.message()}});
    } else if (!s.is_ok()) {
      fail(s);
    }
  }
  publish();
  for (std::int32_t partition : partitions) streams_.erase(partition);
  // After their last commit: a standby may tail them from here on.
  if (standby_) standby_->release(partitions);
  observer_.partitions_revoked(partitions);
  log::info("partitions_revoked", {{"partitions", partition_list(partitions)}});
  waiting_since_ = last_waiting_log_ = SteadyClock::now();
}

}  // namespace segmentd
