#include "connectors/member_explanation_json.h"

#include <initializer_list>
#include <utility>

#include "connectors/transition_json.h"
#include "engine/event_time.h"
#include "engine/money.h"

namespace segmentd {

namespace {

void append_instant(std::string& out, std::string_view name, EpochMs t) {
  out += '"';
  out += name;
  out += "\":" + std::to_string(t.ms) + ",\"";
  out += name;
  out += "_time\":\"";
  append_rfc3339(out, t);
  out += '"';
}

void append_field(std::string& out, std::string_view name, std::string_view value) {
  out += '"';
  out += name;
  out += "\":";
  append_json_string(out, value);
}

// {"<name>": "<value>", ...}: an object of string fields, in the order given.
void append_string_object(
    std::string& out, std::initializer_list<std::pair<std::string_view, std::string_view>> fields) {
  out += '{';
  bool first = true;
  for (const auto& [name, value] : fields) {
    if (!first) out += ',';
    first = false;
    append_field(out, name, value);
  }
  out += '}';
}

void append_figures(std::string& out, const MemberFigures& f) {
  out += "{\"purchases\":" + std::to_string(f.purchases) +
         ",\"refunds\":" + std::to_string(f.refunds) + ",";
  if (f.purchases > 0) {
    append_instant(out, "first_purchase", f.first_purchase);
    out += ',';
    append_instant(out, "last_purchase", f.last_purchase);
    out += ',';
  }
  out += "\"net_total\":\"";
  append_money(out, f.net_total);
  out += "\",\"has_profile\":";
  out += f.has_profile ? "true" : "false";
  out += '}';
}

}  // namespace

std::string member_explanation_json(const MemberExplanation& e, std::int32_t partition) {
  std::string out = "{\"schema\":\"";
  out += kMemberExplanationSchema;
  out += "\",";
  append_field(out, "member_id", e.member_id);
  out += ",\"known\":";
  out += e.known ? "true" : "false";
  if (partition >= 0) out += ",\"partition\":" + std::to_string(partition);
  out += ",\"seq\":" + std::to_string(e.seq) + ",";
  append_instant(out, "clock", e.now);
  out += ",\"figures\":";
  append_figures(out, e.figures);
  out += ",\"families\":[";
  for (std::size_t i = 0; i < e.families.size(); ++i) {
    if (i > 0) out += ',';
    append_string_object(out, {{"family", e.families[i].family},
                               {"label", e.families[i].label},
                               {"rule", e.families[i].rule}});
  }
  out += "],\"timer\":";
  if (e.timer) {
    out += '{';
    append_instant(out, "due", *e.timer);
    out += ",\"brings\":[";
    for (std::size_t i = 0; i < e.timer_brings.size(); ++i) {
      if (i > 0) out += ',';
      append_string_object(out, {{"family", e.timer_brings[i].family},
                                 {"from", e.timer_brings[i].from},
                                 {"to", e.timer_brings[i].to}});
    }
    out += "]}";
  } else {
    out += "null";
  }
  out += ",\"pending_actions\":[";
  for (std::size_t i = 0; i < e.pending_actions.size(); ++i) {
    const PendingAction& a = e.pending_actions[i];
    if (i > 0) out += ',';
    out += '{';
    append_field(out, "action", action_name(a.kind));
    out += ',';
    append_instant(out, "due", a.due);
    out += ",\"step\":" + std::to_string(a.step) + ",";
    append_field(out, "category", a.category);
    out += '}';
  }
  out += "]}";
  return out;
}

}  // namespace segmentd
