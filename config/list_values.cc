#include "config/list_values.h"

#include <algorithm>

namespace segmentd {
namespace {

std::string_view trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

// `text` without surrounding `open`/`close` (both or neither).
std::optional<std::string_view> unwrap(std::string_view text, char open, char close) {
  text = trim(text);
  const bool opens = !text.empty() && text.front() == open;
  const bool closes = !text.empty() && text.back() == close;
  if (opens != closes || (opens && text.size() < 2)) return std::nullopt;
  return opens ? text.substr(1, text.size() - 2) : text;
}

// A bare word or a "quoted" one (no escapes); nullopt when empty or malformed.
std::optional<std::string> word(std::string_view text) {
  text = trim(text);
  if (text.size() >= 2 && text.front() == '"' && text.back() == '"') {
    text = text.substr(1, text.size() - 2);
    if (text.find('"') != std::string_view::npos) return std::nullopt;
  } else if (text.find_first_of("\"[]{}=") != std::string_view::npos) {
    return std::nullopt;
  }
  if (text.empty()) return std::nullopt;
  return std::string(text);
}

std::vector<std::string_view> split_commas(std::string_view text) {
  std::vector<std::string_view> parts;
  if (trim(text).empty()) return parts;
  for (;;) {
    const auto comma = text.find(',');
    parts.push_back(text.substr(0, comma));
    if (comma == std::string_view::npos) break;
    text = text.substr(comma + 1);
  }
  return parts;
}

}  // namespace

std::optional<std::vector<std::string>> parse_name_list(std::string_view text) {
  const auto inner = unwrap(text, '[', ']');
  if (!inner) return std::nullopt;
  std::vector<std::string> names;
  for (const std::string_view part : split_commas(*inner)) {
    auto name = word(part);
    if (!name) return std::nullopt;
    names.push_back(std::move(*name));
  }
  return names;
}

std::optional<std::vector<std::pair<std::string, std::string>>> parse_map_items(
    const std::vector<std::string>& items) {
  std::vector<std::pair<std::string, std::string>> map;
  for (const std::string& item : items) {
    const auto equals = item.find('=');
    if (equals == std::string::npos) return std::nullopt;
    auto key = word(std::string_view(item).substr(0, equals));
    auto value = word(std::string_view(item).substr(equals + 1));
    if (!key || !value) return std::nullopt;
    map.emplace_back(std::move(*key), std::move(*value));
  }
  std::sort(map.begin(), map.end());
  const auto same_key = [](const auto& a, const auto& b) { return a.first == b.first; };
  if (std::adjacent_find(map.begin(), map.end(), same_key) != map.end()) return std::nullopt;
  return map;
}

std::optional<std::vector<std::pair<std::string, std::string>>> parse_text_map(
    std::string_view text) {
  const auto inner = unwrap(text, '{', '}');
  if (!inner) return std::nullopt;
  std::vector<std::string> items;
  for (const std::string_view part : split_commas(*inner)) items.emplace_back(part);
  return parse_map_items(items);
}

}  // namespace segmentd
