// Text forms of the list-like option values: name lists (families.enabled,
// actions.enabled) and category -> duration maps (actions.replenish_cycles). Both accept
// what a user writes in --set or the environment, TOML-like or plain:
//   names:  ["lifecycle","rfm"]   [ ]   lifecycle, rfm
//   map:    {formula="21d", diapers = "7d"}   formula=21d,diapers=7d
// and, from the TOML file, a TOML array (names) or a table rendered as "key=value" items.
// Parsers return nullopt on malformed text; whether a name is known is the caller's.
// Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace segmentd {

std::optional<std::vector<std::string>> parse_name_list(std::string_view text);

// Items "key=value" (from the text form, or the TOML table's items) -> sorted pairs;
// keys unique.
std::optional<std::vector<std::pair<std::string, std::string>>> parse_text_map(
    std::string_view text);
std::optional<std::vector<std::pair<std::string, std::string>>> parse_map_items(
    const std::vector<std::string>& items);

}  // namespace segmentd
