// `replay --sort` (SPEC 3.2): a stable external sort of JSON Lines input by event time,
// for inputs of any size. Lines are read once; blank lines (only spaces, tabs, CRs) are
// skipped, and the caller's `classify` says for each other line whether it is an
// accepted event (returning its ts) or not (the caller has dead-lettered it; it is
// dropped from the sort). For an accepted line `classify` also fills `record` (cleared
// before each call) with the bytes to keep for it: the line itself, or what the caller
// made of it (the replay keeps its parsed event, so nothing is parsed twice). Accepted
// lines are sorted by (ts, line number) and next() gives their records.
//
// Memory: a run holds at most `memory_budget` bytes, counting each record's bytes plus a
// fixed per-line entry (a record longer than the budget is a run of its own); as the
// buffers grow geometrically the process may hold up to twice that (about 1.3 times in
// practice). If the whole input fits in one run, nothing touches the disk. Otherwise
// each run is sorted and appended to one temporary file in `spill_dir`, unlinked as soon
// as it is created, so it has no name and vanishes when this object is destroyed or the
// process dies; it needs about as much free space as the records. The merge then
// reads every run through its own buffer of budget / runs bytes, clamped to
// [64 KiB, 1 MiB].
//
// Errors (cannot create or write the spill file, read errors) come back from sort() or
// status(), never as exceptions; an exception thrown by `classify` propagates out of
// sort() and leaves nothing behind.
//
// Not thread-safe. A record's view is valid until the next call to next().
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "connectors/jsonl_reader.h"
#include "engine/status.h"
#include "engine/units.h"

namespace segmentd {

class TimeSortedInput {
 public:
  using Classify =
      std::function<std::optional<EpochMs>(const InputLine& line, std::string& record)>;

  static Status sort(JsonlReader& reader, const Classify& classify, std::size_t memory_budget,
                     const std::string& spill_dir, std::unique_ptr<TimeSortedInput>& sorted);
  virtual ~TimeSortedInput() = default;

  // The next accepted line in (ts, line number) order: `text` is its record, `number`
  // its original line number; `end_offset` is unused (0). False at the end or on error (see
  // status()).
  virtual bool next(InputLine& line) = 0;
  virtual const Status& status() const = 0;
  // How many runs were spilled to disk (0 when the input fit in memory).
  virtual std::size_t spilled_runs() const = 0;
};

}  // namespace segmentd
