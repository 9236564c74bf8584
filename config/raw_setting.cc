#include "config/raw_setting.h"

namespace segmentd {

std::string display_raw_value(const RawValue& value) {
  switch (value.form) {
    case RawValue::Form::text:
      return "\"" + value.text + "\"";
    case RawValue::Form::list: {
      std::string out;
      for (const auto& item : value.items) out += (out.empty() ? "\"" : ", \"") + item + "\"";
      return "[" + out + "]";
    }
    default:
      return value.text;
  }
}

}  // namespace segmentd
