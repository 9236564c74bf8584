#include "engine/families/value.h"

#include "engine/families/population.h"

namespace segmentd {

namespace {

__extension__ using Int128 = __int128;

enum Label : std::uint8_t {
  sleeping = 1,
  churning,
  high_value,
  high_ticket,
  frequent_low_ticket,
  loyal,
  infrequent_low_ticket,
  regular
};

constexpr DurationMs kChurnTenure = DurationMs::days(180);
constexpr DurationMs kRecentSpan = DurationMs::days(90);

// n >= 3, tenure T >= 180d and 2 * f_90 * T < n * 90d, exactly.
bool churning_now(const ValueInputs& in, EpochMs now) {
  const DurationMs tenure = now - in.first_purchase;
  if (in.purchases < 3 || tenure < kChurnTenure) return false;
  const Int128 lhs = Int128{2} * in.purchases_90 * tenure.ms;
  const Int128 rhs = Int128{in.purchases} * kRecentSpan.ms;
  return lhs < rhs;
}

}  // namespace

std::optional<ValueThresholds> value_thresholds(const std::vector<std::int64_t>& m_w,
                                                const std::vector<std::int64_t>& t_w,
                                                const std::vector<std::int64_t>& f_w,
                                                std::size_t outside, ValueRankHints* hints) {
  RankSelector m(m_w, outside, hints != nullptr ? &hints->m : nullptr);
  RankSelector ticket(t_w, outside, hints != nullptr ? &hints->t : nullptr);
  RankSelector f(f_w, outside, hints != nullptr ? &hints->f : nullptr);
  const std::size_t q = m.size();
  if (q == 0) return std::nullopt;
  const std::size_t top15 = percent_position(15'000, q);
  ValueThresholds t;
  t.m_top50 = m.descending(percent_position(50'000, q));
  t.m_top15 = m.descending(top15);
  t.t_median = ticket.ascending(median_position(q));
  t.t_top15 = ticket.descending(top15);
  t.f_top15 = f.descending(top15);
  t.f_bottom15 = f.ascending(top15);
  return t;
}

std::uint8_t value_label(const ValueInputs& in, EpochMs now,
                         const std::optional<ValueThresholds>& t, const ValueRules& rules) {
  if (now - in.last_purchase >= rules.sleeping_after) return sleeping;
  if (churning_now(in, now)) return churning;
  const WindowFigures& w = in.window;
  if (w.purchases == 0 || !t) return regular;
  const std::int64_t m = w.net.thousandths;
  const std::int64_t ticket = average_ticket(w.net, w.purchases).thousandths;
  if (m >= t->m_top15) return high_value;
  if (ticket >= t->t_top15) return high_ticket;
  if (w.purchases >= t->f_top15 && ticket < t->t_median) return frequent_low_ticket;
  if (m >= t->m_top50 && w.purchases >= 2 &&
      std::int64_t{w.last_purchase_day} - w.first_purchase_day <= 30 * (w.purchases - 1)) {
    return loyal;
  }
  if (w.purchases <= t->f_bottom15 && ticket < t->t_median) return infrequent_low_ticket;
  return regular;
}

std::optional<EpochMs> value_next_time_change(const ValueInputs& in, EpochMs now,
                                              const ValueRules& rules) {
  const EpochMs sleeps = in.last_purchase + rules.sleeping_after;
  if (sleeps <= now) return std::nullopt;  // sleeping from now on
  EpochMs next = sleeps;
  const auto consider = [&](EpochMs at) {
    if (now < at && at < next) next = at;
  };
  if (in.purchases >= 3) {
    consider(in.first_purchase + kChurnTenure);  // churning can start
    if (in.purchases_90 > 0) {
      // Churning stops at the first tenure T with 2 * f_90 * T >= n * 90d.
      const Int128 rhs = Int128{in.purchases} * kRecentSpan.ms;
      const Int128 per_ms = Int128{2} * in.purchases_90;
      const Int128 tenure = (rhs + per_ms - 1) / per_ms;
      if (tenure < Int128{sleeps.ms - in.first_purchase.ms}) {
        consider(in.first_purchase + DurationMs{static_cast<std::int64_t>(tenure)});
      }
    }
  }
  return next;
}

}  // namespace segmentd
