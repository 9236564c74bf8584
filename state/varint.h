// Little building blocks for the state encodings: LEB128 varints (zig-zag for signed
// values), length-prefixed strings and big-endian fixed-width keys (which sort in
// numeric order). The put_* functions append to a string; a Writer writes the same bytes
// through a cursor for the hot member record. A Reader never reads past its input; a
// failed read sets ok() false and every later read returns zero. Not thread-safe per
// instance.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace segmentd::bytes {

// The most bytes a varint takes.
inline constexpr std::size_t kMaxVarint = 10;

// Writes `v` as a varint at `at`, which has room for kMaxVarint bytes; returns the end.
inline char* write_varint(char* at, std::uint64_t v) {
  while (v >= 0x80) {
    *at++ = static_cast<char>(v | 0x80);
    v >>= 7;
  }
  *at++ = static_cast<char>(v);
  return at;
}

// Zig-zag: small negative numbers take as few bytes as small positive ones.
inline std::uint64_t zigzag(std::int64_t v) {
  return (static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63);
}

// Built in a local buffer and appended once: with a push_back per byte (a capacity check
// and a terminator each) encoding a member record took a quarter longer (BM_EncodeMember).
inline void put_varint(std::string& out, std::uint64_t v) {
  char buffer[kMaxVarint];
  out.append(buffer, static_cast<std::size_t>(write_varint(buffer, v) - buffer));
}

inline void put_signed(std::string& out, std::int64_t v) { put_varint(out, zigzag(v)); }

inline void put_string(std::string& out, std::string_view s) {
  put_varint(out, s.size());
  out.append(s);
}

// Appends to a string through a cursor, for the hot encodings (the member record): each
// put checks the room left once and writes in place, instead of a string append per
// value (a capacity check, a length and terminator update, a memcpy call each). The
// string is grown ahead (its new bytes zeroed once) and cut back to what was written by
// finish(), which must be called before the string is used again.
class Writer {
 public:
  // `expected`: about how many bytes will be written (more is fine, at a regrowth).
  Writer(std::string& out, std::size_t expected) : out_(out) {
    const std::size_t used = out.size();
    out.resize(used + expected + kMaxVarint);
    pos_ = out.data() + used;
    end_ = out.data() + out.size();
  }
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  void varint(std::uint64_t v) {
    room(kMaxVarint);
    // Through a parameter: a store through char* could change the member pos_ itself, so
    // writing through pos_ would reload and store it for every byte.
    pos_ = write_varint(pos_, v);
  }
  void signed_varint(std::int64_t v) { varint(zigzag(v)); }
  void byte(std::uint8_t b) {
    room(1);
    *pos_++ = static_cast<char>(b);
  }
  void raw(std::string_view s) {
    room(s.size());
    if (!s.empty()) std::memcpy(pos_, s.data(), s.size());
    pos_ += s.size();
  }
  void string(std::string_view s) {
    varint(s.size());
    raw(s);
  }
  void finish() { out_.resize(static_cast<std::size_t>(pos_ - out_.data())); }

 private:
  void room(std::size_t n) {
    if (static_cast<std::size_t>(end_ - pos_) < n) grow(n);
  }
  // Out of line, so that the puts stay small enough to be inlined.
  [[gnu::noinline]] void grow(std::size_t n) {
    const auto used = static_cast<std::size_t>(pos_ - out_.data());
    out_.resize(std::max(2 * out_.size(), used + n + kMaxVarint));
    pos_ = out_.data() + used;
    end_ = out_.data() + out_.size();
  }

  std::string& out_;
  char* pos_;
  char* end_;
};

// Big-endian, so that byte order equals numeric order; `biased` flips the sign bit so
// negative numbers sort first too.
inline void put_fixed64(std::string& out, std::uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>(v >> shift));
}
inline void put_fixed32(std::string& out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>(v >> shift));
}
inline std::uint64_t biased(std::int64_t v) {
  return static_cast<std::uint64_t>(v) ^ (std::uint64_t{1} << 63);
}

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}

  std::uint64_t varint() {
    std::uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= in_.size()) return fail();
      const auto byte = static_cast<std::uint8_t>(in_[pos_++]);
      v |= static_cast<std::uint64_t>(byte & 0x7f) << shift;
      if ((byte & 0x80) == 0) return v;
    }
    return fail();
  }
  std::int64_t signed_varint() {
    const std::uint64_t z = varint();
    return static_cast<std::int64_t>((z >> 1) ^ (~(z & 1) + 1));
  }
  std::string_view string() {
    const std::uint64_t n = varint();
    if (!ok_ || n > in_.size() - pos_) return fail(), std::string_view{};
    std::string_view s = in_.substr(pos_, n);
    pos_ += n;
    return s;
  }
  std::uint64_t fixed64() {
    if (in_.size() - pos_ < 8) return fail();
    std::uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<std::uint8_t>(in_[pos_++]);
    return v;
  }
  bool ok() const { return ok_; }
  bool at_end() const { return pos_ == in_.size(); }
  std::size_t position() const { return pos_; }
  std::size_t remaining() const { return in_.size() - pos_; }

 private:
  std::uint64_t fail() {
    ok_ = false;
    pos_ = in_.size();
    return 0;
  }
  std::string_view in_;
  std::size_t pos_ = 0;
  bool ok_ = true;
};

}  // namespace segmentd::bytes
