// How each OptionKind is read from a RawValue, described ("what is allowed") and written
// back in canonical form. Range checks use the OptionSpec's min/max. Which raw forms a
// kind accepts: strings always; TOML integers for integer, byte_size and decimal; TOML
// floats for decimal; TOML arrays of strings for route_list.
// Pure functions; thread-safe.
#pragma once

#include <string>

#include "config/config_result.h"
#include "config/option_registry.h"
#include "config/raw_setting.h"

namespace segmentd {

// The checked value, or the reason it is refused ("expected a duration like ...").
ConfigResult<OptionValue> parse_option_value(const OptionSpec& spec, const RawValue& raw);

// What the option accepts, e.g. "an integer from 1 to 1024".
std::string describe_allowed(const OptionSpec& spec);

// The canonical text of a value of this option, parseable by parse_option_value.
std::string format_option_value(const OptionSpec& spec, const OptionValue& value);

// A kafka.<property> value as text for librdkafka: strings, integers, floats and
// booleans are accepted; arrays, tables and dates are not.
ConfigResult<std::string> parse_kafka_value(const RawValue& raw);

}  // namespace segmentd
