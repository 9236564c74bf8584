#include "connectors/kafka/kafka_client.h"

namespace segmentd {

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

Status make_producer(const KafkaProperties& properties, RdKafka::DeliveryReportCb& reports,
                     std::unique_ptr<RdKafka::Producer>& producer) {
  std::unique_ptr<RdKafka::Conf> conf;
  Status s = make_kafka_conf(properties, conf);
  if (!s.is_ok()) return s;
  std::string error;
  if (conf->set("dr_cb", &reports, error) != RdKafka::Conf::CONF_OK) {
    return Status::fatal("kafka producer: " + error);
  }
  producer.reset(RdKafka::Producer::create(conf.get(), error));
  if (!producer) return Status::fatal("kafka producer: " + error);
  return Status::ok();
}

}  // namespace segmentd
