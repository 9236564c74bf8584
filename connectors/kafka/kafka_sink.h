// The Kafka end that results go to (SPEC 2, 3.1, 5.7, 7): transitions to `output.topic`
// and the routes of output.routes, member actions to `output.actions_topic`, with
// CloudEvents headers (binary mode), keyed by member id; rejected input records to the dead-letter
// topic with their original key and value bytes and the segmentd-error* headers.
//
// State changelog records (ChangelogSink) go to `changelog_topic`, to the partition of
// their stream, through the same producer, so one flush() acknowledges transitions and
// changelog alike; the delivery reports keep each partition's latest checkpoint offset.
//
// The producer is idempotent with acks=all. Nothing is dropped silently: a full local
// queue makes emit() wait, and a failed delivery is remembered and returned by flush(),
// so the caller never commits input positions past output that did not arrive. Records
// are numbered in produce order (DeliveryProgress), so a caller can also wait for the
// output up to a point of its own while producing more, without a flush.
//
// Exactly once: with a `transactional.id` in the properties the producer is
// transactional. open() initialises it, which fences any earlier producer with the same
// id and aborts its open transaction. Every record must then be produced between
// begin_transaction() and commit_transaction()/abort_transaction(); commit_transaction
// also commits the consumer group's offsets (fenced by the group generation, KIP-447), so
// records and input offsets become visible to read_committed consumers together or not
// at all. A failed delivery inside a transaction only aborts that transaction. The
// transactional calls wait until done, retrying while the error is retriable (brokers
// away) and serving the producer's events and delivery reports between attempts (20 s
// at most once `stop` is set). A transactional producer that fails with a fatal error
// other than being fenced or refused (librdkafka makes, for instance, a transaction whose
// records timed out in a long broker outage end in INVALID_TXN_STATE) is replaced at
// the transactional call that finds it: a new producer with the same transactional.id,
// whose initialisation aborts the open transaction; commit_transaction then answers
// retry, abort_transaction ok, and begin_transaction begins on the new producer.
//
// Not thread-safe: one thread emits, polls and flushes (delivery reports are served
// on that thread inside poll() and flush()).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/segmentd_config.h"
#include "connectors/kafka/kafka_events.h"
#include "connectors/kafka/kafka_properties.h"
#include "connectors/kafka/kafka_source.h"
#include "engine/changelog_sink.h"
#include "engine/delivery_progress.h"
#include "engine/member_action.h"
#include "engine/rejection.h"
#include "engine/status.h"
#include "engine/transition.h"

namespace segmentd {

struct KafkaSinkSettings {
  KafkaProperties properties;  // producer properties (see kafka_properties.h)
  std::string application_id;  // ce_source = "segmentd/" + application_id
  std::string output_topic;
  std::string dlq_topic;
  std::vector<OutputRoute> routes;
  std::string actions_topic;
  std::string changelog_topic;          // the state changelog (ChangelogSink)
  KafkaClientEvents* events = nullptr;  // when set: the producer's events (must outlive it)
  // When set and true (the service is stopping), transactional calls retry for 20 s more
  // at most, then fail: brokers that never answer cannot hold a stopping service forever.
  const std::atomic<bool>* stop = nullptr;
};

// Called on the sink's thread for every acknowledged transition with the time from the
// causing record's read (set_cause_read_time) to the acknowledgement.
using AckLatencyObserver = std::function<void(std::chrono::nanoseconds)>;

class KafkaSink final : public TransitionSink,
                        public ActionSink,
                        public ChangelogSink,
                        public DeliveryProgress {
 public:
  static Status open(const KafkaSinkSettings& settings, std::unique_ptr<KafkaSink>& sink);
  ~KafkaSink() override;
  KafkaSink(const KafkaSink&) = delete;
  KafkaSink& operator=(const KafkaSink&) = delete;

  void set_ack_latency_observer(AckLatencyObserver observer);
  // The read time of the record whose processing emits the next transitions.
  void set_cause_read_time(std::chrono::steady_clock::time_point read_time);

  void emit(const Transition& transition) override;
  void emit(const MemberAction& action) override;
  void dead_letter(const KafkaRecord& record, const std::string& source_topic,
                   const Rejection& rejection);

  void changelog_put(std::int32_t partition, std::string_view key,
                     std::optional<std::string_view> value) override;
  void changelog_checkpoint(std::int32_t partition, std::string_view key,
                            std::string_view value) override;
  std::optional<std::int64_t> changelog_checkpoint_offset(std::int32_t partition) const override;

  // Serves delivery reports without waiting.
  void poll();
  // Waits until every record produced so far is acknowledged. Returns the first delivery
  // failure since open() (fatal: the caller must not commit past it).
  Status flush();

  // Exactly once (the producer has a transactional.id); see the contract above.
  bool transactional() const;
  Status begin_transaction();
  // Adds `offsets` (next offsets to read of `group`'s partitions, with their metadata) to
  // the open transaction with `group`'s group metadata and commits it, waiting for every
  // record. ok: committed. retry: it could not commit and was aborted (records discarded,
  // offsets not committed; also when the producer failed and was replaced): rewind to
  // the last commit, then begin again. fatal: the producer was fenced (another instance
  // with the same transactional.id, or a newer generation of the group owns the
  // partitions), refused, or failed and could not be replaced.
  Status commit_transaction(const std::vector<GroupOffset>& offsets, const KafkaSource& group);
  // Aborts the open transaction, if any (its records are never visible to read_committed
  // consumers); ok too when the failed producer was replaced. fatal when it was fenced,
  // refused, or could not be replaced.
  Status abort_transaction();

  std::uint64_t records_produced() const override;  // since open(), aborted ones included
  std::uint64_t records_delivered() const override;
  // The first delivery failure, or the producer's fatal error.
  Status delivery_status() const override;
  void await_deliveries(std::chrono::milliseconds timeout) override;
  std::uint64_t records_acknowledged() const;
  // Records produced but not yet acknowledged or failed.
  std::size_t pending() const;

 private:
  struct Impl;
  explicit KafkaSink(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace segmentd
