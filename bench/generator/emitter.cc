#include "bench/generator/emitter.h"

#include "bench/generator/broken_lines.h"
#include "bench/generator/text_format.h"

namespace segmentd::gen {
namespace {
constexpr std::uint64_t kBrokenStream = 0xb20'4e;
}  // namespace

Emitter::Emitter(const GeneratorOptions& options, const Population& population,
                 ParallelRenderer& lines, OutputFile* manifest)
    : population_(population),
      lines_(lines),
      manifest_(manifest),
      broken_rng_(mix64(options.seed ^ kBrokenStream)),
      members_(options.members),
      seen_members_(options.members, false) {}

void Emitter::event_line(const MemberEvent& event, Delivery delivery) {
  lines_.add(EventLine{event, population_.profile(event.member).style});
  ++summary_.lines;
  if (delivery == Delivery::duplicate) {
    ++summary_.duplicates;
    return;
  }
  ++summary_.events;
  if (event.kind == EventKind::refund) ++summary_.refunds;
  if (delivery == Delivery::late) ++summary_.late;
  if (!seen_members_[event.member]) {
    seen_members_[event.member] = true;
    ++summary_.members;
  }
}

void Emitter::broken_line(EpochMs now) {
  const BrokenLineSpec spec = draw_broken_line(broken_rng_, now, members_, summary_.broken);
  lines_.add(spec);
  ++summary_.lines;
  ++summary_.broken;
  record_manifest(spec);
}

void Emitter::record_manifest(const BrokenLineSpec& spec) {
  if (manifest_ == nullptr) return;
  const BrokenTemplate& t = broken_template(spec);
  manifest_line_.assign("{\"line\":");
  append_int(manifest_line_, static_cast<std::int64_t>(summary_.lines));
  manifest_line_ += ",\"reason\":\"";
  manifest_line_ += t.reason;
  manifest_line_ += "\",\"template\":\"";
  manifest_line_ += t.name;
  manifest_line_ += "\"}\n";
  manifest_->write(manifest_line_);
}

}  // namespace segmentd::gen
