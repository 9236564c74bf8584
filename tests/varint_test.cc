// state/varint.h: the cursor writer of the hot encodings writes exactly what the string
// appends write, wherever it has to grow, and the reader reads it back.
#include "state/varint.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <limits>
#include <string>

namespace segmentd {
namespace {

const std::uint64_t kUnsigned[] = {0,
                                   1,
                                   127,
                                   128,
                                   16'383,
                                   16'384,
                                   0xffff'ffff,
                                   std::uint64_t{1} << 63,
                                   std::numeric_limits<std::uint64_t>::max()};
const std::int64_t kSigned[] = {0,
                                -1,
                                1,
                                -64,
                                64,
                                1'672'531'722'030,
                                -1'672'531'722'030,
                                std::numeric_limits<std::int64_t>::min(),
                                std::numeric_limits<std::int64_t>::max()};

TEST_CASE("the byte writer writes what the appends write, growing past what it expected",
          "[state]") {
  const std::string long_string(1000, 'x');
  for (std::size_t expected : {std::size_t{0}, std::size_t{16}, std::size_t{4096}}) {
    CAPTURE(expected);
    std::string appended = "prefix";
    std::string written = "prefix";
    bytes::Writer writer(written, expected);
    writer.byte(0xab);
    appended.push_back(static_cast<char>(0xab));
    for (std::uint64_t v : kUnsigned) {
      writer.varint(v);
      bytes::put_varint(appended, v);
    }
    for (std::int64_t v : kSigned) {
      writer.signed_varint(v);
      bytes::put_signed(appended, v);
    }
    for (const std::string& s : {std::string(), std::string("dairy"), long_string}) {
      writer.string(s);
      bytes::put_string(appended, s);
      writer.raw(s);
      appended += s;
    }
    writer.finish();
    CHECK(written == appended);

    bytes::Reader reader(std::string_view(written).substr(7));
    for (std::uint64_t v : kUnsigned) CHECK(reader.varint() == v);
    for (std::int64_t v : kSigned) CHECK(reader.signed_varint() == v);
    CHECK(reader.ok());
  }
}

}  // namespace
}  // namespace segmentd
