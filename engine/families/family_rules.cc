#include "engine/families/family_rules.h"

namespace segmentd {

namespace {

constexpr std::array<std::string_view, kFamilyCount> kFamilyNames = {"lifecycle", "rfm", "quadrant",
                                                                     "tier", "value"};
// Lifecycle keeps the numbering it had before `prospect` existed (stored states).
constexpr std::array<std::string_view, 7> kLifecycleLabels = {
    "none", "new", "active", "at_risk", "dormant", "lost", "prospect"};
constexpr std::array<std::string_view, 17> kRfmLabels = {
    "none",         "active/new",   "active/second",   "active/repeat",
    "active/fan",   "silent/new",   "silent/second",   "silent/repeat",
    "silent/fan",   "sleeping/new", "sleeping/second", "sleeping/repeat",
    "sleeping/fan", "lost/new",     "lost/second",     "lost/repeat",
    "lost/fan"};
constexpr std::array<std::string_view, 5> kQuadrantLabels = {"none", "confidant", "butterfly",
                                                             "barnacle", "passer_by"};
constexpr std::array<std::string_view, 5> kTierLabels = {"none", "vip", "major", "regular",
                                                         "small"};
constexpr std::array<std::string_view, 9> kValueLabels = {"none",        "sleeping",
                                                          "churning",    "high_value",
                                                          "high_ticket", "frequent_low_ticket",
                                                          "loyal",       "infrequent_low_ticket",
                                                          "regular"};
constexpr std::array<std::string_view, kActionKindCount> kActionNames = {"birthday", "follow_up",
                                                                         "replenish"};

}  // namespace

std::string_view family_name(FamilyId family) {
  return kFamilyNames[static_cast<std::size_t>(family)];
}

std::optional<FamilyId> family_by_name(std::string_view name) {
  for (std::size_t i = 0; i < kFamilyNames.size(); ++i) {
    if (kFamilyNames[i] == name) return static_cast<FamilyId>(i);
  }
  return std::nullopt;
}

std::span<const std::string_view> family_labels(FamilyId family) {
  switch (family) {
    case FamilyId::lifecycle:
      return kLifecycleLabels;
    case FamilyId::rfm:
      return kRfmLabels;
    case FamilyId::quadrant:
      return kQuadrantLabels;
    case FamilyId::tier:
      return kTierLabels;
    case FamilyId::value:
      return kValueLabels;
  }
  return {};
}

std::string_view action_name(ActionKind kind) {
  return kActionNames[static_cast<std::size_t>(kind)];
}

std::optional<ActionKind> action_by_name(std::string_view name) {
  for (std::size_t i = 0; i < kActionNames.size(); ++i) {
    if (kActionNames[i] == name) return static_cast<ActionKind>(i);
  }
  return std::nullopt;
}

}  // namespace segmentd
