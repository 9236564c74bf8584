#include "app/replay_summary.h"

#include <algorithm>
#include <numeric>
#include <string>

namespace segmentd {

namespace {

unsigned long long ull(std::uint64_t v) { return static_cast<unsigned long long>(v); }

void print_rejections(std::FILE* out, const ReplayPosition& position) {
  std::fprintf(out, "  rejected   %12llu", ull(position.rejected_total()));
  const char* separator = "  (";
  for (std::size_t r = 0; r < kRejectReasonCount; ++r) {
    if (position.rejected[r] == 0) continue;
    const auto code = reason_code(static_cast<RejectReason>(r));
    std::fprintf(out, "%s%.*s %llu", separator, static_cast<int>(code.size()), code.data(),
                 ull(position.rejected[r]));
    separator = ", ";
  }
  std::fprintf(out, "%s\n", position.rejected_total() > 0 ? ")" : "");
}

// The families to report: lifecycle always, the others once they have seen a member.
bool reported(const StreamStats& stats, FamilyId family) {
  if (family == FamilyId::lifecycle) return true;
  const auto& members = stats.family(family).members;
  return std::any_of(members.begin(), members.end(), [](std::int64_t n) { return n != 0; });
}

// Emitted transitions: the diagonal counts refused (impossible) ones.
std::uint64_t family_transitions(const FamilyCounts& counts) {
  const std::uint64_t all =
      std::accumulate(counts.transitions.begin(), counts.transitions.end(), std::uint64_t{0});
  std::uint64_t impossible = 0;
  for (std::size_t label = 0; label < kMaxFamilyLabels; ++label) {
    impossible += counts.transitions_between(label, label);
  }
  return all - impossible;
}

void print_transitions(std::FILE* out, const StreamStats& stats, FamilyId family) {
  const FamilyCounts& counts = stats.family(family);
  const auto labels = family_labels(family);
  const std::string name(family_name(family));
  std::fprintf(out, "transitions (%s) %llu\n", name.c_str(), ull(family_transitions(counts)));
  for (std::size_t from = 0; from < labels.size(); ++from) {
    for (std::size_t to = 0; to < labels.size(); ++to) {
      const std::uint64_t n = counts.transitions_between(from, to);
      if (n == 0) continue;
      const auto a = labels[from];
      const auto b = labels[to];
      std::fprintf(out, "  %-8.*s -> %-8.*s %12llu\n", static_cast<int>(a.size()), a.data(),
                   static_cast<int>(b.size()), b.data(), ull(n));
    }
  }
}

void print_members(std::FILE* out, const StreamStats& stats, FamilyId family) {
  const FamilyCounts& counts = stats.family(family);
  const auto labels = family_labels(family);
  std::fprintf(out, "members per segment (%s)\n", std::string(family_name(family)).c_str());
  for (std::size_t label = 0; label < labels.size(); ++label) {
    const auto name = labels[label];
    std::fprintf(out, "  %-8.*s %12lld\n", static_cast<int>(name.size()), name.data(),
                 static_cast<long long>(counts.members[label]));
  }
}

}  // namespace

void print_replay_summary(std::FILE* out, const ReplayRequest& request,
                          const ReplayOutcome& outcome) {
  const ReplayPosition& position = outcome.position;
  const StreamStats& stats = outcome.processor.stats;
  std::fprintf(out, "segmentd replay: %s -> %s\n", request.input.c_str(), request.output.c_str());
  if (outcome.resumed_from_line > 0) {
    std::fprintf(out, "  resumed after line %llu of an earlier run\n",
                 ull(outcome.resumed_from_line));
  }
  std::fprintf(out, "events\n  read       %12llu\n  applied    %12llu\n  duplicate  %12llu\n",
               ull(position.events_read), ull(stats.events_applied), ull(stats.events_duplicate));
  print_rejections(out, position);
  std::fprintf(out, "  late       %12llu  (older than the clock on arrival)\n",
               ull(stats.events_late));
  for (FamilyId family : kAllFamilies) {
    if (reported(stats, family)) print_transitions(out, stats, family);
  }
  for (FamilyId family : kAllFamilies) {
    if (reported(stats, family)) print_members(out, stats, family);
  }
  if (stats.actions > 0) std::fprintf(out, "actions    %12llu\n", ull(stats.actions));
  const double rate =
      outcome.seconds > 0 ? static_cast<double>(position.events_read) / outcome.seconds : 0;
  std::fprintf(out, "took %.2f s (%.0f events/s)%s\n", outcome.seconds, rate,
               outcome.spilled_runs > 0 ? ", sorted on disk" : "");
  if (outcome.looks_unsorted) {
    std::fprintf(out,
                 "warning: %llu of %llu accepted events arrived older than the clock: "
                 "the input looks sorted by member, not by time. Use --sort.\n",
                 ull(stats.events_late), ull(stats.events_applied + stats.events_duplicate));
  }
}

namespace {

void append_field(std::string& out, std::string_view key, std::string_view value_json) {
  if (out.back() != '{') out.push_back(',');
  out.push_back('"');
  out.append(key);
  out.append("\":");
  out.append(value_json);
}

std::string number(std::int64_t v) { return std::to_string(v); }
std::string number(std::uint64_t v) { return std::to_string(v); }

std::string label_counts(const FamilyCounts& counts, FamilyId family) {
  const auto labels = family_labels(family);
  std::string out = "{";
  for (std::size_t label = 0; label < labels.size(); ++label) {
    append_field(out, labels[label], number(counts.members[label]));
  }
  return out + "}";
}

std::string change_counts(const FamilyCounts& counts, FamilyId family) {
  const auto labels = family_labels(family);
  std::string out = "{";
  for (std::size_t from = 0; from < labels.size(); ++from) {
    for (std::size_t to = 0; to < labels.size(); ++to) {
      if (counts.transitions_between(from, to) == 0) continue;
      const std::string key = std::string(labels[from]) + "->" + std::string(labels[to]);
      append_field(out, key, number(counts.transitions_between(from, to)));
    }
  }
  return out + "}";
}

// {"<family>": per_family(counts, family), ...} over the reported families.
template <typename PerFamily>
std::string by_family(const StreamStats& stats, PerFamily per_family) {
  std::string out = "{";
  for (FamilyId family : kAllFamilies) {
    if (reported(stats, family)) {
      append_field(out, family_name(family), per_family(stats.family(family), family));
    }
  }
  return out + "}";
}

std::string rejection_counts(const ReplayPosition& position) {
  std::string out = "{";
  for (std::size_t r = 0; r < kRejectReasonCount; ++r) {
    if (position.rejected[r] > 0) {
      append_field(out, reason_code(static_cast<RejectReason>(r)), number(position.rejected[r]));
    }
  }
  return out + "}";
}

}  // namespace

std::string replay_summary_json(const ReplayOutcome& outcome) {
  const StreamStats& stats = outcome.processor.stats;
  std::string out = "{";
  append_field(out, "events_read", number(outcome.position.events_read));
  append_field(out, "events_applied", number(stats.events_applied));
  append_field(out, "events_duplicate", number(stats.events_duplicate));
  append_field(out, "events_late", number(stats.events_late));
  append_field(out, "rejected", rejection_counts(outcome.position));
  append_field(out, "transitions", number(stats.transitions));
  append_field(out, "transitions_by_change", by_family(stats, change_counts));
  append_field(out, "members_per_segment", by_family(stats, label_counts));
  append_field(out, "actions", number(stats.actions));
  append_field(out, "sweeps", number(stats.sweeps));
  append_field(out, "timers_fired", number(stats.timers_fired));
  append_field(out, "looks_unsorted", outcome.looks_unsorted ? "true" : "false");
  append_field(out, "resumed_from_line", number(outcome.resumed_from_line));
  append_field(out, "commits", number(outcome.commits));
  append_field(out, "spilled_runs", number(std::uint64_t{outcome.spilled_runs}));
  append_field(out, "state_disk_bytes", number(outcome.state_disk_bytes));
  append_field(out, "seconds", std::to_string(outcome.seconds));
  return out + "}\n";
}

}  // namespace segmentd
