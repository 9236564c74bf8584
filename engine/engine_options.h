// What the engine's rules are configured with (SPEC 9: time.*, families.*, lifecycle.*,
// rfm.*, quadrant.*, tier.*, value.*, actions.*, dedupe.*). Built by the config module
// from the TOML file, environment and --set; the engine never reads configuration
// itself. Plain values; thread-safe to share read-only.
#pragma once

#include <cstdint>

#include "engine/families/family_rules.h"
#include "engine/lifecycle.h"
#include "engine/units.h"

namespace segmentd {

struct EngineOptions {
  LifecycleRules lifecycle;
  RfmRules rfm;
  QuadrantRules quadrant;
  TierRules tier;
  ValueRules value;
  ActionRules actions;
  FamilySelection families;                            // families.enabled
  ActionSelection enabled_actions;                     // actions.enabled
  DurationMs allowed_lateness = DurationMs::hours(1);  // time.allowed_lateness
  DurationMs utc_offset{0};                            // time.utc_offset (rolling windows)
  std::uint32_t dedupe_window = 32;                    // dedupe.window
};

}  // namespace segmentd
