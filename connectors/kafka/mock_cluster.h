// librdkafka's built-in mock Kafka cluster, in process, for `segmentd demo` (and for
// fault injection in tests). It speaks the Kafka protocol on loopback, so the same
// source and sink code runs against it as in production.
//
// Limits (librdkafka's): each partition is trimmed at about 5 MiB; transactions are
// accepted but their aborted records stay visible to read_committed consumers; no
// compaction. It never stands in for a real broker in integration tests.
// Thread-safety: create and destroy on one thread; the cluster serves on its own.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "engine/status.h"

namespace segmentd {

class MockKafkaCluster {
 public:
  static Status start(int brokers, std::unique_ptr<MockKafkaCluster>& cluster);
  ~MockKafkaCluster();
  MockKafkaCluster(const MockKafkaCluster&) = delete;
  MockKafkaCluster& operator=(const MockKafkaCluster&) = delete;

  // "host:port,..." for bootstrap.servers.
  std::string bootstrap_servers() const;
  Status create_topic(const std::string& name, int partitions);
  // Fault injection: the next `count` produce requests fail with a non-retriable error
  // (topic authorization failed), as a broker that refuses writes would.
  void fail_produce_requests(std::size_t count);
  // Fault injection: the next `count` requests to end a transaction (commit or abort)
  // fail: with INVALID_TXN_STATE, which librdkafka makes a fatal error of the producer
  // (as after a long broker outage), or, `fenced`, with PRODUCER_FENCED.
  void fail_transaction_ends(std::size_t count, bool fenced);
  // Fault injection: every broker closes its connections and refuses new ones (down),
  // or serves again (up).
  void set_brokers_up(bool up);

 private:
  struct Impl;
  explicit MockKafkaCluster(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace segmentd
