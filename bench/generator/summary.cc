#include "bench/generator/summary.h"

#include <algorithm>
#include <charconv>

#include "bench/generator/text_format.h"

namespace segmentd::gen {
namespace {

void append_name(std::string& out, const char* name) {
  out += out.size() > 1 ? ",\"" : "\"";
  out += name;
  out += "\":";
}

void append_field(std::string& out, const char* name, std::uint64_t value) {
  append_name(out, name);
  append_int(out, static_cast<std::int64_t>(value));
}

void append_field(std::string& out, const char* name, double value) {
  append_name(out, name);
  char buffer[32];
  const auto result =
      std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::general, 4);
  out.append(buffer, result.ptr);
}

}  // namespace

std::string format_summary(const GenerationSummary& s, double seconds) {
  std::string out = "{";
  append_field(out, "lines", s.lines);
  append_field(out, "events", s.events);
  append_field(out, "members", s.members);
  append_field(out, "broken", s.broken);
  append_field(out, "duplicates", s.duplicates);
  append_field(out, "late", s.late);
  append_field(out, "refunds", s.refunds);
  append_field(out, "gap_scale", s.gap_scale);
  append_field(out, "seconds", seconds);
  append_field(out, "lines_per_s",
               static_cast<std::uint64_t>(static_cast<double>(s.lines) / std::max(seconds, 1e-9)));
  out += '}';
  return out;
}

}  // namespace segmentd::gen
