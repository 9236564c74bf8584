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

}  // namespace segmentd
