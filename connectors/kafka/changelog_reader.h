// Reads a partition of the state changelog topic (changelog_topic.h) for a restore or a
// standby replica: a consumer of its own with partitions assigned by hand (never joins a
// group, never commits), read_committed, large fetches.
//
// read() serves the records of [from, to) in offset order (compaction leaves gaps) and
// returns at `to`, at the partition's end or, with `stop`, once *stop is true (checked
// between records), whichever comes first; no record for the reader's timeout (while
// records remain) is an error naming topic and partition.
// Not thread-safe: one thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "connectors/kafka/kafka_events.h"
#include "connectors/kafka/kafka_properties.h"
#include "engine/status.h"

namespace segmentd {

struct ChangelogEntry {
  std::int64_t offset = 0;
  std::string_view key;
  std::optional<std::string_view> value;  // nullopt: a tombstone
};

class ChangelogReader {
 public:
  // `properties`: consumer properties (kafka_properties.h); group settings are dropped.
  // `timeout` (state.restore_timeout): how long watermarks() retries and read() waits
  // for a record. `events`, when given, receives the client's log lines (client
  // "changelog") and must outlive the reader.
  static Status open(const KafkaProperties& properties, const std::string& topic,
                     std::chrono::milliseconds timeout, std::unique_ptr<ChangelogReader>& reader,
                     KafkaClientEvents* events = nullptr);
  ~ChangelogReader();
  ChangelogReader(const ChangelogReader&) = delete;
  ChangelogReader& operator=(const ChangelogReader&) = delete;

  const std::string& topic() const;
  // The partition's first and next offsets, asked of the broker; retried for the timeout
  // (a broker restarting), then a retry error naming topic and partition.
  Status watermarks(std::int32_t partition, std::int64_t& low, std::int64_t& high);
  Status read(std::int32_t partition, std::int64_t from, std::int64_t to,
              const std::function<Status(const ChangelogEntry&)>& visit,
              const std::atomic<bool>* stop = nullptr);

 private:
  struct Impl;
  explicit ChangelogReader(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace segmentd
