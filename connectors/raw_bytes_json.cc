#include "connectors/raw_bytes_json.h"

#include "connectors/transition_json.h"

namespace segmentd {

namespace {

// Length of the UTF-8 sequence that `lead` starts (0: not a lead byte).
std::size_t sequence_length(unsigned char lead) {
  if (lead < 0x80) return 1;
  if (lead >= 0xc2 && lead <= 0xdf) return 2;
  if (lead >= 0xe0 && lead <= 0xef) return 3;
  if (lead >= 0xf0 && lead <= 0xf4) return 4;
  return 0;
}

// Whether the continuation bytes of the sequence at `s` (of length `n` >= 2) are valid,
// the second byte's range depending on the lead (no overlongs, surrogates, > U+10FFFF).
bool valid_sequence(const unsigned char* s, std::size_t n) {
  unsigned char low = 0x80, high = 0xbf;
  if (s[0] == 0xe0) low = 0xa0;
  if (s[0] == 0xed) high = 0x9f;
  if (s[0] == 0xf0) low = 0x90;
  if (s[0] == 0xf4) high = 0x8f;
  if (s[1] < low || s[1] > high) return false;
  for (std::size_t i = 2; i < n; ++i) {
    if ((s[i] & 0xc0) != 0x80) return false;
  }
  return true;
}

void append_base64(std::string& out, std::string_view bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const auto b0 = static_cast<unsigned char>(bytes[i]);
    const auto b1 = static_cast<unsigned char>(bytes[i + 1]);
    const auto b2 = static_cast<unsigned char>(bytes[i + 2]);
    out.push_back(kAlphabet[b0 >> 2]);
    out.push_back(kAlphabet[((b0 & 0x03) << 4) | (b1 >> 4)]);
    out.push_back(kAlphabet[((b1 & 0x0f) << 2) | (b2 >> 6)]);
    out.push_back(kAlphabet[b2 & 0x3f]);
  }
  const std::size_t left = bytes.size() - i;
  if (left == 0) return;
  const auto b0 = static_cast<unsigned char>(bytes[i]);
  const auto b1 = left == 2 ? static_cast<unsigned char>(bytes[i + 1]) : 0;
  out.push_back(kAlphabet[b0 >> 2]);
  out.push_back(kAlphabet[((b0 & 0x03) << 4) | (b1 >> 4)]);
  out.push_back(left == 2 ? kAlphabet[(b1 & 0x0f) << 2] : '=');
  out.push_back('=');
}

}  // namespace

bool is_valid_utf8(std::string_view bytes) {
  const auto* s = reinterpret_cast<const unsigned char*>(bytes.data());
  const std::size_t size = bytes.size();
  std::size_t i = 0;
  while (i < size) {
    const std::size_t n = sequence_length(s[i]);
    if (n == 0 || n > size - i) return false;
    if (n > 1 && !valid_sequence(s + i, n)) return false;
    i += n;
  }
  return true;
}

std::size_t without_cut_utf8_tail(std::string_view bytes) {
  const auto* s = reinterpret_cast<const unsigned char*>(bytes.data());
  const std::size_t size = bytes.size();
  // The last lead byte is at most 3 bytes from the end of a cut sequence.
  for (std::size_t back = 1; back <= 3 && back <= size; ++back) {
    const unsigned char c = s[size - back];
    if ((c & 0xc0) == 0x80) continue;  // a continuation byte: look further back
    const std::size_t n = sequence_length(c);
    return n > back ? size - back : size;
  }
  return size;
}

void append_raw_bytes_field(std::string& out, std::string_view bytes) {
  if (is_valid_utf8(bytes)) {
    out.append("\"raw\":");
    append_json_string(out, bytes);
    return;
  }
  out.append("\"raw_base64\":\"");
  append_base64(out, bytes);
  out.push_back('"');
}

}  // namespace segmentd
