// segmentd-gen as a library: writes a synthetic purchase stream (SPEC 2 input
// events as JSON Lines) for the given options.
//
// Contract:
//   - exactly options.events lines, never empty, each without embedded newlines;
//   - the same options (seed included) give byte-identical output and manifest,
//     whatever options.threads is;
//   - memory O(members) (about 100 bytes each) plus the late/duplicate events in
//     flight and a fixed-size render pipeline, independent of the number of events;
//   - `manifest` (may be null) receives one line per broken line, in output order.
// The options must satisfy validate(). Both outputs are flushed before returning.
// Throws std::runtime_error on write errors.
#pragma once

#include "bench/generator/options.h"
#include "bench/generator/output_file.h"
#include "bench/generator/summary.h"

namespace segmentd::gen {

GenerationSummary generate(const GeneratorOptions& options, OutputFile& out, OutputFile* manifest);

}  // namespace segmentd::gen
