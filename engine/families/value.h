// The value family (SPEC 5.5, ranked): the seven member value types, first rule that
// holds: sleeping, churning, high_value, high_ticket, frequent_low_ticket, loyal,
// infrequent_low_ticket, else regular. Evaluated only in the daily sweep at S, over the
// purchases before S. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "engine/families/family_rules.h"
#include "engine/families/population.h"
#include "engine/families/window.h"

namespace segmentd {

// One member's figures at a sweep instant: lifetime figures over purchases before it,
// the value window and the 90 complete days before it.
struct ValueInputs {
  std::uint32_t purchases = 0;  // n
  EpochMs first_purchase{};
  EpochMs last_purchase{};
  WindowFigures window;           // value.window
  std::int64_t purchases_90 = 0;  // f_90
};

struct ValueThresholds {
  std::int64_t m_top15 = 0;
  std::int64_t m_top50 = 0;
  std::int64_t t_top15 = 0;
  std::int64_t t_median = 0;
  std::int64_t f_top15 = 0;
  std::int64_t f_bottom15 = 0;
};

// What value_thresholds remembers from one sweep to the next (see RankHints).
struct ValueRankHints {
  RankHints m, t, f;
};

// From m_W, t_W and f_W of every member of Q, each among `outside` slots of
// kOutsidePopulation (see RankSelector); nullopt when Q is empty. `hints` (optional)
// makes the selections cheaper, not different.
std::optional<ValueThresholds> value_thresholds(const std::vector<std::int64_t>& m_w,
                                                const std::vector<std::int64_t>& t_w,
                                                const std::vector<std::int64_t>& f_w,
                                                std::size_t outside = 0,
                                                ValueRankHints* hints = nullptr);

// The first instant after `now` at which value_label(inputs, ...) can differ from its
// label at `now`, the inputs and thresholds staying the same: where its time conditions
// (sleeping, churning) turn; nullopt when none turns again.
std::optional<EpochMs> value_next_time_change(const ValueInputs& inputs, EpochMs now,
                                              const ValueRules& rules);

// An index of family_labels(FamilyId::value); `now` is the sweep instant. REQUIRES:
// inputs.purchases >= 1.
std::uint8_t value_label(const ValueInputs& inputs, EpochMs now,
                         const std::optional<ValueThresholds>& t, const ValueRules& rules);

}  // namespace segmentd
