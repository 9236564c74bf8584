#include "bench/generator/line_renderer.h"

namespace segmentd::gen {

void LineRenderer::render(std::string& out, const LineJob& job) const {
  if (const auto* line = std::get_if<EventLine>(&job)) {
    LineBuffer buffer;
    writer_.render(buffer, line->event, line->style);
    out += buffer.view();
  } else {
    render_broken_line(out, std::get<BrokenLineSpec>(job));
  }
  out += '\n';
}

}  // namespace segmentd::gen
