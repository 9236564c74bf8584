#include "config/config_report.h"

#include "config/option_kinds.h"
#include "config/option_registry.h"

namespace segmentd {
namespace {

constexpr std::string_view kMasked = "***";

std::string code(std::string_view text) {
  return text.empty() ? "(none)" : "`" + std::string(text) + "`";
}

std::string table_row(const std::string& key, const std::string& default_text,
                      const std::string& allowed, std::string_view meaning) {
  return "| " + key + " | " + default_text + " | " + allowed + " | " + std::string(meaning) +
         " |\n";
}

}  // namespace

std::vector<std::string> describe_effective_config(const SegmentdConfig& config) {
  std::vector<std::string> lines;
  for (const OptionSpec& spec : option_registry()) {
    const std::string value = format_option_value(spec, spec.binding.load(config));
    lines.push_back(std::string(spec.key) + "=" +
                    (is_secret_key(spec.key) ? std::string(kMasked) : value));
  }
  for (const auto& [property, value] : config.kafka_properties) {
    const std::string key = std::string(kKafkaPrefix) + property;
    lines.push_back(key + "=" + (is_secret_key(key) ? std::string(kMasked) : value));
  }
  return lines;
}

std::string config_reference_markdown() {
  std::string table = table_row("key", "default", "allowed", "meaning");
  table += "|---|---|---|---|\n";
  for (const OptionSpec& spec : option_registry()) {
    table += table_row(code(spec.key), code(spec.default_text), describe_allowed(spec), spec.doc);
  }
  table += table_row(code(std::string(kKafkaPrefix) + "<property>"), "(none)",
                     "any librdkafka property; strings, integers, floats and booleans, "
                     "passed as text",
                     "Passed unchanged to librdkafka, e.g. kafka.bootstrap.servers");
  return table;
}

}  // namespace segmentd
