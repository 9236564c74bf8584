#include "app/replay_summary.h"

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

void print_transitions(std::FILE* out, const StreamStats& stats) {
  std::fprintf(out, "transitions (lifecycle) %llu\n", ull(stats.transitions));
  for (std::size_t from = 0; from < kLifecycleLabelCount; ++from) {
    for (std::size_t to = 0; to < kLifecycleLabelCount; ++to) {
      const std::uint64_t n = stats.lifecycle_transitions[from][to];
      if (n == 0) continue;
      const auto a = label_name(static_cast<LifecycleLabel>(from));
      const auto b = label_name(static_cast<LifecycleLabel>(to));
      std::fprintf(out, "  %-8.*s -> %-8.*s %12llu\n", static_cast<int>(a.size()), a.data(),
                   static_cast<int>(b.size()), b.data(), ull(n));
    }
  }
}

void print_members(std::FILE* out, const StreamStats& stats) {
  std::fprintf(out, "members per segment (lifecycle)\n");
  for (std::size_t label = 0; label < kLifecycleLabelCount; ++label) {
    const auto name = label_name(static_cast<LifecycleLabel>(label));
    std::fprintf(out, "  %-8.*s %12lld\n", static_cast<int>(name.size()), name.data(),
                 static_cast<long long>(stats.members_per_lifecycle[label]));
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
  print_transitions(out, stats);
  print_members(out, stats);
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

std::string label_counts(const StreamStats& stats) {
  std::string out = "{";
  for (std::size_t label = 0; label < kLifecycleLabelCount; ++label) {
    append_field(out, label_name(static_cast<LifecycleLabel>(label)),
                 number(stats.members_per_lifecycle[label]));
  }
  return out + "}";
}

std::string change_counts(const StreamStats& stats) {
  std::string out = "{";
  for (std::size_t from = 0; from < kLifecycleLabelCount; ++from) {
    for (std::size_t to = 0; to < kLifecycleLabelCount; ++to) {
      if (stats.lifecycle_transitions[from][to] == 0) continue;
      const std::string key = std::string(label_name(static_cast<LifecycleLabel>(from))) + "->" +
                              std::string(label_name(static_cast<LifecycleLabel>(to)));
      append_field(out, key, number(stats.lifecycle_transitions[from][to]));
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
  append_field(out, "transitions_by_change", "{\"lifecycle\":" + change_counts(stats) + "}");
  append_field(out, "members_per_segment", "{\"lifecycle\":" + label_counts(stats) + "}");
  append_field(out, "timers_fired", number(stats.timers_fired));
  append_field(out, "looks_unsorted", outcome.looks_unsorted ? "true" : "false");
  append_field(out, "resumed_from_line", number(outcome.resumed_from_line));
  append_field(out, "spilled_runs", number(std::uint64_t{outcome.spilled_runs}));
  append_field(out, "state_disk_bytes", number(outcome.state_disk_bytes));
  append_field(out, "seconds", std::to_string(outcome.seconds));
  return out + "}\n";
}

}  // namespace segmentd
