// segmentd-gen: command-line front end of the purchase-stream generator
// (bench/generator/generator.h). Exit status: 0 success, 1 I/O or generation
// error, 2 usage error. The summary line goes to stderr.
#include <chrono>
#include <cstdio>
#include <exception>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <utility>

#include "bench/generator/generator.h"
#include "bench/generator/options.h"

namespace {

using namespace segmentd::gen;

struct FileCloser {
  void operator()(std::FILE* file) const { std::fclose(file); }
};
using FilePtr = std::unique_ptr<std::FILE, FileCloser>;

FilePtr open_for_writing(const std::string& path) {
  FilePtr file(std::fopen(path.c_str(), "wb"));
  if (!file) throw std::runtime_error("cannot open " + path + " for writing");
  return file;
}

void close_checked(FilePtr file, const std::string& path) {
  if (file && std::fclose(file.release()) != 0) throw std::runtime_error("cannot close " + path);
}

int run(const CliArgs& args) {
  const bool to_stdout = args.output.empty() || args.output == "-";
  FilePtr output_file = to_stdout ? nullptr : open_for_writing(args.output);
  FilePtr manifest_file = args.manifest.empty() ? nullptr : open_for_writing(args.manifest);
  OutputFile out(to_stdout ? stdout : output_file.get(), to_stdout ? "stdout" : args.output);
  std::unique_ptr<OutputFile> manifest;
  if (manifest_file) manifest = std::make_unique<OutputFile>(manifest_file.get(), args.manifest);

  const auto started = std::chrono::steady_clock::now();
  const GenerationSummary summary = generate(args.options, out, manifest.get());
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - started;

  std::fprintf(stderr, "%s\n", format_summary(summary, elapsed.count()).c_str());
  close_checked(std::move(output_file), args.output);
  close_checked(std::move(manifest_file), args.manifest);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const auto arguments = std::span<const char* const>(argv, static_cast<std::size_t>(argc));
  const CliParse parsed = parse_cli(arguments.subspan(1));
  if (!parsed.ok) {
    std::fprintf(stderr, "segmentd-gen: %s\n", parsed.error.c_str());
    return 2;
  }
  if (parsed.args.help) {
    std::fwrite(help_text().data(), 1, help_text().size(), stdout);
    return 0;
  }
  try {
    return run(parsed.args);
  } catch (const std::exception& error) {
    std::fprintf(stderr, "segmentd-gen: %s\n", error.what());
    return 1;
  }
}
