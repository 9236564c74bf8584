#include "engine/family_set.h"

#include "engine/families/quadrant.h"
#include "engine/families/rfm.h"
#include "engine/families/window.h"
#include "engine/lifecycle.h"

namespace segmentd {

namespace {

void keep_earliest(std::optional<EpochMs>& next, std::optional<EpochMs> candidate) {
  if (candidate && (!next || *candidate < *next)) next = candidate;
}

}  // namespace

FamilySet::FamilySet(const EngineOptions& options) : options_(options) {
  for (FamilyId f : kAllFamilies) any_ranked_ = any_ranked_ || (enabled(f) && ranked(f));
}

bool FamilySet::ranked(FamilyId f) const {
  return f == FamilyId::tier || f == FamilyId::value ||
         (f == FamilyId::quadrant && options_.quadrant.median);
}

std::uint8_t FamilySet::label_at(FamilyId f, const MemberFigures& figures, EpochMs now) const {
  switch (f) {
    case FamilyId::lifecycle:
      return static_cast<std::uint8_t>(lifecycle_label(figures, now, options_.lifecycle));
    case FamilyId::rfm:
      return rfm_label(figures, now, options_.rfm);
    case FamilyId::quadrant:
      return quadrant_fixed_label(figures, now, options_.quadrant, options_.utc_offset);
    case FamilyId::tier:
    case FamilyId::value:
      break;
  }
  return 0;
}

std::optional<EpochMs> FamilySet::next_change(const MemberFigures& figures, EpochMs after) const {
  std::optional<EpochMs> next;
  if (enabled(FamilyId::lifecycle)) {
    keep_earliest(next, lifecycle_next_change(figures, after, options_.lifecycle));
  }
  if (enabled(FamilyId::rfm)) keep_earliest(next, rfm_next_change(figures, after, options_.rfm));
  if (time_driven(FamilyId::quadrant)) {
    keep_earliest(
        next, quadrant_fixed_next_change(figures, after, options_.quadrant, options_.utc_offset));
  }
  return next;
}

}  // namespace segmentd
