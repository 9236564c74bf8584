// What a Kafka client reports besides records, as plain callbacks without librdkafka
// types: librdkafka's own log lines, client errors, and whether the client reaches any
// broker. Given to KafkaSource and KafkaSink so the application logs them its own way.
//
// Connection failures are not reported one by one: they become brokers_reachable(false)
// when librdkafka finds every broker down, and brokers_reachable(true) once its
// statistics show a broker up again (statistics.interval.ms, default 1 s here).
//
// Thread-safety: log() is called on librdkafka's internal threads; the other callbacks
// on the thread that polls or flushes the client. The implementation must outlive the
// client it is given to.
#pragma once

#include <string_view>

namespace segmentd {

enum class KafkaLogLevel { error, warning, info };

class KafkaClientEvents {
 public:
  virtual ~KafkaClientEvents() = default;
  // One librdkafka log line (not connection failures: see brokers_reachable).
  // `client` is "consumer" or "producer".
  virtual void log(std::string_view client, KafkaLogLevel level, std::string_view facility,
                   std::string_view message) = 0;
  // A change in whether the client reaches a broker; `detail` says why when it does not.
  virtual void brokers_reachable(std::string_view client, bool reachable,
                                 std::string_view detail) = 0;
  // An error of the client other than a connection failure. A fatal one means the
  // client cannot be used any more (a transactional KafkaSink replaces its producer
  // unless it was fenced or refused: kafka_sink.h).
  virtual void client_error(std::string_view client, bool fatal, std::string_view message) = 0;
};

}  // namespace segmentd
