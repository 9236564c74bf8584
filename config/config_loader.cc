#include "config/config_loader.h"

#include <algorithm>
#include <map>
#include <optional>

#include "config/config_sources.h"
#include "config/option_kinds.h"
#include "config/option_registry.h"

namespace segmentd {
namespace {

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0]++;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t substitution = diagonal + (a[i - 1] == b[j - 1] ? 0 : 1);
      diagonal = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, substitution});
    }
  }
  return row[b.size()];
}

// "; did you mean time.idle_delay?" for a near miss, else a pointer to the reference.
std::string suggestion(const std::string& key, bool as_variable) {
  const auto options = option_registry();
  const auto nearest = std::ranges::min_element(
      options, {}, [&](const OptionSpec& spec) { return edit_distance(key, spec.key); });
  if (edit_distance(key, nearest->key) > 3) {
    return "; every option is listed in docs/CONFIGURATION.md";
  }
  const std::string name =
      as_variable ? environment_variable_for(nearest->key) : std::string(nearest->key);
  return "; did you mean " + name + "?";
}

std::string shown_value(const RawSetting& setting) {
  return is_secret_key(setting.key) ? "***" : display_raw_value(setting.value);
}

std::string unknown_key_error(const RawSetting& setting) {
  if (setting.origin.source == SettingOrigin::Source::environment) {
    return "unknown environment variable " + setting.origin.where + " (it would set \"" +
           setting.key + "\", which is not an option)" + suggestion(setting.key, true);
  }
  return "unknown key " + setting.key + " = " + shown_value(setting) + " (from " +
         setting.origin.where + ")" + suggestion(setting.key, false);
}

std::string value_error(const RawSetting& setting, const std::string& reason) {
  return setting.key + " = " + shown_value(setting) + " (from " + setting.origin.where +
         "): " + reason;
}

std::string secret_on_command_line_error(const RawSetting& setting) {
  return setting.key +
         " (from --set): credentials must come from the config file or "
         "environment variables, never the command line, where ps shows them";
}

// The configuration being built, and the problems found so far.
struct Loading {
  SegmentdConfig config;
  std::map<std::string, std::string> kafka;  // property (without "kafka.") -> value
  std::vector<std::string> errors;
};

using Problem = std::optional<std::string>;

Problem apply_kafka(const RawSetting& setting, Loading& loading) {
  auto value = parse_kafka_value(setting.value);
  if (!value.ok()) return value_error(setting, value.error());
  loading.kafka[setting.key.substr(kKafkaPrefix.size())] = std::move(value).value();
  return std::nullopt;
}

// Stores `setting` in the configuration, or says why it cannot.
Problem apply(const RawSetting& setting, Loading& loading) {
  if (setting.origin.source == SettingOrigin::Source::command_line && is_secret_key(setting.key)) {
    return secret_on_command_line_error(setting);
  }
  if (is_kafka_property(setting.key)) return apply_kafka(setting, loading);
  const OptionSpec* spec = find_option(setting.key);
  if (spec == nullptr) return unknown_key_error(setting);
  const auto value = parse_option_value(*spec, setting.value);
  if (!value.ok()) return value_error(setting, value.error());
  spec->binding.store(loading.config, value.value());
  mark_explicitly_set(*spec, loading.config);
  return std::nullopt;
}

void apply_defaults(Loading& loading) {
  for (const OptionSpec& spec : option_registry()) {
    const RawValue raw{RawValue::Form::text, std::string(spec.default_text), {}};
    const auto value = parse_option_value(spec, raw);
    if (!value.ok()) {
      loading.errors.push_back("default of " + std::string(spec.key) + ": " + value.error());
      continue;
    }
    spec.binding.store(loading.config, value.value());
  }
}

void apply_all(const ConfigResult<std::vector<RawSetting>>& settings, Loading& loading) {
  if (!settings.ok()) {
    loading.errors.push_back(settings.error());
    return;
  }
  for (const RawSetting& setting : settings.value()) {
    if (auto problem = apply(setting, loading)) loading.errors.push_back(std::move(*problem));
  }
}

std::string join_lines(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& line : lines) out += (out.empty() ? "" : "\n") + line;
  return out;
}

}  // namespace

ConfigResult<SegmentdConfig> load_config(const LoadRequest& request) {
  Loading loading;
  apply_defaults(loading);
  if (request.config_file) apply_all(read_toml_settings(*request.config_file), loading);
  apply_all(environment_settings(request.environment), loading);
  apply_all(command_line_settings(request.overrides), loading);
  if (loading.errors.empty()) loading.errors = option_relation_problems(loading.config);
  if (!loading.errors.empty()) {
    return ConfigResult<SegmentdConfig>::failure(join_lines(loading.errors));
  }
  loading.config.kafka_properties.assign(loading.kafka.begin(), loading.kafka.end());
  return std::move(loading.config);
}

std::vector<std::string> environment_entries(const char* const* environment) {
  std::vector<std::string> entries;
  for (; environment != nullptr && *environment != nullptr; ++environment) {
    entries.emplace_back(*environment);
  }
  return entries;
}

}  // namespace segmentd
