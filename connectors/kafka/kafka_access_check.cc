#include "connectors/kafka/kafka_access_check.h"

#include <algorithm>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "connectors/kafka/kafka_client.h"

namespace segmentd {

namespace {

using SteadyClock = std::chrono::steady_clock;

// Per metadata request, so that refusals reported meanwhile are seen promptly.
constexpr std::chrono::milliseconds kRequestSlice{250};

// The first error the cluster will keep answering the same way: a refused login or a
// failed TLS handshake. Error events are served on the polling thread; log events
// (delivered on librdkafka's threads) are dropped, so the check's client stays silent.
class RefusalEvents final : public RdKafka::EventCb {
 public:
  void event_cb(RdKafka::Event& event) override {
    if (event.type() != RdKafka::Event::EVENT_ERROR) return;
    if (event.err() != RdKafka::ERR__AUTHENTICATION && event.err() != RdKafka::ERR__SSL) return;
    const std::lock_guard lock(mutex_);
    if (!refusal_) refusal_ = describe(event.err(), event.str());
  }

  std::optional<std::string> refusal() const {
    const std::lock_guard lock(mutex_);
    return refusal_;
  }

 private:
  static std::string describe(RdKafka::ErrorCode code, const std::string& reason) {
    if (code == RdKafka::ERR__AUTHENTICATION) {
      return "Kafka refused the credentials: " + reason +
             "; check kafka.sasl.mechanism, kafka.sasl.username and the password "
             "(kafka.sasl.password in the config file or SEGMENTD_KAFKA__SASL__PASSWORD)";
    }
    return "TLS handshake with the Kafka broker failed: " + reason +
           "; check kafka.ssl.ca.location (the CA that signed the broker's certificate) "
           "and the other kafka.ssl.* settings";
  }

  mutable std::mutex mutex_;
  std::optional<std::string> refusal_;
};

}  // namespace

Status check_kafka_access(const KafkaProperties& properties, std::chrono::milliseconds timeout) {
  std::unique_ptr<RdKafka::Conf> conf;
  Status s = make_kafka_conf(properties, conf);
  if (!s.is_ok()) return s;
  RefusalEvents events;
  std::string error;
  if (conf->set("event_cb", &events, error) != RdKafka::Conf::CONF_OK) {
    return Status::fatal("kafka access check: " + error);
  }
  const std::unique_ptr<RdKafka::Producer> client(RdKafka::Producer::create(conf.get(), error));
  if (!client) return Status::fatal("kafka client: " + error);

  const auto deadline = SteadyClock::now() + timeout;
  for (;;) {
    client->poll(0);  // serves the error events
    if (auto refusal = events.refusal()) return Status::fatal(*refusal);
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now());
    if (left.count() <= 0) return Status::ok();
    RdKafka::Metadata* raw = nullptr;
    const RdKafka::ErrorCode code = client->metadata(
        false, nullptr, &raw, static_cast<int>(std::min(left, kRequestSlice).count()));
    const std::unique_ptr<RdKafka::Metadata> metadata(raw);
    if (code == RdKafka::ERR_NO_ERROR) return Status::ok();
  }
}

}  // namespace segmentd
