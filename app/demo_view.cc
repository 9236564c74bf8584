#include "app/demo_view.h"

#include <algorithm>
#include <numeric>
#include <string>

#include "engine/families/family_rules.h"

namespace segmentd {

namespace {

unsigned long long ull(std::uint64_t v) { return static_cast<unsigned long long>(v); }

std::string label(FamilyId family, std::size_t index) {
  return std::string(family_labels(family)[index]);
}

bool has_members(const FamilyCounts& counts) {
  return std::any_of(counts.members.begin(), counts.members.end(),
                     [](std::int64_t n) { return n != 0; });
}

}  // namespace

DemoView::DemoView(RunObserver& metrics, std::FILE* out, bool terminal)
    : metrics_(metrics), out_(out), terminal_(terminal) {}

void DemoView::partition_restored(const PartitionFigures& figures) {
  metrics_.partition_restored(figures);
}

void DemoView::partitions_revoked(const std::vector<std::int32_t>& partitions) {
  metrics_.partitions_revoked(partitions);
}

void DemoView::record_read() {
  ++records_read_;
  metrics_.record_read();
}

void DemoView::transition_acknowledged(std::chrono::nanoseconds since_read) {
  ++acknowledged_;
  metrics_.transition_acknowledged(since_read);
}

void DemoView::publish(const std::vector<PartitionFigures>& partitions, const StoreFigures& store) {
  metrics_.publish(partitions, store);
  latest_ = partitions;
  totals_ = StreamStats{};
  rejected_ = 0;
  std::int64_t lag = partitions.empty() ? kLagUnknown : 0;
  for (const PartitionFigures& f : partitions) {
    const StreamStats& s = f.processor.stats;
    totals_.events_applied += s.events_applied;
    totals_.events_duplicate += s.events_duplicate;
    totals_.transitions += s.transitions;
    for (std::size_t family = 0; family < kFamilyCount; ++family) {
      FamilyCounts& total = totals_.families[family];
      const FamilyCounts& part = s.families[family];
      for (std::size_t i = 0; i < total.members.size(); ++i) total.members[i] += part.members[i];
      for (std::size_t i = 0; i < total.transitions.size(); ++i) {
        total.transitions[i] += part.transitions[i];
      }
    }
    rejected_ +=
        std::accumulate(f.position.rejected.begin(), f.position.rejected.end(), std::uint64_t{0});
    if (!f.end_offset) {
      lag = kLagUnknown;
    } else if (lag != kLagUnknown && f.position.next_offset >= 0) {
      lag += std::max<std::int64_t>(0, *f.end_offset - f.position.next_offset);
    }
  }
  lag_.store(lag);
  if (Clock::now() - last_draw_ >= std::chrono::seconds(1)) draw(terminal_);
}

std::optional<std::int64_t> DemoView::lag() const {
  const std::int64_t lag = lag_.load();
  if (lag == kLagUnknown) return std::nullopt;
  return lag;
}

void DemoView::draw_final() { draw(false); }

void DemoView::draw(bool in_place) {
  const auto now = Clock::now();
  const double seconds = std::chrono::duration<double>(now - last_draw_).count();
  last_draw_ = now;
  if (in_place && lines_drawn_ > 0) std::fprintf(out_, "\x1b[%dA\x1b[J", lines_drawn_);
  int lines = 0;
  const std::optional<std::int64_t> known_lag = lag();
  const std::string lag_text = known_lag ? std::to_string(*known_lag) : "unknown";
  std::fprintf(out_,
               "events read %llu  applied %llu  duplicate %llu  rejected %llu  lag %s  "
               "transitions acknowledged %llu\n",
               ull(records_read_.load()), ull(totals_.events_applied),
               ull(totals_.events_duplicate), ull(rejected_), lag_text.c_str(), ull(acknowledged_));
  ++lines;
  for (FamilyId family : kAllFamilies) {
    const FamilyCounts& counts = totals_.family(family);
    if (family != FamilyId::lifecycle && !has_members(counts)) continue;
    std::fprintf(out_, "%-9s", std::string(family_name(family)).c_str());
    for (std::size_t a = 1; a < family_labels(family).size(); ++a) {
      std::fprintf(out_, " %s %lld", label(family, a).c_str(),
                   static_cast<long long>(counts.members[a]));
    }
    std::fprintf(out_, "\n");
    ++lines;
  }
  if (in_place || !terminal_) {
    // Per family: every (from, to) pair is on /metrics (segmentd_transitions_total).
    std::fprintf(out_, "transitions/s");
    for (FamilyId family : kAllFamilies) {
      const FamilyCounts& now_counts = totals_.family(family);
      const FamilyCounts& before = totals_at_last_draw_.family(family);
      const std::size_t labels = family_labels(family).size();
      std::uint64_t delta = 0;
      for (std::size_t a = 0; a < labels; ++a) {
        for (std::size_t b = 0; b < labels; ++b) {
          delta += now_counts.transitions_between(a, b) - before.transitions_between(a, b);
        }
      }
      if (delta == 0) continue;
      std::fprintf(out_, "  %s %.0f", std::string(family_name(family)).c_str(),
                   static_cast<double>(delta) / seconds);
    }
    std::fprintf(out_, "\n");
    ++lines;
  }
  std::fflush(out_);
  lines_drawn_ = lines;
  totals_at_last_draw_ = totals_;
}

}  // namespace segmentd
