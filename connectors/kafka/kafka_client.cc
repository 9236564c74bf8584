#include "connectors/kafka/kafka_client.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdint>

namespace segmentd {

namespace {

// librdkafka appends a guess about the security protocol to some disconnections, also
// when a plain broker just went away; the guess misleads more than it helps.
std::string without_protocol_hint(std::string message) {
  for (std::string_view hint : {": might be caused by", " (this may be caused"}) {
    if (const auto at = message.find(hint); at != std::string::npos) message.resize(at);
  }
  return message;
}

// Statistics wait in the client's queue until it is polled: after the application was
// busy, a burst of old ones arrives. Those older than this say nothing about now.
constexpr auto kStaleStats = std::chrono::milliseconds(1500);

// Whether the statistics were emitted more than kStaleStats ago, by their top-level
// "ts": librdkafka's clock, microseconds of CLOCK_MONOTONIC (steady_clock on Linux).
bool stale(const std::string& stats) {
  const std::string_view key = R"("ts":)";
  const auto at = stats.find(key);
  if (at == std::string::npos) return false;
  std::int64_t emitted_us = 0;
  const char* begin = stats.data() + at + key.size();
  const auto [end, ec] = std::from_chars(begin, stats.data() + stats.size(), emitted_us);
  if (ec != std::errc() || end == begin) return false;
  const auto now_us = std::chrono::duration_cast<std::chrono::microseconds>(
                          std::chrono::steady_clock::now().time_since_epoch())
                          .count();
  return std::chrono::microseconds(now_us - emitted_us) > kStaleStats;
}

KafkaLogLevel level_of(RdKafka::Event::Severity severity) {
  if (severity <= RdKafka::Event::EVENT_SEVERITY_ERROR) return KafkaLogLevel::error;
  if (severity == RdKafka::Event::EVENT_SEVERITY_WARNING) return KafkaLogLevel::warning;
  return KafkaLogLevel::info;
}

}  // namespace

Status make_kafka_conf(const KafkaProperties& properties, std::unique_ptr<RdKafka::Conf>& conf) {
  conf.reset(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  std::string error;
  for (const auto& [name, value] : properties) {
    if (conf->set(name, value, error) != RdKafka::Conf::CONF_OK) {
      return Status::fatal("kafka." + name + ": " + error);
    }
  }
  return Status::ok();
}

void EventRelay::event_cb(RdKafka::Event& event) {
  switch (event.type()) {
    case RdKafka::Event::EVENT_LOG:
      if (event.fac() == "FAIL") {  // a connection failed: reported as unreachability
        std::lock_guard lock(failure_mutex_);
        last_connect_failure_ = without_protocol_hint(event.str());
        return;
      }
      events_.log(client_, level_of(event.severity()), event.fac(), event.str());
      return;
    case RdKafka::Event::EVENT_ERROR:
      if (event.fatal()) {
        events_.client_error(client_, true, event.str());
      } else if (event.err() == RdKafka::ERR__ALL_BROKERS_DOWN) {
        const std::string detail = last_connect_failure();
        set_reachable(false, detail.empty() ? event.str() : detail);
      } else if (event.err() != RdKafka::ERR__TRANSPORT && event.err() != RdKafka::ERR__RESOLVE) {
        events_.client_error(client_, false, without_protocol_hint(event.str()));
      }
      return;
    case RdKafka::Event::EVENT_STATS:
      if (stale(event.str())) return;
      if (event.str().find(R"("state":"UP")") != std::string::npos) {
        set_reachable(true, "");
      } else if (down_from_stats_) {
        const std::string detail = last_connect_failure();
        set_reachable(false, detail.empty() ? "no broker connection up" : detail);
      }
      return;
    default:
      return;
  }
}

void LogRelay::event_cb(RdKafka::Event& event) {
  switch (event.type()) {
    case RdKafka::Event::EVENT_LOG:
      events_.log(client_, event.fac() == "FAIL" ? KafkaLogLevel::info : level_of(event.severity()),
                  event.fac(), without_protocol_hint(event.str()));
      return;
    case RdKafka::Event::EVENT_ERROR:
      events_.log(client_, event.fatal() ? KafkaLogLevel::error : KafkaLogLevel::warning, "ERROR",
                  without_protocol_hint(event.str()));
      return;
    default:
      return;
  }
}

Status LogRelay::attach(RdKafka::Conf& conf) {
  std::string error;
  if (conf.set("event_cb", static_cast<RdKafka::EventCb*>(this), error) != RdKafka::Conf::CONF_OK) {
    return Status::fatal("kafka: " + error);
  }
  return Status::ok();
}

std::string EventRelay::last_connect_failure() {
  std::lock_guard lock(failure_mutex_);
  return last_connect_failure_;
}

void EventRelay::set_reachable(bool reachable, const std::string& detail) {
  if (reachable_ == reachable) return;
  reachable_ = reachable;
  events_.brokers_reachable(client_, reachable, detail);
}

Status attach_events(RdKafka::Conf& conf, const KafkaProperties& properties, EventRelay& relay) {
  std::string error;
  if (conf.set("event_cb", &relay, error) != RdKafka::Conf::CONF_OK) {
    return Status::fatal("kafka: " + error);
  }
  const bool configured = std::any_of(properties.begin(), properties.end(), [](const auto& p) {
    return p.first == "statistics.interval.ms" && p.second != "0";
  });
  if (!configured && conf.set("statistics.interval.ms", "1000", error) != RdKafka::Conf::CONF_OK) {
    return Status::fatal("kafka: " + error);
  }
  return Status::ok();
}

Status make_producer(const KafkaProperties& properties, RdKafka::DeliveryReportCb& reports,
                     std::unique_ptr<RdKafka::Producer>& producer, EventRelay* relay) {
  std::unique_ptr<RdKafka::Conf> conf;
  Status s = make_kafka_conf(properties, conf);
  if (!s.is_ok()) return s;
  std::string error;
  if (conf->set("dr_cb", &reports, error) != RdKafka::Conf::CONF_OK) {
    return Status::fatal("kafka producer: " + error);
  }
  if (relay != nullptr) {
    s = attach_events(*conf, properties, *relay);
    if (!s.is_ok()) return s;
  }
  producer.reset(RdKafka::Producer::create(conf.get(), error));
  if (!producer) return Status::fatal("kafka producer: " + error);
  return Status::ok();
}

}  // namespace segmentd
