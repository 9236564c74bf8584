// Test support for the state changelog on librdkafka's mock cluster: the records one
// commit of MemberCache sends (ChangelogRecordingSink), a one-partition changelog topic on a mock
// cluster to produce them to and read them back (ChangelogCluster), and small helpers.
// For tests only; not thread-safe.
#pragma once

#include <catch2/catch.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "app/partition_position.h"
#include "connectors/kafka/changelog_reader.h"
#include "connectors/kafka/mock_cluster.h"
#include "connectors/kafka/record_producer.h"
#include "state/changelog_record.h"
#include "state/member_cache.h"
#include "tests/support/temp_dir.h"

namespace segmentd::testing {

inline constexpr const char* kTopic = "app-state-changelog";
inline constexpr StreamId kStream{0};

struct Record {
  std::string key;
  std::optional<std::string> value;
};

class ChangelogRecordingSink final : public ChangelogSink {
 public:
  void changelog_put(std::int32_t partition, std::string_view key,
                     std::optional<std::string_view> value) override {
    CHECK(partition == 0);
    records.push_back(
        {std::string(key), value ? std::optional<std::string>(*value) : std::nullopt});
  }
  void changelog_checkpoint(std::int32_t partition, std::string_view key,
                            std::string_view value) override {
    changelog_put(partition, key, value);
  }
  std::optional<std::int64_t> changelog_checkpoint_offset(std::int32_t) const override {
    return std::nullopt;
  }
  std::vector<Record> records;
};

inline MemberState member(std::uint32_t purchases, bool with_timer) {
  MemberState m;
  m.known = true;
  m.figures.purchases = purchases;
  m.figures.first_purchase = EpochMs{1'700'000'000'000};
  m.figures.last_purchase = EpochMs{1'700'000'000'000 + std::int64_t(purchases)};
  m.seq = purchases;
  if (with_timer) m.timer = EpochMs{1'800'000'000'000};
  return m;
}

inline StreamCheckpoint checkpoint_at(std::int64_t next_offset) {
  PartitionPosition position;
  position.next_offset = next_offset;
  position.records_read = static_cast<std::uint64_t>(next_offset);
  return StreamCheckpoint{ProcessorCheckpoint{}, encode_partition_position(position)};
}

// The records one commit of members `ids` sends to the changelog.
inline std::vector<Record> commit_records(const std::vector<std::string>& ids) {
  TempDir dir;
  std::unique_ptr<StateStore> store;
  REQUIRE(StateStore::open(StoreOptions{dir.path.string()}, store).is_ok());
  ChangelogRecordingSink sink;
  MemberCache cache(*store, kStream, 1 << 20, &sink);
  std::uint32_t n = 0;
  for (const std::string& id : ids) {
    ++n;
    cache.load(id) = member(n, n % 2 == 1);
    cache.mark_changed();
  }
  REQUIRE(cache.commit(checkpoint_at(42)).is_ok());
  return sink.records;
}

struct Cluster {
  std::unique_ptr<MockKafkaCluster> cluster;
  Cluster() {
    REQUIRE(MockKafkaCluster::start(1, cluster).is_ok());
    REQUIRE(cluster->create_topic(kTopic, 1).is_ok());
  }
  void produce(const std::vector<Record>& records) {
    std::unique_ptr<RecordProducer> producer;
    REQUIRE(
        RecordProducer::open(producer_properties({{"bootstrap.servers", bootstrap()}}), producer)
            .is_ok());
    for (const Record& r : records) {
      REQUIRE(r.value.has_value());
      REQUIRE(producer->produce(kTopic, r.key, *r.value).is_ok());
    }
    REQUIRE(producer->flush().is_ok());
  }
  // `timeout`: state.restore_timeout's default.
  std::unique_ptr<ChangelogReader> reader(
      std::chrono::milliseconds timeout = std::chrono::seconds(60)) {
    std::unique_ptr<ChangelogReader> r;
    REQUIRE(ChangelogReader::open(consumer_properties({{"bootstrap.servers", bootstrap()}}, "app"),
                                  kTopic, timeout, r)
                .is_ok());
    return r;
  }
  std::string bootstrap() const { return cluster->bootstrap_servers(); }
};

inline std::size_t member_count(StateStore& store) {
  std::size_t n = 0;
  REQUIRE(store.scan_member_ids(kStream, [&](std::string_view) { ++n; }).is_ok());
  return n;
}

}  // namespace segmentd::testing
