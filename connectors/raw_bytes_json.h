// The original bytes of a rejected input line as a field of a JSON dead-letter line,
// so that every dead-letter line is valid JSON (and valid UTF-8) and the bytes stay
// recoverable: "raw":"<the line as a JSON string>" when the bytes are valid UTF-8,
// else "raw_base64":"<the bytes in standard base64, with padding>".
// Stateless; thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace segmentd {

// Strict UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing above U+10FFFF.
bool is_valid_utf8(std::string_view bytes);

// The length of `bytes` without an incomplete UTF-8 sequence at its end (where a longer
// text was cut), so that a cut valid text stays valid.
std::size_t without_cut_utf8_tail(std::string_view bytes);

// Appends `"raw":...` or `"raw_base64":...` (no separator before it) for `bytes`.
void append_raw_bytes_field(std::string& out, std::string_view bytes);

}  // namespace segmentd
