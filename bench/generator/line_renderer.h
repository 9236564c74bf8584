// A line job — everything one output line is made from — and its rendering to
// bytes.
//
// A job is either a member event with the member's shopping style (rendered by
// EventWriter) or a broken line (rendered from its spec). Jobs are self-contained,
// so rendering touches no population data, and rendering is a pure function of the
// job: any thread may render any job, and a duplicate delivery (the same job again)
// renders to the same bytes. LineRenderer is immutable and thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <variant>

#include "bench/generator/broken_lines.h"
#include "bench/generator/event_writer.h"
#include "bench/generator/member_profile.h"
#include "bench/generator/member_timeline.h"

namespace segmentd::gen {

struct EventLine {
  MemberEvent event;
  ShoppingStyle style;
};

using LineJob = std::variant<EventLine, BrokenLineSpec>;

class LineRenderer {
 public:
  LineRenderer(std::uint64_t seed, std::uint32_t store_count) : writer_(seed, store_count) {}

  // Appends the job's line and a newline.
  void render(std::string& out, const LineJob& job) const;

 private:
  EventWriter writer_;
};

}  // namespace segmentd::gen
