#include "connectors/action_json.h"

#include <string>

#include "connectors/transition_json.h"
#include "engine/event_time.h"

namespace segmentd {

namespace {

void append_number(std::string& out, std::int64_t v) { out.append(std::to_string(v)); }

void append_detail(std::string& out, const MemberAction& a) {
  out.append(",\"detail\":{");
  switch (a.kind) {
    case ActionKind::follow_up:
      out.append("\"step\":");
      append_number(out, a.step);
      out.append(",\"purchases\":");
      append_number(out, a.purchases);
      break;
    case ActionKind::replenish:
      out.append("\"category\":");
      append_json_string(out, a.category);
      out.append(",\"expected_ts\":");
      append_number(out, a.expected.ms);
      break;
    case ActionKind::birthday:
      out.append("\"birthday\":");
      append_json_string(out, a.birthday);
      break;
  }
  out.push_back('}');
}

}  // namespace

void append_action_id(std::string& out, const MemberAction& action) {
  out.append(action.member_id);
  out.append(":a");
  append_number(out, action.number);
}

void append_action_json(std::string& out, const MemberAction& a) {
  out.append("{\"schema\":\"");
  out.append(kActionSchema);
  out.append("\",\"action_id\":");
  std::string id;
  append_action_id(id, a);
  append_json_string(out, id);
  out.append(",\"member_id\":");
  append_json_string(out, a.member_id);
  out.append(",\"action\":\"");
  out.append(action_name(a.kind));
  out.append("\",\"due_ts\":");
  append_number(out, a.due.ms);
  out.append(",\"due_time\":\"");
  append_rfc3339(out, a.due);
  out.push_back('"');
  append_detail(out, a);
  out.push_back('}');
}

}  // namespace segmentd
