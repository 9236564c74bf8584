#include "engine/families/tier.h"

#include "engine/families/population.h"

namespace segmentd {

std::optional<TierThresholds> tier_thresholds(std::vector<std::int64_t>& m_w,
                                              const TierRules& rules) {
  if (m_w.empty()) return std::nullopt;
  const std::size_t q = m_w.size();
  RankSelector m(m_w);
  TierThresholds t;
  t.regular = m.descending(percent_position(rules.regular, q));
  t.major = m.descending(percent_position(rules.major, q));
  t.vip = m.descending(percent_position(rules.vip, q));
  return t;
}

std::uint8_t tier_label(const WindowFigures& w, const std::optional<TierThresholds>& t) {
  if (w.purchases == 0 || !t) return 0;
  const std::int64_t m = w.net.thousandths;
  if (m >= t->vip) return 1;
  if (m >= t->major) return 2;
  if (m >= t->regular) return 3;
  return 4;
}

}  // namespace segmentd
