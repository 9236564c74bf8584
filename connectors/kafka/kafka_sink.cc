#include "connectors/kafka/kafka_sink.h"

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafkacpp.h>

#include <algorithm>
#include <deque>

#include "connectors/action_json.h"
#include "connectors/kafka/kafka_client.h"
#include "connectors/transition_json.h"
#include "engine/event_time.h"

namespace segmentd {

namespace {

using SteadyClock = std::chrono::steady_clock;

// Each record's message opaque is its number (DeliveryProgress); the tracker keeps, per
// record not yet delivered, its cause's read time (steady clock, ns) for transitions,
// kNoLatency for dead letters and changelog records, kChangelogCheckpoint for changelog
// checkpoint records (no steady-clock reading is ever 1 ns).
constexpr std::intptr_t kNoLatency = 0;
constexpr std::intptr_t kChangelogCheckpoint = 1;

class DeliveryTracker final : public RdKafka::DeliveryReportCb {
 public:
  // Numbers the next record, of the given kind; undo with forget_last() if not produced.
  std::uint64_t track(std::intptr_t read_ns) {
    undelivered.push_back(Undelivered{read_ns, false});
    return delivered_prefix + undelivered.size() - 1;
  }
  void forget_last() { undelivered.pop_back(); }
  // The producer that had them is gone: its records will never be reported.
  void forget_undelivered() {
    delivered_prefix += undelivered.size();
    undelivered.clear();
  }

  void dr_cb(RdKafka::Message& message) override {
    const auto number = reinterpret_cast<std::uintptr_t>(message.msg_opaque());
    Undelivered& record = undelivered[number - delivered_prefix];
    record.delivered = true;
    const std::intptr_t read_ns = record.read_ns;  // `record` may be popped below
    while (!undelivered.empty() && undelivered.front().delivered) {
      undelivered.pop_front();
      ++delivered_prefix;
    }
    if (message.err() != RdKafka::ERR_NO_ERROR) {
      if (first_failure.is_ok()) {
        first_failure = Status::fatal("kafka delivery to " + message.topic_name() +
                                      " failed: " + message.errstr());
      }
      return;
    }
    ++acknowledged;
    if (read_ns == kChangelogCheckpoint) {
      changelog_checkpoints[message.partition()] = message.offset();
      return;
    }
    if (read_ns != kNoLatency && observer) {
      const auto now_ns = SteadyClock::now().time_since_epoch().count();
      observer(std::chrono::nanoseconds(now_ns - read_ns));
    }
  }

  Status first_failure = Status::ok();
  std::uint64_t acknowledged = 0;
  AckLatencyObserver observer;
  std::map<std::int32_t, std::int64_t> changelog_checkpoints;  // partition: latest offset
  // Records numbered below delivered_prefix are delivered; undelivered[i] is the record
  // numbered delivered_prefix + i (some of the later ones may be delivered already).
  struct Undelivered {
    std::intptr_t read_ns;
    bool delivered;
  };
  std::deque<Undelivered> undelivered;
  std::uint64_t delivered_prefix = 0;
};

// The outcome of one transactional call: ok, retriable (try the same call again), abortable
// (the transaction must be aborted), out_of_step or fatal.
//
// out_of_step: the producer refused the call in its current transactional state
// (ERR__STATE, not fatal), a state our calls never leave it in. librdkafka 2.0.2 gets there
// after a resumed call: it keeps one result for the API call under way, so an operation
// that timed out and completes while the resumed call waits for its own first operation
// answers that one, and every later call then returns the result of the operation before
// its own (begin_transaction returns before the transaction has begun, produce() answers
// ERR__STATE, abort_transaction "not valid in state BeginAbort"). Such a producer is
// replaced like a failed one.
enum class TxnOutcome { ok, retriable, abortable, out_of_step, fatal };

TxnOutcome outcome_of(std::unique_ptr<RdKafka::Error> error, std::string& detail) {
  if (error == nullptr) return TxnOutcome::ok;
  detail = error->str();
  if (error->is_fatal()) return TxnOutcome::fatal;
  if (error->txn_requires_abort()) return TxnOutcome::abortable;
  if (error->is_retriable()) return TxnOutcome::retriable;
  if (error->code() == RdKafka::ERR__STATE) return TxnOutcome::out_of_step;
  return TxnOutcome::fatal;
}

TxnOutcome outcome_of(rd_kafka_error_t* raw, std::string& detail) {
  if (raw == nullptr) return TxnOutcome::ok;
  const std::unique_ptr<rd_kafka_error_t, decltype(&rd_kafka_error_destroy)> error(
      raw, &rd_kafka_error_destroy);
  detail = rd_kafka_error_string(raw);
  if (rd_kafka_error_is_fatal(raw)) return TxnOutcome::fatal;
  if (rd_kafka_error_txn_requires_abort(raw)) return TxnOutcome::abortable;
  if (rd_kafka_error_is_retriable(raw)) return TxnOutcome::retriable;
  if (rd_kafka_error_code(raw) == RD_KAFKA_RESP_ERR__STATE) return TxnOutcome::out_of_step;
  return TxnOutcome::fatal;
}

// A fatal error that a new producer with the same transactional.id would meet again:
// another producer owns the id (fenced), or the brokers refuse it.
bool fatal_error_is_final(RdKafka::ErrorCode cause) {
  switch (cause) {
    case RdKafka::ERR__FENCED:
    case RdKafka::ERR_PRODUCER_FENCED:
    case RdKafka::ERR_INVALID_PRODUCER_EPOCH:
    case RdKafka::ERR_TRANSACTIONAL_ID_AUTHORIZATION_FAILED:
    case RdKafka::ERR_CLUSTER_AUTHORIZATION_FAILED:
    case RdKafka::ERR_TOPIC_AUTHORIZATION_FAILED:
    case RdKafka::ERR_GROUP_AUTHORIZATION_FAILED:
      return true;
    default:
      return false;
  }
}

// How long one attempt of a transactional call waits before it is retried: short enough
// that the producer's events (broker reachability, logs) are served between attempts
// while the brokers are away, long enough that a call rarely times out while its request
// is answered (a resumed call can go out of step, see TxnOutcome; a first commit took
// over a second under ASan on a loaded machine).
constexpr int kTransactionCallTimeoutMs = 5000;

// Once the service is stopping, how long a transactional call still retries.
constexpr auto kStoppingRetries = std::chrono::seconds(20);

// Runs `call` (returning the error of one librdkafka transactional call, owned by the
// caller) until it is not retriable, serving `producer`'s callbacks between attempts; once
// `stop` (when given) is set, for kStoppingRetries more at most, then fatal. Fills
// `detail` with the last error's text.
template <typename Call>
TxnOutcome run_txn_call(RdKafka::Producer& producer, const std::atomic<bool>* stop, Call&& call,
                        std::string& detail) {
  std::optional<std::chrono::steady_clock::time_point> stopping_since;
  for (;;) {
    const TxnOutcome outcome = outcome_of(call(), detail);
    if (outcome != TxnOutcome::retriable) return outcome;
    if (stop != nullptr && stop->load(std::memory_order_relaxed)) {
      const auto now = std::chrono::steady_clock::now();
      if (!stopping_since) stopping_since = now;
      if (now - *stopping_since >= kStoppingRetries) {
        detail = "given up, the service is stopping; the last attempt: " + detail;
        return TxnOutcome::fatal;
      }
    }
    producer.poll(0);
  }
}

std::string ce_type(const Transition& t) {
  std::string type = "segmentd.transition.";
  type.append(t.family).append(".").append(t.to);
  return type;
}

}  // namespace

struct KafkaSink::Impl {
  KafkaSinkSettings settings;
  std::string ce_source;
  DeliveryTracker tracker;
  std::unique_ptr<EventRelay> relay;
  std::unique_ptr<RdKafka::Producer> producer;
  std::intptr_t cause_read_ns = kNoLatency;
  std::string value;  // reused buffer for transition JSON
  std::vector<const std::string*> destinations;
  std::uint64_t produced = 0;
  std::string transactional_id;  // empty: not transactional
  bool in_transaction = false;

  Status txn_fatal(const std::string& what, const std::string& detail) const {
    return Status::fatal("kafka producer (transactional.id " + transactional_id + "): " + what +
                         ": " + detail);
  }

  // Exactly once, after `what` failed with a fatal error: unless the producer was fenced
  // or refused (fatal_error_is_final), a new producer with the same transactional.id
  // replaces it. Its init_transactions() bumps the epoch, which aborts the transaction
  // the failed one left open. ok: replaced, the open transaction aborted (its records and
  // their delivery failures forgotten). fatal: not replaced.
  // `outcome` is what `what` answered: a producer out_of_step is replaced too.
  Status replace_failed_producer(TxnOutcome outcome, const std::string& what,
                                 const std::string& detail) {
    std::string reason;
    const RdKafka::ErrorCode cause = producer->fatal_error(reason);
    const bool replaceable = cause == RdKafka::ERR_NO_ERROR ? outcome == TxnOutcome::out_of_step
                                                            : !fatal_error_is_final(cause);
    if (!replaceable) return txn_fatal(what, detail);
    // Fail what the old producer still holds, and serve those delivery reports, so that
    // nothing of it is left in the tracker.
    producer->purge(RdKafka::Producer::PURGE_QUEUE | RdKafka::Producer::PURGE_INFLIGHT);
    producer->poll(0);
    producer.reset();
    tracker.forget_undelivered();
    tracker.first_failure = Status::ok();
    in_transaction = false;
    if (settings.events != nullptr) {
      settings.events->log("producer", KafkaLogLevel::warning, "REPLACED",
                           std::string(cause == RdKafka::ERR_NO_ERROR
                                           ? "replacing the transactional producer, out of "
                                             "step with its calls ("
                                           : "replacing the failed transactional producer (") +
                               what + ": " + detail + "); its open transaction is aborted");
    }
    Status s = make_producer(settings.properties, tracker, producer, relay.get());
    if (!s.is_ok()) return s;
    return init_transactions();
  }

  Status init_transactions() {
    std::string detail;
    RdKafka::Producer& p = *producer;
    if (run_txn_call(
            p, settings.stop,
            [&] {
              return std::unique_ptr<RdKafka::Error>(
                  p.init_transactions(kTransactionCallTimeoutMs));
            },
            detail) != TxnOutcome::ok) {
      return txn_fatal("initialising transactions", detail);
    }
    return Status::ok();
  }

  // Produces one record (to `partition`, or the partitioner's choice), waiting while the
  // local queue is full. Takes `headers`. A null payload data() is a null value.
  void produce(const std::string& topic, std::string_view key, std::string_view payload,
               RdKafka::Headers* headers, std::intptr_t read_ns,
               std::int32_t partition = RdKafka::Topic::PARTITION_UA) {
    const std::uint64_t number = tracker.track(read_ns);
    for (;;) {
      const RdKafka::ErrorCode err = producer->produce(
          topic, partition, RdKafka::Producer::RK_MSG_COPY, const_cast<char*>(payload.data()),
          payload.size(), key.data(), key.size(), 0, headers,
          reinterpret_cast<void*>(static_cast<std::uintptr_t>(number)));
      if (err == RdKafka::ERR_NO_ERROR) {
        ++produced;
        return;
      }
      if (err == RdKafka::ERR__QUEUE_FULL) {
        producer->poll(10);
        continue;
      }
      tracker.forget_last();
      delete headers;
      if (tracker.first_failure.is_ok()) {
        tracker.first_failure =
            Status::fatal("kafka produce to " + topic + " failed: " + RdKafka::err2str(err));
      }
      return;
    }
  }

  void route(const Transition& t) {
    destinations.clear();
    bool instead = false;
    for (const OutputRoute& r : settings.routes) {
      if (r.family == t.family && r.to_label == t.to) {
        destinations.push_back(&r.topic);
        instead = instead || r.instead;
      }
    }
    if (!instead) destinations.insert(destinations.begin(), &settings.output_topic);
  }
};

KafkaSink::KafkaSink(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
KafkaSink::~KafkaSink() = default;

Status KafkaSink::open(const KafkaSinkSettings& settings, std::unique_ptr<KafkaSink>& sink) {
  auto impl = std::make_unique<Impl>();
  impl->settings = settings;
  impl->ce_source = "segmentd/" + settings.application_id;
  if (settings.events != nullptr) {
    impl->relay = std::make_unique<EventRelay>("producer", *settings.events);
  }
  Status s = make_producer(settings.properties, impl->tracker, impl->producer, impl->relay.get());
  if (!s.is_ok()) return s;
  for (const auto& [name, value] : settings.properties) {
    if (name == "transactional.id") impl->transactional_id = value;
  }
  if (!impl->transactional_id.empty()) {
    s = impl->init_transactions();
    if (!s.is_ok()) return s;
  }
  sink.reset(new KafkaSink(std::move(impl)));
  return Status::ok();
}

void KafkaSink::set_ack_latency_observer(AckLatencyObserver observer) {
  impl_->tracker.observer = std::move(observer);
}

void KafkaSink::set_cause_read_time(std::chrono::steady_clock::time_point read_time) {
  impl_->cause_read_ns = static_cast<std::intptr_t>(read_time.time_since_epoch().count());
}

void KafkaSink::emit(const Transition& t) {
  Impl& impl = *impl_;
  impl.value.clear();
  append_transition_json(impl.value, t);
  const std::string id = std::string(t.member_id) + ":" + std::to_string(t.seq);
  const std::string time = format_rfc3339(t.effective_ts);
  const std::string type = ce_type(t);
  impl.route(t);
  for (const std::string* topic : impl.destinations) {
    RdKafka::Headers* headers = RdKafka::Headers::create();
    headers->add("ce_specversion", "1.0");
    headers->add("ce_id", id);
    headers->add("ce_source", impl.ce_source);
    headers->add("ce_type", type);
    headers->add("ce_time", time);
    headers->add("content-type", "application/json");
    impl.produce(*topic, t.member_id, impl.value, headers, impl.cause_read_ns);
  }
}

void KafkaSink::emit(const MemberAction& action) {
  Impl& impl = *impl_;
  impl.value.clear();
  append_action_json(impl.value, action);
  std::string id;
  append_action_id(id, action);
  RdKafka::Headers* headers = RdKafka::Headers::create();
  headers->add("ce_specversion", "1.0");
  headers->add("ce_id", id);
  headers->add("ce_source", impl.ce_source);
  headers->add("ce_type", "segmentd.action." + std::string(action_name(action.kind)));
  headers->add("ce_time", format_rfc3339(action.due));
  headers->add("content-type", "application/json");
  impl.produce(impl.settings.actions_topic, action.member_id, impl.value, headers, kNoLatency);
}

void KafkaSink::dead_letter(const KafkaRecord& record, const std::string& source_topic,
                            const Rejection& rejection) {
  RdKafka::Headers* headers = RdKafka::Headers::create();
  headers->add("segmentd-error", std::string(reason_code(rejection.reason)));
  headers->add("segmentd-error-detail", rejection.detail);
  headers->add("segmentd-source-topic", source_topic);
  headers->add("segmentd-source-partition", std::to_string(record.partition));
  headers->add("segmentd-source-offset", std::to_string(record.offset));
  impl_->produce(impl_->settings.dlq_topic, record.key, record.value, headers, kNoLatency);
}

void KafkaSink::changelog_put(std::int32_t partition, std::string_view key,
                              std::optional<std::string_view> value) {
  impl_->produce(impl_->settings.changelog_topic, key, value.value_or(std::string_view()), nullptr,
                 kNoLatency, partition);
}

void KafkaSink::changelog_checkpoint(std::int32_t partition, std::string_view key,
                                     std::string_view value) {
  impl_->produce(impl_->settings.changelog_topic, key, value, nullptr, kChangelogCheckpoint,
                 partition);
}

std::optional<std::int64_t> KafkaSink::changelog_checkpoint_offset(std::int32_t partition) const {
  const auto& offsets = impl_->tracker.changelog_checkpoints;
  if (const auto it = offsets.find(partition); it != offsets.end()) return it->second;
  return std::nullopt;
}

void KafkaSink::poll() { impl_->producer->poll(0); }

Status KafkaSink::flush() {
  while (impl_->producer->outq_len() > 0) {
    impl_->producer->flush(1000);
    std::string reason;
    if (impl_->producer->fatal_error(reason) != RdKafka::ERR_NO_ERROR) {
      return Status::fatal("kafka producer: " + reason);
    }
  }
  return impl_->tracker.first_failure;
}

bool KafkaSink::transactional() const { return !impl_->transactional_id.empty(); }

Status KafkaSink::begin_transaction() {
  Impl& impl = *impl_;
  std::string detail;
  const auto begin = [&] {
    return outcome_of(std::unique_ptr<RdKafka::Error>(impl.producer->begin_transaction()), detail);
  };
  if (const TxnOutcome outcome = begin(); outcome != TxnOutcome::ok) {
    Status s = impl.replace_failed_producer(outcome, "beginning a transaction", detail);
    if (!s.is_ok()) return s;
    if (begin() != TxnOutcome::ok) return impl.txn_fatal("beginning a transaction", detail);
  }
  impl.in_transaction = true;
  return Status::ok();
}

Status KafkaSink::commit_transaction(const std::vector<GroupOffset>& offsets,
                                     const KafkaSource& group) {
  Impl& impl = *impl_;
  if (!impl.tracker.first_failure.is_ok()) {
    // A record of this transaction was refused when produced (librdkafka knows nothing of
    // it: ERR__STATE while the transaction is in an abortable state, a record too large):
    // committing would commit the offsets without it. Abort; the caller redoes the work.
    const std::string refused = impl.tracker.first_failure.message();
    Status s = abort_transaction();
    if (!s.is_ok()) return s;
    return Status::error(ErrorKind::retry, "kafka transaction aborted: " + refused);
  }
  RdKafka::Producer& producer = *impl.producer;
  const int timeout = kTransactionCallTimeoutMs;
  std::string detail;
  TxnOutcome outcome = TxnOutcome::ok;
  if (!offsets.empty()) {
    const std::unique_ptr<rd_kafka_topic_partition_list_t,
                          decltype(&rd_kafka_topic_partition_list_destroy)>
        list(rd_kafka_topic_partition_list_new(static_cast<int>(offsets.size())),
             &rd_kafka_topic_partition_list_destroy);
    for (const GroupOffset& o : offsets) {
      rd_kafka_topic_partition_t* tp =
          rd_kafka_topic_partition_list_add(list.get(), group.topic_name().c_str(), o.partition);
      tp->offset = o.offset;
      if (!o.metadata.empty()) {
        tp->metadata = rd_kafka_mem_malloc(producer.c_ptr(), o.metadata.size());
        std::copy(o.metadata.begin(), o.metadata.end(), static_cast<char*>(tp->metadata));
        tp->metadata_size = o.metadata.size();
      }
    }
    rd_kafka_consumer_group_metadata_t* metadata =
        rd_kafka_consumer_group_metadata(static_cast<rd_kafka_t*>(group.client_handle()));
    outcome = run_txn_call(
        producer, impl.settings.stop,
        [&] {
          return rd_kafka_send_offsets_to_transaction(producer.c_ptr(), list.get(), metadata,
                                                      timeout);
        },
        detail);
    rd_kafka_consumer_group_metadata_destroy(metadata);
  }
  if (outcome == TxnOutcome::ok) {
    outcome = run_txn_call(
        producer, impl.settings.stop,
        [&] { return std::unique_ptr<RdKafka::Error>(producer.commit_transaction(timeout)); },
        detail);
  }
  if (outcome == TxnOutcome::ok) {
    impl.in_transaction = false;
    return impl.tracker.first_failure;
  }
  if (outcome == TxnOutcome::fatal || outcome == TxnOutcome::out_of_step) {
    Status s = impl.replace_failed_producer(outcome, "committing a transaction", detail);
    if (!s.is_ok()) return s;
    return Status::error(ErrorKind::retry, "kafka transaction aborted: " + detail +
                                               " (the failed producer was replaced)");
  }
  if (!impl.tracker.first_failure.is_ok())
    detail += " (" + impl.tracker.first_failure.message() + ")";
  Status s = abort_transaction();
  if (!s.is_ok()) return s;
  return Status::error(ErrorKind::retry, "kafka transaction aborted: " + detail);
}

Status KafkaSink::abort_transaction() {
  Impl& impl = *impl_;
  if (!impl.in_transaction) return Status::ok();
  RdKafka::Producer& producer = *impl.producer;
  const int timeout = kTransactionCallTimeoutMs;
  std::string detail;
  if (const TxnOutcome outcome = run_txn_call(
          producer, impl.settings.stop,
          [&] { return std::unique_ptr<RdKafka::Error>(producer.abort_transaction(timeout)); },
          detail);
      outcome != TxnOutcome::ok) {
    return impl.replace_failed_producer(outcome, "aborting a transaction", detail);
  }
  impl.in_transaction = false;
  impl.tracker.first_failure = Status::ok();  // the failed records were aborted with it
  return Status::ok();
}

std::uint64_t KafkaSink::records_produced() const { return impl_->produced; }

std::uint64_t KafkaSink::records_delivered() const { return impl_->tracker.delivered_prefix; }

Status KafkaSink::delivery_status() const {
  std::string reason;
  if (impl_->producer->fatal_error(reason) != RdKafka::ERR_NO_ERROR) {
    return Status::fatal("kafka producer: " + reason);
  }
  return impl_->tracker.first_failure;
}

void KafkaSink::await_deliveries(std::chrono::milliseconds timeout) {
  impl_->producer->poll(static_cast<int>(timeout.count()));
}

std::uint64_t KafkaSink::records_acknowledged() const { return impl_->tracker.acknowledged; }

std::size_t KafkaSink::pending() const {
  return static_cast<std::size_t>(std::max(0, impl_->producer->outq_len()));
}

}  // namespace segmentd
