// The segment families and member actions of SPEC 5.5-5.7 as names, label tables and
// configured rules: which families exist (in their fixed emission order), the labels
// each can give (index 0 is always "none"), and the `rfm.*`, `quadrant.*`, `tier.*`,
// `value.*`, `actions.*` settings. Plain values and pure functions; thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/units.h"

namespace segmentd {

// In the fixed emission order of SPEC 5.5.
enum class FamilyId : std::uint8_t { lifecycle, rfm, quadrant, tier, value };
inline constexpr std::size_t kFamilyCount = 5;
// The most labels any family has (rfm: none + 4 x 4).
inline constexpr std::size_t kMaxFamilyLabels = 17;

std::string_view family_name(FamilyId family);
std::optional<FamilyId> family_by_name(std::string_view name);
// The family's labels; a label is stored as its index here.
std::span<const std::string_view> family_labels(FamilyId family);
inline constexpr std::array<FamilyId, kFamilyCount> kAllFamilies = {
    FamilyId::lifecycle, FamilyId::rfm, FamilyId::quadrant, FamilyId::tier, FamilyId::value};

// Member actions (SPEC 5.7), in the UTF-8 order of their names (the firing order of
// actions due at one instant).
enum class ActionKind : std::uint8_t { birthday, follow_up, replenish };
inline constexpr std::size_t kActionKindCount = 3;
std::string_view action_name(ActionKind kind);
std::optional<ActionKind> action_by_name(std::string_view name);

// A set of families as bits (1 << FamilyId).
struct FamilySelection {
  std::uint8_t bits = 1;  // default: lifecycle only
  bool has(FamilyId f) const { return (bits >> static_cast<unsigned>(f)) & 1U; }
  void add(FamilyId f) {
    bits = static_cast<std::uint8_t>(bits | (1U << static_cast<unsigned>(f)));
  }
  bool operator==(const FamilySelection&) const = default;
};

struct ActionSelection {
  std::uint8_t bits = 0;  // default: none
  bool has(ActionKind a) const { return (bits >> static_cast<unsigned>(a)) & 1U; }
  void add(ActionKind a) {
    bits = static_cast<std::uint8_t>(bits | (1U << static_cast<unsigned>(a)));
  }
  bool any() const { return bits != 0; }
  bool operator==(const ActionSelection&) const = default;
};

struct RfmRules {
  DurationMs silent_after = DurationMs::days(30);
  DurationMs sleeping_after = DurationMs::days(90);
  DurationMs lost_after = DurationMs::days(180);
  std::uint32_t fan_min_purchases = 5;
};

struct QuadrantRules {
  std::int32_t window_days = 365;
  bool median = false;  // quadrant.thresholds = "median": a ranked family
  std::uint32_t min_purchases = 4;
  Money min_amount{1'000'000};
};

// Cumulative top percentages in thousandths of a percent (1 % -> 1000).
struct TierRules {
  std::int32_t window_days = 365;
  std::int64_t vip = 1'000;
  std::int64_t major = 5'000;
  std::int64_t regular = 20'000;
};

struct ValueRules {
  std::int32_t window_days = 365;
  DurationMs sleeping_after = DurationMs::days(180);
};

struct ActionRules {
  DurationMs replenish_lead = DurationMs::days(3);
  // category -> cycle, sorted by category
  std::vector<std::pair<std::string, DurationMs>> replenish_cycles;
  DurationMs birthday_lead = DurationMs::days(7);
};

}  // namespace segmentd
