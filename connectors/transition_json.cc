#include "connectors/transition_json.h"

#include <charconv>

#include "engine/event_time.h"
#include "engine/money.h"

namespace segmentd {

namespace {

template <typename Int>
void append_int(std::string& out, Int value) {
  char digits[24];
  auto [end, ec] = std::to_chars(digits, digits + sizeof digits, value);
  out.append(digits, end);
}

void append_hex_escape(std::string& out, unsigned char c) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.append("\\u00");
  out.push_back(kHex[c >> 4]);
  out.push_back(kHex[c & 0xf]);
}

void append_escaped_char(std::string& out, char c) {
  switch (c) {
    case '"':
      out.append("\\\"");
      return;
    case '\\':
      out.append("\\\\");
      return;
    case '\n':
      out.append("\\n");
      return;
    case '\r':
      out.append("\\r");
      return;
    case '\t':
      out.append("\\t");
      return;
    default:
      append_hex_escape(out, static_cast<unsigned char>(c));
  }
}

bool needs_escape(char c) { return c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20; }

void append_snapshot(std::string& out, const TransitionSnapshot& s) {
  out.append(",\"snapshot\":{\"purchases\":");
  append_int(out, s.purchases);
  if (s.purchases > 0) {
    out.append(",\"first_purchase_ts\":");
    append_int(out, s.first_purchase_ts.ms);
    out.append(",\"last_purchase_ts\":");
    append_int(out, s.last_purchase_ts.ms);
  } else {
    out.append(",\"first_purchase_ts\":null,\"last_purchase_ts\":null");
  }
  out.append(",\"monetary_total\":");
  append_money(out, s.monetary_total);
  out.push_back('}');
}

void append_escaped(std::string& out, std::string_view text) {
  std::size_t clean_from = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (!needs_escape(text[i])) continue;
    out.append(text.substr(clean_from, i - clean_from));
    append_escaped_char(out, text[i]);
    clean_from = i + 1;
  }
  out.append(text.substr(clean_from));
}

}  // namespace

void append_json_string(std::string& out, std::string_view text) {
  out.push_back('"');
  append_escaped(out, text);
  out.push_back('"');
}

void append_transition_json(std::string& out, const Transition& t) {
  out.append("{\"schema\":\"");
  out.append(kTransitionSchema);
  out.append("\",\"transition_id\":\"");
  append_escaped(out, t.member_id);
  out.push_back(':');
  append_int(out, t.seq);
  out.push_back('"');
  out.append(",\"member_id\":");
  append_json_string(out, t.member_id);
  out.append(",\"family\":\"");
  out.append(t.family);
  out.append("\",\"from\":\"");
  out.append(t.from);
  out.append("\",\"to\":\"");
  out.append(t.to);
  out.append("\",\"effective_ts\":");
  append_int(out, t.effective_ts.ms);
  out.append(",\"effective_time\":\"");
  append_rfc3339(out, t.effective_ts);
  switch (t.cause) {
    case TransitionCause::event:
      out.append("\",\"cause\":\"event\",\"event_id\":");
      break;
    case TransitionCause::timer:
      out.append("\",\"cause\":\"timer\",\"event_id\":");
      break;
    case TransitionCause::sweep:
      out.append("\",\"cause\":\"sweep\",\"event_id\":");
      break;
  }
  if (t.cause == TransitionCause::event) {
    append_json_string(out, t.event_id);
  } else {
    out.append("null");
  }
  out.append(",\"seq\":");
  append_int(out, t.seq);
  append_snapshot(out, t.snapshot);
  out.push_back('}');
}

}  // namespace segmentd
