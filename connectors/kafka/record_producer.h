// A plain Kafka producer of keyed records, for feeding input topics: the demo's
// purchase feeder and the benchmarks. Not the engine's sink (kafka_sink.h).
//
// Records are copied; produce() waits while the local queue is full; flush() waits for
// every acknowledgement and returns the first failure. Not thread-safe: one thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "connectors/kafka/kafka_properties.h"
#include "engine/status.h"

namespace segmentd {

class RecordProducer {
 public:
  static Status open(const KafkaProperties& properties, std::unique_ptr<RecordProducer>& producer);
  ~RecordProducer();
  RecordProducer(const RecordProducer&) = delete;
  RecordProducer& operator=(const RecordProducer&) = delete;

  // An empty key is sent as a null key. `timestamp_ms` 0: the producer's current time.
  Status produce(const std::string& topic, std::string_view key, std::string_view value,
                 std::int64_t timestamp_ms = 0);
  Status flush();

 private:
  struct Impl;
  explicit RecordProducer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace segmentd
