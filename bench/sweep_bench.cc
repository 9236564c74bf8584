// segmentd-sweep-bench: the cost of one daily sweep (SPEC 5.6) over N members held in
// memory, with tier, value and quadrant (medians) enabled: the first sweep (which reads
// every member) and the steady-state sweeps of the following days (no events between
// them: only members with a day entering or leaving a window are reloaded).
// Usage: segmentd-sweep-bench [members] (default 1000000). Prints one JSON line.
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <map>
#include <string>

#include "engine/daily_sweep.h"
#include "engine/event_time.h"
#include "engine/families/window.h"

namespace {

using namespace segmentd;

class MemoryTable final : public MemberTable {
 public:
  MemberState& load(std::string_view id) override { return members_[std::string(id)]; }
  void mark_changed() override {}
  std::vector<std::string> member_ids() override {
    std::vector<std::string> ids;
    ids.reserve(members_.size());
    for (const auto& [id, m] : members_) ids.push_back(id);
    return ids;
  }
  std::map<std::string, MemberState>& all() { return members_; }

 private:
  std::map<std::string, MemberState> members_;
};

// Process CPU time: the machine may be shared, and the sweep runs on one thread.
double cpu_seconds() { return static_cast<double>(std::clock()) / CLOCKS_PER_SEC; }

}  // namespace

int main(int argc, char** argv) {
  const long members = argc > 1 ? std::atol(argv[1]) : 1'000'000;
  EngineOptions options;
  options.families.add(FamilyId::tier);
  options.families.add(FamilyId::value);
  options.families.add(FamilyId::quadrant);
  options.quadrant.median = true;
  const FamilySet families(options);
  MemoryTable table;
  const std::int32_t today = 19723;  // 2024-01-01
  std::uint64_t state = 88172645463325252ULL;
  auto next = [&] {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
  };
  for (long i = 0; i < members; ++i) {
    MemberState& m = table.load("member-" + std::to_string(i));
    const auto purchases = static_cast<std::uint32_t>(1 + next() % 6);
    for (std::uint32_t p = 0; p < purchases; ++p) {
      const auto day =
          static_cast<std::int32_t>(today - 1 - static_cast<std::int32_t>(next() % 400));
      PurchaseEvent e;
      e.ts = day_start(day, DurationMs{0}) + DurationMs::hours(10);
      e.amount = Money{static_cast<std::int64_t>(1'000 + next() % 500'000)};
      add_to_figures(m.figures, e, day);
    }
    m.swept_last_purchase = m.figures.last_purchase;
  }
  DailySweep sweep(options, families, table);
  std::uint64_t changes = 0;
  const auto on_change = [&](std::string_view, MemberState& m, FamilyId f, std::uint8_t to) {
    m.label(f) = to;
    ++changes;
  };
  double start = cpu_seconds();
  sweep.run(day_start(today, DurationMs{0}), on_change);
  const double first = cpu_seconds() - start;
  const std::uint64_t first_changes = changes;
  constexpr int kDays = 7;
  start = cpu_seconds();
  for (int d = 1; d <= kDays; ++d) sweep.run(day_start(today + d, DurationMs{0}), on_change);
  const double steady = (cpu_seconds() - start) / kDays;
  std::printf(
      "{\"members\":%ld,\"first_sweep_cpu_s\":%.3f,\"first_sweep_changes\":%llu,"
      "\"steady_sweep_cpu_s\":%.3f,\"steady_changes_per_sweep\":%.0f}\n",
      members, first, static_cast<unsigned long long>(first_changes), steady,
      static_cast<double>(changes - first_changes) / kDays);
  return 0;
}
