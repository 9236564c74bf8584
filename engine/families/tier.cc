#include "engine/families/tier.h"

#include "engine/families/population.h"

namespace segmentd {

std::optional<TierThresholds> tier_thresholds(const std::vector<std::int64_t>& m_w,
                                              const TierRules& rules, std::size_t outside,
                                              RankHints* hints) {
  RankSelector m(m_w, outside, hints);
  const std::size_t q = m.size();
  if (q == 0) return std::nullopt;
  TierThresholds t;
  t.regular = m.descending(percent_position(rules.regular, q));
  t.major = m.descending(percent_position(rules.major, q));
  t.vip = m.descending(percent_position(rules.vip, q));
  return t;
}

std::uint8_t tier_label(const WindowFigures& w, const std::optional<TierThresholds>& t) {
  return w.purchases == 0 ? 0 : tier_label_in_window(w.net.thousandths, t);
}

std::uint8_t tier_label_in_window(std::int64_t m, const std::optional<TierThresholds>& t) {
  if (!t) return 0;
  if (m >= t->vip) return 1;
  if (m >= t->major) return 2;
  if (m >= t->regular) return 3;
  return 4;
}

}  // namespace segmentd
