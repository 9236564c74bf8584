#include "config/config_sources.h"

#include <toml++/toml.h>

#include <array>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "config/option_registry.h"

namespace segmentd {
namespace {

using Form = RawValue::Form;

std::string shortest_decimal(double value) {
  std::array<char, 32> buffer{};
  const auto result = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
  return std::string(buffer.data(), result.ptr);
}

// A value this module does not convert (date, array of non-strings), as TOML writes it.
RawValue other_value(const toml::node& node) {
  std::ostringstream rendered;
  node.visit([&](const auto& value) { rendered << value; });
  return {Form::other, rendered.str(), {}};
}

RawValue list_value(const toml::array& array) {
  RawValue raw{Form::list, "", {}};
  for (const auto& item : array) {
    const auto* text = item.as_string();
    if (text == nullptr) return other_value(array);
    raw.items.push_back(text->get());
  }
  return raw;
}

// Options whose value is itself a TOML table (actions.replenish_cycles).
bool is_table_valued(std::string_view key) {
  const OptionSpec* spec = find_option(key);
  return spec != nullptr && spec->kind == OptionKind::duration_map;
}

// A table of scalar values as "key=value" items; any other value renders as `other`.
RawValue table_value(const toml::table& table) {
  RawValue raw{Form::list, "", {}};
  for (const auto& [name, node] : table) {
    const auto* text = node.as_string();
    if (text == nullptr) return other_value(table);
    raw.items.push_back(std::string(name.str()) + "=\"" + text->get() + "\"");
  }
  return raw;
}

RawValue raw_value(const toml::node& node) {
  if (const auto* table = node.as_table()) return table_value(*table);
  if (const auto* text = node.as_string()) return {Form::text, text->get(), {}};
  if (const auto* integer = node.as_integer()) {
    return {Form::integer, std::to_string(integer->get()), {}};
  }
  if (const auto* real = node.as_floating_point()) {
    return {Form::decimal, shortest_decimal(real->get()), {}};
  }
  if (const auto* flag = node.as_boolean())
    return {Form::boolean, flag->get() ? "true" : "false", {}};
  if (const auto* array = node.as_array()) return list_value(*array);
  return other_value(node);
}

void flatten(const toml::table& table, const std::string& prefix, const std::string& path,
             std::vector<RawSetting>& out) {
  for (const auto& [name, node] : table) {
    const std::string key =
        prefix.empty() ? std::string(name.str()) : prefix + "." + std::string(name.str());
    const auto* nested = node.as_table();
    if (nested != nullptr && !is_table_valued(key)) {
      flatten(*nested, key, path, out);
      continue;
    }
    const std::string where = path + ":" + std::to_string(node.source().begin.line);
    out.push_back({key, raw_value(node), {SettingOrigin::Source::file, where}});
  }
}

// "SEGMENTD_TIME__IDLE_DELAY" -> "time.idle_delay".
std::string key_for_variable(std::string_view name) {
  name.remove_prefix(kEnvironmentPrefix.size());
  std::string key;
  while (!name.empty()) {
    if (name.starts_with("__")) {
      key += '.';
      name.remove_prefix(2);
    } else {
      key += static_cast<char>(std::tolower(static_cast<unsigned char>(name.front())));
      name.remove_prefix(1);
    }
  }
  return key;
}

ConfigResult<std::string> read_file(const std::string& path) {
  std::error_code error;
  if (std::filesystem::is_directory(path, error)) {
    return ConfigResult<std::string>::failure("cannot read config file " + path +
                                              ": it is a directory, not a TOML file");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return ConfigResult<std::string>::failure("cannot read config file " + path + ": " +
                                              std::strerror(errno));
  }
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

ConfigResult<toml::table> parse_toml(const std::string& text, const std::string& path) {
  const std::string context = "cannot parse config file " + path;
  try {
    return toml::parse(text, path);
  } catch (const toml::parse_error& error) {
    const auto& begin = error.source().begin;
    return ConfigResult<toml::table>::failure(context + ": line " + std::to_string(begin.line) +
                                              ", column " + std::to_string(begin.column) + ": " +
                                              std::string(error.description()));
  } catch (const std::exception& error) {
    return ConfigResult<toml::table>::failure(context + ": " + error.what());
  }
}

}  // namespace

ConfigResult<std::vector<RawSetting>> read_toml_settings(const std::string& path) {
  const auto text = read_file(path);
  if (!text.ok()) return ConfigResult<std::vector<RawSetting>>::failure(text.error());
  const auto table = parse_toml(text.value(), path);
  if (!table.ok()) return ConfigResult<std::vector<RawSetting>>::failure(table.error());
  std::vector<RawSetting> settings;
  flatten(table.value(), "", path, settings);
  return settings;
}

std::vector<RawSetting> environment_settings(const std::vector<std::string>& environment) {
  std::vector<RawSetting> settings;
  for (const std::string& entry : environment) {
    const auto equals = entry.find('=');
    if (!entry.starts_with(kEnvironmentPrefix) || equals == std::string::npos) continue;
    const std::string name = entry.substr(0, equals);
    // Every option key has a section, so every option variable contains "__". Other
    // SEGMENTD_* names are not ours (Kubernetes, for one, injects SEGMENTD_PORT and
    // SEGMENTD_SERVICE_HOST for a Service named segmentd): leave them alone.
    if (name.find("__") == std::string::npos) continue;
    RawValue value{Form::text, entry.substr(equals + 1), {}};
    settings.push_back(
        {key_for_variable(name), std::move(value), {SettingOrigin::Source::environment, name}});
  }
  return settings;
}

std::string environment_variable_for(std::string_view key) {
  std::string name(kEnvironmentPrefix);
  for (const char c : key) {
    if (c == '.') {
      name += "__";
    } else {
      name += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
  }
  return name;
}

ConfigResult<std::vector<RawSetting>> command_line_settings(const std::vector<std::string>& sets) {
  std::vector<RawSetting> settings;
  for (const std::string& set : sets) {
    const auto equals = set.find('=');
    if (equals == std::string::npos || equals == 0) {
      return ConfigResult<std::vector<RawSetting>>::failure("--set \"" + set +
                                                            "\": expected key=value");
    }
    RawValue value{Form::text, set.substr(equals + 1), {}};
    settings.push_back(
        {set.substr(0, equals), std::move(value), {SettingOrigin::Source::command_line, "--set"}});
  }
  return settings;
}

}  // namespace segmentd
