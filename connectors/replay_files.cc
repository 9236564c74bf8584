#include "connectors/replay_files.h"

#include <charconv>

#include "connectors/action_json.h"
#include "connectors/raw_bytes_json.h"
#include "connectors/transition_json.h"

namespace segmentd {

void JsonlTransitionSink::emit(const Transition& transition) {
  append_transition_json(out_.line_buffer(), transition);
  Status s = out_.end_line();
  if (!s.is_ok() && status_.is_ok()) status_ = std::move(s);
}

void JsonlActionSink::emit(const MemberAction& action) {
  append_action_json(out_.line_buffer(), action);
  Status s = out_.end_line();
  if (!s.is_ok() && status_.is_ok()) status_ = std::move(s);
}

Status write_dead_letter(JsonlFileWriter& out, const InputLine& input, const Rejection& rejection) {
  std::string& line = out.line_buffer();
  char digits[24];
  const auto end = std::to_chars(digits, digits + sizeof digits, input.number).ptr;
  line.append("{\"line\":");
  line.append(digits, end);
  line.append(",\"reason\":\"");
  line.append(reason_code(rejection.reason));
  line.append("\",\"detail\":");
  append_json_string(line, rejection.detail);
  line.push_back(',');
  if (input.dropped_bytes == 0) {
    append_raw_bytes_field(line, input.text);
  } else {
    append_raw_bytes_field(line, input.text.substr(0, without_cut_utf8_tail(input.text)));
    line.append(",\"raw_truncated\":true");
  }
  line.push_back('}');
  return out.end_line();
}

}  // namespace segmentd
