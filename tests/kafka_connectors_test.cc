// The Kafka source and sink against librdkafka's mock cluster: transition records with
// CloudEvents headers and routes, dead letters with original bytes and headers, a
// refused delivery surfacing in flush(), the client property layering (exactly once
// included), broker outages reported once each way through KafkaClientEvents, and a
// failed transactional producer replaced (a fenced one not).
#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <future>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "connectors/kafka/kafka_events.h"
#include "connectors/kafka/kafka_properties.h"
#include "connectors/kafka/kafka_sink.h"
#include "connectors/kafka/kafka_source.h"
#include "connectors/kafka/mock_cluster.h"

namespace segmentd {
namespace {

class FromTheStart final : public PartitionListener {
 public:
  std::vector<std::optional<std::int64_t>> on_assigned(
      const std::vector<std::int32_t>& partitions) override {
    return std::vector<std::optional<std::int64_t>>(partitions.size());
  }
  void on_revoked(const std::vector<std::int32_t>&) override {}
};

struct ReadRecord {
  std::string key, value;
};

// Reads `topic` from the start until `count` records arrived (or 20 s passed).
std::vector<ReadRecord> read_topic(const std::string& bootstrap, const std::string& topic,
                                   std::size_t count) {
  FromTheStart listener;
  std::unique_ptr<KafkaSource> source;
  REQUIRE(
      KafkaSource::open(consumer_properties({{"bootstrap.servers", bootstrap}}, "test-" + topic),
                        topic, listener, source)
          .is_ok());
  std::vector<ReadRecord> records;
  KafkaRecord record;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (records.size() < count && std::chrono::steady_clock::now() < deadline) {
    if (source->poll(std::chrono::milliseconds(100), record) == PollOutcome::record) {
      records.push_back({std::string(record.key), std::string(record.value)});
    }
  }
  source->close();
  return records;
}

Transition sample_transition(std::string_view to) {
  Transition t;
  t.member_id = "m-1";
  t.family = "lifecycle";
  t.from = "active";
  t.to = to;
  t.effective_ts = EpochMs{1730419200000};
  t.cause = TransitionCause::timer;
  t.seq = 7;
  t.snapshot = {5, EpochMs{1700000000000}, EpochMs{1722643200000}, Money{1234500}};
  return t;
}

struct MockSetup {
  std::unique_ptr<MockKafkaCluster> cluster;
  std::unique_ptr<KafkaSink> sink;
  MockSetup(std::vector<OutputRoute> routes = {}) {
    REQUIRE(MockKafkaCluster::start(1, cluster).is_ok());
    for (const char* topic : {"out", "at-risk", "dlq", "actions"}) {
      REQUIRE(cluster->create_topic(topic, 1).is_ok());
    }
    KafkaSinkSettings settings{producer_properties({{"bootstrap.servers", bootstrap()}}),
                               "app",
                               "out",
                               "dlq",
                               std::move(routes),
                               "actions",
                               "changelog"};
    REQUIRE(KafkaSink::open(settings, sink).is_ok());
  }
  std::string bootstrap() const { return cluster->bootstrap_servers(); }
};

}  // namespace

TEST_CASE("kafka: consumer and producer properties layer defaults, user values, fixed ones") {
  const KafkaProperties user = {{"bootstrap.servers", "b:9092"},
                                {"enable.auto.commit", "true"},
                                {"linger.ms", "50"},
                                {"acks", "1"},
                                {"auto.offset.reset", "latest"},
                                {"fetch.wait.max.ms", "20"}};
  const auto consumer = consumer_properties(user, "group-a");
  const std::map<std::string, std::string> c(consumer.begin(), consumer.end());
  CHECK(c.at("group.id") == "group-a");
  CHECK(c.at("auto.offset.reset") == "latest");
  CHECK(c.at("fetch.wait.max.ms") == "20");
  CHECK(c.at("fetch.min.bytes") == "1048576");
  CHECK(c.at("enable.auto.commit") == "false");
  CHECK(c.at("enable.partition.eof") == "true");
  CHECK(c.count("linger.ms") == 0);
  const auto producer = producer_properties(user);
  const std::map<std::string, std::string> p(producer.begin(), producer.end());
  CHECK(p.at("linger.ms") == "50");
  CHECK(p.at("acks") == "all");
  CHECK(p.at("enable.idempotence") == "true");
  CHECK(p.at("partitioner") == "murmur2_random");
  CHECK(p.count("auto.offset.reset") == 0);
  CHECK(p.count("fetch.wait.max.ms") == 0);
  CHECK(p.count("fetch.min.bytes") == 0);
  CHECK(p.at("bootstrap.servers") == "b:9092");
  CHECK(p.count("transactional.id") == 0);
  CHECK(c.count("isolation.level") == 0);
}

TEST_CASE("kafka: exactly once gives the producer a transactional.id and reads committed") {
  const KafkaProperties user = {{"bootstrap.servers", "b:9092"},
                                {"isolation.level", "read_uncommitted"},
                                {"transaction.timeout.ms", "30000"}};
  const auto consumer = consumer_properties(user, "group-a", "instance-1", true);
  const std::map<std::string, std::string> c(consumer.begin(), consumer.end());
  CHECK(c.at("isolation.level") == "read_committed");
  CHECK(c.count("transactional.id") == 0);
  CHECK(c.count("transaction.timeout.ms") == 0);
  const auto producer = producer_properties(user, "group-a-instance-1");
  const std::map<std::string, std::string> p(producer.begin(), producer.end());
  CHECK(p.at("transactional.id") == "group-a-instance-1");
  CHECK(p.at("transaction.timeout.ms") == "30000");
  CHECK(p.count("isolation.level") == 0);
  const auto configured_id = producer_properties({{"transactional.id", "mine"}}, "default-id");
  const std::map<std::string, std::string> q(configured_id.begin(), configured_id.end());
  CHECK(q.at("transactional.id") == "mine");
  CHECK(q.at("transaction.timeout.ms") == "10000");
}

TEST_CASE("transaction_timeout: the configured transaction.timeout.ms, else 10 s") {
  CHECK(transaction_timeout({}) == std::chrono::milliseconds(10000));
  CHECK(transaction_timeout({{"transaction.timeout.ms", "60000"}}) ==
        std::chrono::milliseconds(60000));
  CHECK_FALSE(transaction_timeout({{"transaction.timeout.ms", "1m"}}).has_value());
}

TEST_CASE("kafka: transitions go to the output topic and their routes, keyed by member") {
  MockSetup setup({{"lifecycle", "at_risk", "at-risk", false}});
  setup.sink->emit(sample_transition("dormant"));
  setup.sink->emit(sample_transition("at_risk"));
  REQUIRE(setup.sink->flush().is_ok());
  CHECK(setup.sink->records_acknowledged() == 3);
  const auto out = read_topic(setup.bootstrap(), "out", 2);
  REQUIRE(out.size() == 2);
  CHECK(out[0].key == "m-1");
  CHECK(out[0].value.find("\"to\":\"dormant\"") != std::string::npos);
  CHECK(out[0].value.find("\"transition_id\":\"m-1:7\"") != std::string::npos);
  const auto routed = read_topic(setup.bootstrap(), "at-risk", 1);
  REQUIRE(routed.size() == 1);
  CHECK(routed[0].value == out[1].value);
}

// Notes, at each assignment, what the source then says of partition 0's end offset.
class EndsAtRebalance final : public PartitionListener {
 public:
  std::vector<std::optional<std::int64_t>> on_assigned(
      const std::vector<std::int32_t>& partitions) override {
    ends.push_back(source->end_offset(0));
    return std::vector<std::optional<std::int64_t>>(partitions.size());
  }
  void on_revoked(const std::vector<std::int32_t>&) override {
    ends_at_revocation.push_back(source->end_offset(0));
  }
  const KafkaSource* source = nullptr;
  std::vector<std::optional<std::int64_t>> ends;  // partition 0's, at each assignment
  std::vector<std::optional<std::int64_t>> ends_at_revocation;
};

// Polls each source in turn until `done()` or 20 s passed; true when done.
template <typename Done>
bool poll_until(const std::vector<KafkaSource*>& sources, Done done) {
  KafkaRecord record;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (!done() && std::chrono::steady_clock::now() < deadline) {
    for (KafkaSource* source : sources) (void)source->poll(std::chrono::milliseconds(50), record);
  }
  return done();
}

// librdkafka keeps a partition's high watermark from its last fetch across revocations;
// an owner that got it back would report another owner's past as its lag.
TEST_CASE(
    "kafka: a reassigned partition's end offset is unknown until a fetch answers again, known at "
    "its revocation") {
  MockSetup setup;
  for (int i = 0; i < 3; ++i) setup.sink->emit(sample_transition("dormant"));
  REQUIRE(setup.sink->flush().is_ok());
  const KafkaProperties properties = consumer_properties({{"bootstrap.servers", setup.bootstrap()},
                                                          {"session.timeout.ms", "6000"},
                                                          {"heartbeat.interval.ms", "200"},
                                                          {"max.poll.interval.ms", "8000"}},
                                                         "reassigned");
  EndsAtRebalance first_listener;
  std::unique_ptr<KafkaSource> first;
  REQUIRE(KafkaSource::open(properties, "out", first_listener, first).is_ok());
  first_listener.source = first.get();
  KafkaRecord record;
  PollOutcome outcome = PollOutcome::idle;
  for (int i = 0; i < 200 && outcome != PollOutcome::partition_end; ++i) {
    outcome = first->poll(std::chrono::milliseconds(100), record);
  }
  REQUIRE(outcome == PollOutcome::partition_end);
  CHECK(first->end_offset(0) == std::optional<std::int64_t>(3));

  // A second member joins: the eager rebalance takes partition 0 from the first and
  // assigns it again, to one of the two.
  FromTheStart second_listener;
  std::unique_ptr<KafkaSource> second;
  REQUIRE(KafkaSource::open(properties, "out", second_listener, second).is_ok());
  REQUIRE(poll_until({first.get(), second.get()}, [&] { return first_listener.ends.size() == 2; }));
  CHECK(first_listener.ends[0] == std::nullopt);
  CHECK(first_listener.ends[1] == std::nullopt);
  // At the revocation the end fetched is still known: the last figures published for the
  // partition (the demo's last screen) keep their lag.
  REQUIRE(first_listener.ends_at_revocation.size() == 1);
  CHECK(first_listener.ends_at_revocation[0] == std::optional<std::int64_t>(3));
  // Its new owner learns the end at its first fetch.
  REQUIRE(poll_until({first.get(), second.get()}, [&] {
    return first->end_offset(0).has_value() || second->end_offset(0).has_value();
  }));
  CHECK(first->end_offset(0).value_or(0) + second->end_offset(0).value_or(0) == 3);
  second->close();
  first->close();
}

TEST_CASE("kafka: member actions go to the actions topic, keyed by member") {
  MockSetup setup({{"rfm", "lost/fan", "at-risk", false}});
  MemberAction action;
  action.member_id = "m-2";
  action.kind = ActionKind::follow_up;
  action.number = 3;
  action.due = EpochMs{1704362400000};
  action.step = 1;
  action.purchases = 2;
  setup.sink->emit(action);
  Transition t = sample_transition("lost/fan");
  t.family = "rfm";
  setup.sink->emit(t);
  REQUIRE(setup.sink->flush().is_ok());
  const auto actions = read_topic(setup.bootstrap(), "actions", 1);
  REQUIRE(actions.size() == 1);
  CHECK(actions[0].key == "m-2");
  CHECK(actions[0].value ==
        "{\"schema\":\"segmentd.action.v1\",\"action_id\":\"m-2:a3\",\"member_id\":\"m-2\","
        "\"action\":\"follow_up\",\"due_ts\":1704362400000,\"due_time\":"
        "\"2024-01-04T10:00:00.000Z\",\"detail\":{\"step\":1,\"purchases\":2}}");
  CHECK(read_topic(setup.bootstrap(), "at-risk", 1).size() == 1);  // a route of another family
}

TEST_CASE("kafka: an `instead` route keeps the transition off the output topic") {
  MockSetup setup({{"lifecycle", "at_risk", "at-risk", true}});
  setup.sink->emit(sample_transition("at_risk"));
  setup.sink->emit(sample_transition("lost"));
  REQUIRE(setup.sink->flush().is_ok());
  const auto out = read_topic(setup.bootstrap(), "out", 1);
  REQUIRE(out.size() == 1);
  CHECK(out[0].value.find("\"to\":\"lost\"") != std::string::npos);
  CHECK(read_topic(setup.bootstrap(), "at-risk", 1).size() == 1);
}

TEST_CASE("kafka: dead letters keep the original key and value bytes") {
  MockSetup setup;
  const std::string raw = "{\"event_id\": \"e1\", \"amount\": NaN}";
  KafkaRecord record{2, 41, -1, "m-9", raw};
  setup.sink->dead_letter(record, "purchases", Rejection{RejectReason::invalid_json, "not JSON"});
  REQUIRE(setup.sink->flush().is_ok());
  const auto dlq = read_topic(setup.bootstrap(), "dlq", 1);
  REQUIRE(dlq.size() == 1);
  CHECK(dlq[0].key == "m-9");
  CHECK(dlq[0].value == raw);
}

TEST_CASE("kafka: a refused delivery is returned by flush, never dropped") {
  MockSetup setup;
  setup.cluster->fail_produce_requests(10);
  setup.sink->emit(sample_transition("dormant"));
  const Status s = setup.sink->flush();
  CHECK_FALSE(s.is_ok());
  CHECK(s.kind() == ErrorKind::fatal);
  CHECK(s.message().find("out") != std::string::npos);
  CHECK(setup.sink->records_acknowledged() == 0);
}

TEST_CASE("kafka: records are numbered in produce order and counted delivered without a flush") {
  MockSetup setup;
  for (int i = 0; i < 5; ++i) setup.sink->emit(sample_transition("dormant"));
  CHECK(setup.sink->records_produced() == 5);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (setup.sink->records_delivered() < 5 && std::chrono::steady_clock::now() < deadline) {
    setup.sink->await_deliveries(std::chrono::milliseconds(100));
  }
  CHECK(setup.sink->records_delivered() == 5);
  CHECK(setup.sink->records_acknowledged() == 5);
  CHECK(setup.sink->delivery_status().is_ok());
}

TEST_CASE("kafka: a refused delivery counts as delivered and is kept by delivery_status") {
  MockSetup setup;
  setup.cluster->fail_produce_requests(10);
  setup.sink->emit(sample_transition("dormant"));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (setup.sink->records_delivered() < 1 && std::chrono::steady_clock::now() < deadline) {
    setup.sink->await_deliveries(std::chrono::milliseconds(100));
  }
  CHECK(setup.sink->records_delivered() == 1);
  const Status s = setup.sink->delivery_status();
  CHECK(s.kind() == ErrorKind::fatal);
  CHECK(s.message().find("out") != std::string::npos);
  CHECK(setup.sink->records_acknowledged() == 0);
}

}  // namespace segmentd

namespace segmentd {
namespace {

// Records what a client reports (log() comes from librdkafka's threads).
class RecordedEvents final : public KafkaClientEvents {
 public:
  void log(std::string_view, KafkaLogLevel, std::string_view facility, std::string_view) override {
    std::lock_guard lock(mutex_);
    facilities_.emplace_back(facility);
  }
  void brokers_reachable(std::string_view, bool reachable, std::string_view) override {
    changes.push_back(reachable);
  }
  void client_error(std::string_view, bool, std::string_view message) override {
    errors.emplace_back(message);
  }
  std::vector<std::string> facilities() {
    std::lock_guard lock(mutex_);
    return facilities_;
  }
  std::vector<bool> changes;  // polling thread
  std::vector<std::string> errors;

 private:
  std::mutex mutex_;
  std::vector<std::string> facilities_;
};

// Polls until `changes` has `count` entries or 20 s passed.
void poll_until_changes(KafkaSource& source, const RecordedEvents& events, std::size_t count) {
  KafkaRecord record;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (events.changes.size() < count && std::chrono::steady_clock::now() < deadline) {
    (void)source.poll(std::chrono::milliseconds(100), record);
  }
}

TEST_CASE("kafka: a broker outage is reported once when it starts and once when it ends") {
  std::unique_ptr<MockKafkaCluster> cluster;
  REQUIRE(MockKafkaCluster::start(1, cluster).is_ok());
  REQUIRE(cluster->create_topic("in", 1).is_ok());
  FromTheStart listener;
  RecordedEvents events;
  std::unique_ptr<KafkaSource> source;
  REQUIRE(
      KafkaSource::open(consumer_properties({{"bootstrap.servers", cluster->bootstrap_servers()},
                                             {"reconnect.backoff.max.ms", "200"}},
                                            "outage"),
                        "in", listener, source, &events)
          .is_ok());
  poll_until_changes(*source, events, 1);
  REQUIRE(events.changes == std::vector<bool>{true});

  cluster->set_brokers_up(false);
  poll_until_changes(*source, events, 2);
  // Many failed connection attempts later, still one report.
  KafkaRecord record;
  for (int i = 0; i < 20; ++i) (void)source->poll(std::chrono::milliseconds(100), record);
  CHECK(events.changes == std::vector<bool>{true, false});

  cluster->set_brokers_up(true);
  poll_until_changes(*source, events, 3);
  CHECK(events.changes == std::vector<bool>{true, false, true});
  source->close();
  for (const std::string& facility : events.facilities()) CHECK(facility != "FAIL");
}

// Begins a transaction, emits one transition into it and commits it.
Status commit_one_transition(KafkaSink& sink, const KafkaSource& group) {
  Status s = sink.begin_transaction();
  if (!s.is_ok()) return s;
  sink.emit(sample_transition("dormant"));
  return sink.commit_transaction({}, group);
}

// Counts what a consumer tells its listener.
class CountingListener final : public PartitionListener {
 public:
  std::vector<std::optional<std::int64_t>> on_assigned(
      const std::vector<std::int32_t>& partitions) override {
    ++assignments;
    return std::vector<std::optional<std::int64_t>>(partitions.size());
  }
  void on_revoked(const std::vector<std::int32_t>&) override { ++revocations; }
  std::atomic<int> assignments{0}, revocations{0};
};

// Closes `source` on a thread of its own; a close() that has not returned after 60 s is
// reported and ends the test program (the thread cannot be stopped).
void close_or_end_the_test(KafkaSource& source) {
  std::promise<void> closed;
  std::future<void> done = closed.get_future();
  std::thread closer([&] {
    source.close();
    closed.set_value();
  });
  if (done.wait_for(std::chrono::seconds(60)) != std::future_status::ready) {
    std::fprintf(stderr, "FAILED: KafkaSource::close() did not return within 60 s\n");
    std::_Exit(1);
  }
  closer.join();
}

TEST_CASE("kafka: closing a consumer whose assignment is still queued returns") {
  std::unique_ptr<MockKafkaCluster> cluster;
  REQUIRE(MockKafkaCluster::start(1, cluster).is_ok());
  REQUIRE(cluster->create_topic("in", 2).is_ok());
  CountingListener listener;
  std::unique_ptr<KafkaSource> group;
  REQUIRE(KafkaSource::open(
              consumer_properties({{"bootstrap.servers", cluster->bootstrap_servers()}}, "app"),
              "in", listener, group)
              .is_ok());
  // Nothing polls: the group is joined in the background and its assignment waits in the
  // consumer's queue until close() serves it. An assign() from inside librdkafka's close
  // can wait forever (librdkafka 2.0.2; confluentinc/librdkafka#4884).
  // The mock cluster's group join takes about 3 s.
  std::this_thread::sleep_for(std::chrono::seconds(6));
  close_or_end_the_test(*group);
  // The late assignment was taken and given back without the listener: nothing was
  // assigned to the service, so nothing is revoked from it.
  CHECK(listener.assignments == 0);
  CHECK(listener.revocations == 0);
}

// A transactional sink ("app-instance-1") and its consumer group's source on a mock cluster,
// the producer given `extra` properties; `events` records what the producer reports.
struct TransactionalSetup {
  RecordedEvents events;
  std::unique_ptr<MockKafkaCluster> cluster;
  std::unique_ptr<KafkaSink> sink;
  FromTheStart listener;
  std::unique_ptr<KafkaSource> group;
  explicit TransactionalSetup(KafkaProperties extra = {}) {
    REQUIRE(MockKafkaCluster::start(1, cluster).is_ok());
    for (const char* topic : {"in", "out", "dlq", "actions", "changelog"}) {
      REQUIRE(cluster->create_topic(topic, 1).is_ok());
    }
    const KafkaProperties brokers = {{"bootstrap.servers", cluster->bootstrap_servers()}};
    extra.insert(extra.begin(), brokers.begin(), brokers.end());
    KafkaSinkSettings settings{producer_properties(extra, "app-instance-1"),
                               "app",
                               "out",
                               "dlq",
                               {},
                               "actions",
                               "changelog"};
    settings.events = &events;
    REQUIRE(KafkaSink::open(settings, sink).is_ok());
    REQUIRE(KafkaSource::open(consumer_properties(brokers, "app", "instance-1", true), "in",
                              listener, group)
                .is_ok());
  }
  // How many times the sink has replaced its producer.
  std::ptrdiff_t replacements() {
    const auto facilities = events.facilities();
    return std::count(facilities.begin(), facilities.end(), "REPLACED");
  }
};

TEST_CASE("kafka: a transaction with a record refused when produced is aborted, not committed") {
  TransactionalSetup setup(KafkaProperties{{"message.max.bytes", "1000"}});
  KafkaSink& sink = *setup.sink;
  KafkaSource& group = *setup.group;

  // A dead letter larger than message.max.bytes is refused by produce() itself: librdkafka
  // would commit the transaction without it, and the offsets with it.
  REQUIRE(sink.begin_transaction().is_ok());
  sink.emit(sample_transition("dormant"));
  const KafkaRecord large{0, 7, -1, "m-1", std::string(2000, 'x')};
  sink.dead_letter(large, "in", Rejection{RejectReason::too_large, "too large"});
  const Status refused = sink.commit_transaction({}, group);
  CHECK(refused.kind() == ErrorKind::retry);
  CHECK(refused.message().find("dlq") != std::string::npos);

  // Aborted (the caller rewinds and redoes the work); the next transaction commits. (The
  // mock cluster shows aborted records to every reader, so what a read_committed reader
  // sees is for the integration tests.)
  REQUIRE(commit_one_transition(sink, group).is_ok());
  close_or_end_the_test(group);
}

TEST_CASE("kafka: a producer that refuses a call in its transactional state is replaced") {
  TransactionalSetup setup;
  KafkaSink& sink = *setup.sink;
  KafkaSource& group = *setup.group;

  // A second begin_transaction() while one is open: librdkafka refuses it with ERR__STATE
  // ("Operation not valid in state InTransaction"), as it refuses the calls of a producer
  // that a resumed call put out of step (TxnOutcome, kafka_sink.cc). Neither is fatal to
  // the producer; a new one replaces it, which aborts the open transaction.
  REQUIRE(sink.begin_transaction().is_ok());
  sink.emit(sample_transition("dormant"));
  const Status again = sink.begin_transaction();
  INFO(again.message());
  REQUIRE(again.is_ok());
  CHECK(setup.replacements() == 1);

  const std::uint64_t acknowledged = sink.records_acknowledged();
  sink.emit(sample_transition("lost"));
  REQUIRE(sink.commit_transaction({}, group).is_ok());
  CHECK(sink.records_acknowledged() == acknowledged + 1);
  close_or_end_the_test(group);
}

TEST_CASE("kafka: a failed transactional producer is replaced, a fenced one is not") {
  TransactionalSetup setup;
  MockKafkaCluster& cluster = *setup.cluster;
  KafkaSink& sink = *setup.sink;
  KafkaSource& group = *setup.group;
  REQUIRE(commit_one_transition(sink, group).is_ok());

  // Ending the transaction fails with INVALID_TXN_STATE, fatal to the producer: the
  // commit answers retry (rewind) and the next transaction commits on a new producer.
  cluster.fail_transaction_ends(1, false);
  const Status failed = commit_one_transition(sink, group);
  CHECK(failed.kind() == ErrorKind::retry);
  CHECK(failed.message().find("replaced") != std::string::npos);
  const std::uint64_t acknowledged = sink.records_acknowledged();
  REQUIRE(commit_one_transition(sink, group).is_ok());
  CHECK(sink.records_acknowledged() == acknowledged + 1);

  // The same during an abort: the open transaction is aborted by the replacement. (The
  // record is delivered first: without a partition in it, an abort sends no request.)
  REQUIRE(sink.begin_transaction().is_ok());
  sink.emit(sample_transition("dormant"));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (sink.pending() > 0 && std::chrono::steady_clock::now() < deadline) {
    sink.await_deliveries(std::chrono::milliseconds(100));
  }
  cluster.fail_transaction_ends(1, false);
  CHECK(sink.abort_transaction().is_ok());
  // Should a call have timed out on the way (ERR__STATE after a resumed call, TxnOutcome
  // in kafka_sink.cc), that transaction is aborted for the caller to redo, never
  // committed, and a later one commits.
  Status after_abort = commit_one_transition(sink, group);
  for (int redo = 0; redo < 3 && after_abort.kind() == ErrorKind::retry; ++redo) {
    after_abort = commit_one_transition(sink, group);
  }
  INFO(after_abort.message());
  REQUIRE(after_abort.is_ok());
  CHECK(setup.replacements() == 2);

  // Fenced: another producer owns the transactional.id; a new one would fence it back.
  cluster.fail_transaction_ends(1, true);
  const Status fenced = commit_one_transition(sink, group);
  CHECK(fenced.kind() == ErrorKind::fatal);
  CHECK(setup.replacements() == 2);
  group.close();
}

}  // namespace
}  // namespace segmentd
