#include "bench/generator/broken_lines.h"

#include <array>

#include "bench/generator/text_format.h"

namespace segmentd::gen {
namespace {

enum class Flaw : std::uint16_t {
  truncated_json,
  not_json,
  no_event_id,
  no_amount,
  ts_yesterday,
  empty_member_id,
  negative_amount,
  ts_1980,
  amount_1e13,
  type_void,
  oversized,
};

constexpr std::array<BrokenTemplate, 11> kTemplates{{
    {"truncated_json", "invalid_json"},
    {"not_json", "invalid_json"},
    {"no_event_id", "missing_field"},
    {"no_amount", "missing_field"},
    {"ts_yesterday", "invalid_field"},
    {"empty_member_id", "invalid_field"},
    {"negative_amount", "out_of_range"},
    {"ts_1980", "out_of_range"},
    {"amount_1e13", "out_of_range"},
    {"type_void", "unknown_type"},
    {"oversized", "too_large"},
}};
// Relative frequencies, by template; oversized lines (70 KB each) stay rare.
constexpr std::array<double, 11> kWeights{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0.05};

constexpr std::size_t kOversizedPadding = 70'000;  // > input.max_event_bytes (65536)
constexpr EpochMs kTs1980 = 315'532'800'000;       // 1980-01-01T00:00:00Z

std::uint16_t draw_template(Xoshiro256ss& rng) {
  double total = 0.0;
  for (const double weight : kWeights) total += weight;
  double u = uniform01(rng) * total;
  for (std::uint16_t i = 0; i < kWeights.size(); ++i) {
    if (u < kWeights[i]) return i;
    u -= kWeights[i];
  }
  return 0;
}

void append_amount_field(std::string& out, Flaw flaw) {
  if (flaw == Flaw::no_amount) return;
  if (flaw == Flaw::negative_amount) {
    out += ",\"amount\":-5.00";
  } else if (flaw == Flaw::amount_1e13) {
    out += ",\"amount\":1e13";
  } else {
    out += ",\"amount\":\"12.50\"";
  }
}

// An event with exactly the flaw `flaw` (or none, for the JSON-level flaws).
void append_event(std::string& out, Flaw flaw, const BrokenLineSpec& spec) {
  out += '{';
  if (flaw != Flaw::no_event_id) {
    out += "\"event_id\":\"bad-";
    append_base36(out, spec.serial);
    out += "\",";
  }
  out += "\"member_id\":\"";
  if (flaw != Flaw::empty_member_id) {
    out += "m-";
    append_int(out, std::int64_t{spec.member} + 1);
  }
  out += "\",\"ts\":\"";
  if (flaw == Flaw::ts_yesterday) {
    out += "yesterday";
  } else {
    append_rfc3339(out, flaw == Flaw::ts_1980 ? kTs1980 : spec.now, {});
  }
  out += '"';
  if (flaw == Flaw::type_void) out += ",\"type\":\"void\"";
  append_amount_field(out, flaw);
  if (flaw == Flaw::oversized) {
    out += ",\"note\":\"";
    out.append(kOversizedPadding, 'x');
    out += '"';
  }
  out += '}';
}

}  // namespace

BrokenLineSpec draw_broken_line(Xoshiro256ss& rng, EpochMs now, std::uint32_t members,
                                std::uint64_t serial) {
  BrokenLineSpec spec{now, serial, 0, 0, 0};
  spec.template_index = draw_template(rng);
  spec.member = static_cast<std::uint32_t>(below(rng, members));
  spec.cut_permille = static_cast<std::uint16_t>(below(rng, 1000));
  return spec;
}

const BrokenTemplate& broken_template(const BrokenLineSpec& spec) {
  return kTemplates[spec.template_index];
}

void render_broken_line(std::string& out, const BrokenLineSpec& spec) {
  const auto flaw = static_cast<Flaw>(spec.template_index);
  if (flaw == Flaw::not_json) {
    out += "not json";
    return;
  }
  const std::size_t begin = out.size();
  append_event(out, flaw, spec);
  if (flaw == Flaw::truncated_json) {
    // Keep at least "{" and drop at least the closing brace.
    const std::size_t length = out.size() - begin;
    out.resize(begin + 1 + (length - 2) * spec.cut_permille / 1000);
  }
}

}  // namespace segmentd::gen
