// The Kafka end that events come from: one member of the consumer group
// `application.id`, reading `input.topic` (SPEC 2, 7). The only place besides
// kafka_sink that talks to librdkafka's consumer.
//
// Offsets are owned by segmentd's state, not by the group: on assignment the listener
// says where each partition resumes (the position committed with its state) and on
// revocation it persists its work before the partitions go. At least once, group
// offsets are committed too (commit_offsets), for lag tooling only. Exactly once, they
// are committed inside the producer's transactions (KafkaSink::commit_transaction, with
// this consumer's group metadata) and read back with committed_offsets(). Eager
// rebalancing; the listener's callbacks run inside poll(), on the caller's thread.
//
// Lifetime: closing (close() or the destructor) runs the listener's on_revoked, so the
// listener, and everything its on_revoked touches, must outlive the source; an owner
// should close the source before tearing down its own state. An assignment that arrives
// while the source closes (a rebalance that ended since the last poll) is taken and given
// back without the listener: a closing source takes no partitions.
// Not thread-safe: one thread polls, commits and closes.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "connectors/kafka/kafka_events.h"
#include "connectors/kafka/kafka_properties.h"
#include "engine/status.h"

namespace segmentd {

// One consumed record; the views are valid until the next poll().
struct KafkaRecord {
  std::int32_t partition = 0;
  std::int64_t offset = 0;
  std::int64_t timestamp_ms = -1;  // the record's timestamp, -1 when it has none
  std::string_view key;
  std::string_view value;
};

// A partition's offset as committed to the consumer group, with its metadata string.
struct GroupOffset {
  std::int32_t partition = 0;
  std::int64_t offset = 0;  // the next offset to read
  std::string metadata;
};

class PartitionListener {
 public:
  virtual ~PartitionListener() = default;
  // The partitions just assigned; returns, in the same order, the next offset to read
  // for each (nullopt: from the earliest retained offset).
  virtual std::vector<std::optional<std::int64_t>> on_assigned(
      const std::vector<std::int32_t>& partitions) = 0;
  // The partitions about to be revoked: finish, persist and commit their work.
  virtual void on_revoked(const std::vector<std::int32_t>& partitions) = 0;
};

enum class PollOutcome {
  record,         // `record` holds the next record
  partition_end,  // `record.partition` has nothing more to fetch for now
  idle,           // nothing within the timeout
  error,          // see last_error(); fatal when last_error().kind() == fatal
};

class KafkaSource {
 public:
  // `events`, when given, receives the client's logs, errors and broker reachability
  // (kafka_events.h) and must outlive the source.
  static Status open(const KafkaProperties& properties, const std::string& topic,
                     PartitionListener& listener, std::unique_ptr<KafkaSource>& source,
                     KafkaClientEvents* events = nullptr);
  ~KafkaSource();
  KafkaSource(const KafkaSource&) = delete;
  KafkaSource& operator=(const KafkaSource&) = delete;

  PollOutcome poll(std::chrono::milliseconds timeout, KafkaRecord& record);
  const Status& last_error() const;

  // Commits `next offset to read` per partition to the group, asynchronously; skipped
  // when the assignment was lost (session timed out).
  void commit_offsets(const std::vector<std::pair<std::int32_t, std::int64_t>>& offsets);

  // The group's committed offsets of `partitions`, in the same order (nullopt: none).
  // Waits (up to `timeout`) while a transaction holding offsets of them is still open
  // (read_committed consumers only see stable offsets). Retry error when the group
  // coordinator does not answer in time.
  Status committed_offsets(const std::vector<std::int32_t>& partitions,
                           std::chrono::milliseconds timeout,
                           std::vector<std::optional<GroupOffset>>& offsets) const;

  // Restarts fetching of assigned partitions at the given offsets (nullopt: the earliest
  // retained), dropping records fetched but not yet returned by poll().
  Status rewind(const std::vector<std::pair<std::int32_t, std::optional<std::int64_t>>>& starts);

  // The partition's end offset as last seen in a fetch (no network round trip); nullopt
  // until poll() has returned a record or the end of it since it was last assigned.
  std::optional<std::int64_t> end_offset(std::int32_t partition) const;
  // The input topic's partition count from the broker's metadata (blocks up to 2 s);
  // nullopt when the broker does not answer.
  std::optional<std::int32_t> partition_count() const;

  // Stops (true) or restarts (false) fetching every assigned partition; the group
  // membership is kept (poll() must still be called). Records fetched before the pause
  // may still be returned.
  void pause_fetching(bool paused);

  // The member id the group coordinator gave this consumer (empty before it joined).
  std::string member_id() const;

  // Whether the consumer failed because the group fenced it off: another consumer joined
  // with its group.instance.id (also after librdkafka lost and renewed its own session).
  bool fenced() const;

  // Leaves the group: the listener's on_revoked runs for the current assignment.
  void close();

 private:
  friend class KafkaSink;  // sends the group metadata with transactional offsets
  // The consumer's librdkafka handle (rd_kafka_t*) and its topic.
  void* client_handle() const;
  const std::string& topic_name() const;
  struct Impl;
  explicit KafkaSource(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace segmentd
