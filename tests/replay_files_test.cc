// Tests of the file ends of `segmentd replay` (connectors/): the output writer after a
// write error, dead-letter lines for bytes that are not UTF-8, and the reader's bound
// on the memory one line may take.
#include "connectors/replay_files.h"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "connectors/jsonl_file_writer.h"
#include "connectors/jsonl_reader.h"
#include "connectors/raw_bytes_json.h"

namespace segmentd {
namespace {

using Catch::Matchers::Contains;

std::string raw_field(std::string_view bytes) {
  std::string out;
  append_raw_bytes_field(out, bytes);
  return out;
}

// A file in the temporary directory, removed when the test ends.
class TempFile {
 public:
  explicit TempFile(const std::string& content) {
    static int counter = 0;
    path_ = (std::filesystem::temp_directory_path() /
             ("segmentd_replay_files_test_" + std::to_string(::getpid()) + "_" +
              std::to_string(++counter)))
                .string();
    std::ofstream(path_, std::ios::binary) << content;
  }
  ~TempFile() { std::filesystem::remove(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Reads the next line and checks what the reader kept of it and how many bytes it
// dropped; returns it for further checks.
InputLine check_next(JsonlReader& reader, std::string_view text, std::uint64_t dropped) {
  InputLine line;
  REQUIRE(reader.next(line));
  CHECK(line.text == text);
  CHECK(line.dropped_bytes == dropped);
  return line;
}

}  // namespace

TEST_CASE("a write error is final: later lines are dropped, not buffered and retried") {
  std::unique_ptr<JsonlFileWriter> writer;
  REQUIRE(JsonlFileWriter::open("/dev/full", 0, writer).is_ok());
  const std::string line(1000, 'x');
  Status first = Status::ok();
  for (int i = 0; i < 2000 && first.is_ok(); ++i) {
    writer->line_buffer().append(line);
    first = writer->end_line();
  }
  REQUIRE_FALSE(first.is_ok());
  CHECK_THAT(first.message(), Contains("/dev/full") && Contains("No space left on device"));
  const std::uint64_t length = writer->length();
  for (int i = 0; i < 100; ++i) {
    writer->line_buffer().append(line);
    CHECK(writer->end_line().message() == first.message());
  }
  CHECK(writer->length() == length);
  CHECK(writer->sync().message() == first.message());
}

TEST_CASE("dead-letter raw bytes: raw when valid UTF-8, raw_base64 otherwise") {
  CHECK(raw_field("{\"a\":\"caf\xc3\xa9\"}") == "\"raw\":\"{\\\"a\\\":\\\"caf\xc3\xa9\\\"}\"");
  CHECK(raw_field("") == "\"raw\":\"\"");
  CHECK(raw_field("\xff") == "\"raw_base64\":\"/w==\"");
  CHECK(raw_field("ab\xfe") == "\"raw_base64\":\"YWL+\"");
  CHECK(raw_field("a\xc3") == "\"raw_base64\":\"YcM=\"");
  for (const std::string bad : {"\xc0\xaf", "\xe0\x80\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80",
                                "\xf8\x88\x80\x80\x80", "\x80", "\xe2\x82"}) {
    INFO(bad);
    CHECK_FALSE(is_valid_utf8(bad));
  }
  for (const std::string good : {"\x7f", "\xc2\x80", "\xe2\x82\xac", "\xef\xbf\xbf",
                                 "\xf0\x90\x80\x80", "\xf4\x8f\xbf\xbf"}) {
    INFO(good);
    CHECK(is_valid_utf8(good));
  }
}

TEST_CASE("a cut UTF-8 text loses only its incomplete last character") {
  CHECK(without_cut_utf8_tail("ab\xe2\x82") == 2);
  CHECK(without_cut_utf8_tail("ab\xe2") == 2);
  CHECK(without_cut_utf8_tail("ab\xe2\x82\xac") == 5);
  CHECK(without_cut_utf8_tail("ab\xf0\x90\x80") == 2);
  CHECK(without_cut_utf8_tail("abc") == 3);
  CHECK(without_cut_utf8_tail("") == 0);
}

TEST_CASE("the reader keeps at most max_line_bytes of a line and drops the rest") {
  const std::string huge(10'000'000, 'h');
  const TempFile input("first\n" + huge + "\r\nlast\n" + std::string(100, 'z'));
  std::unique_ptr<JsonlReader> reader;
  REQUIRE(JsonlReader::open(input.path(), 64, reader).is_ok());
  check_next(*reader, "first", 0);
  const InputLine cut = check_next(*reader, std::string(64, 'h'), huge.size() + 1 - 64);
  CHECK(cut.number == 2);  // its dropped bytes include its "\r"
  CHECK(cut.end_offset == 6 + huge.size() + 2);
  check_next(*reader, "last", 0);
  CHECK(check_next(*reader, std::string(64, 'z'), 36).end_offset == 6 + huge.size() + 2 + 5 + 100);
  InputLine line;
  CHECK_FALSE(reader->next(line));
  CHECK(reader->status().is_ok());
}

TEST_CASE("a line over max_line_bytes is cut the same whether or not the buffer holds all of it") {
  // Here every line fits the first read, so the buffer holds the long one whole; read
  // from a resume point inside a larger file it may not (a resumed replay's dead letters
  // must be those of an uninterrupted run).
  const TempFile input("a\n" + std::string(100, 'x') + "\r\nb\n" + std::string(65, 'y') + "\n" +
                       std::string(64, 'z') + "\r\n");
  std::unique_ptr<JsonlReader> reader;
  REQUIRE(JsonlReader::open(input.path(), 64, reader).is_ok());
  check_next(*reader, "a", 0);
  // Its dropped bytes include its "\r", as when the buffer ends inside it.
  CHECK(check_next(*reader, std::string(64, 'x'), 37).end_offset == 2 + 100 + 2);
  check_next(*reader, "b", 0);
  check_next(*reader, std::string(64, 'y'), 1);
  check_next(*reader, std::string(64, 'z'), 0);  // exactly max_line_bytes before its "\r"
  InputLine line;
  CHECK_FALSE(reader->next(line));
}

TEST_CASE("a dead letter of a cut line says so and stays valid UTF-8") {
  std::unique_ptr<JsonlFileWriter> writer;
  const TempFile out("");
  REQUIRE(JsonlFileWriter::open(out.path(), 0, writer).is_ok());
  InputLine line;
  line.text = "{\"x\":\"\xe2\x82";  // cut inside a character
  line.number = 7;
  line.dropped_bytes = 1000;
  REQUIRE(write_dead_letter(*writer, line, Rejection{RejectReason::too_large, "big"}).is_ok());
  REQUIRE(writer->sync().is_ok());
  std::ifstream in(out.path(), std::ios::binary);
  std::string written((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK(written ==
        "{\"line\":7,\"reason\":\"too_large\",\"detail\":\"big\",\"raw\":\"{\\\"x\\\":\\\"\","
        "\"raw_truncated\":true}\n");
}

}  // namespace segmentd
