// The text forms of configuration values, both ways: pure parsers that accept exactly
// the documented syntax (no signs, spaces or exponents unless stated) and formatters
// that write the canonical form back. Parsers return nullopt on any malformed or
// overflowing input; range checks are the caller's. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "config/segmentd_config.h"

namespace segmentd {

// "65536": decimal digits only.
std::optional<std::int64_t> parse_count(std::string_view text);
// "250ms", "30s", "5m", "1h", "90d": one integer and one unit -> milliseconds.
std::optional<std::int64_t> parse_duration_ms(std::string_view text);
// "1048576", "512KiB", "256MiB", "2GiB" -> bytes.
std::optional<std::int64_t> parse_byte_size(std::string_view text);
// "2", "1.5", "2.005": at most 3 fractional digits -> thousandths (1.5 -> 1500).
std::optional<std::int64_t> parse_thousandths(std::string_view text);
// "+05:30", "-08:00": minutes below 60 -> milliseconds.
std::optional<std::int64_t> parse_utc_offset_ms(std::string_view text);
// "127.0.0.1:9464", "localhost:80", "[::1]:9464"; port 1..65535.
std::optional<HttpOptions> parse_host_port(std::string_view text);
// Non-empty and only A-Z a-z 0-9 . _ - (Kafka topic and group id characters).
bool is_kafka_name(std::string_view text);
// A valid Kafka topic name: is_kafka_name, at most 249 characters, not "." or "..".
bool is_topic_name(std::string_view text);

std::string format_duration(std::int64_t ms);              // the largest exact unit: "90d"
std::string format_byte_size(std::int64_t bytes);          // the largest exact unit: "256MiB"
std::string format_thousandths(std::int64_t value);        // "2.0", "1.5", "0.001"
std::string format_utc_offset(std::int64_t ms);            // "+05:30"
std::string format_host_port(const HttpOptions& address);  // "[::1]:9464"

}  // namespace segmentd
