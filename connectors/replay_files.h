// The file ends of `segmentd replay` (SPEC 3.2): transitions and member actions as JSON
// Lines, and the dead-letter file whose lines are {"line": N, "reason": ..., "detail":
// ..., "raw": ...}.
// Every dead-letter line is valid JSON: a line whose bytes are not valid UTF-8 has
// "raw_base64" instead of "raw" (raw_bytes_json.h). A line longer than
// input.max_event_bytes (too_large) keeps only its first max_event_bytes bytes (cut back
// to a whole UTF-8 character), with "raw_truncated": true.
// All write through a JsonlFileWriter so their lengths can be checkpointed.
// Not thread-safe.
#pragma once

#include <cstdint>
#include <string_view>

#include "connectors/jsonl_file_writer.h"
#include "connectors/jsonl_reader.h"
#include "engine/member_action.h"
#include "engine/rejection.h"
#include "engine/transition.h"

namespace segmentd {

class JsonlTransitionSink final : public TransitionSink {
 public:
  explicit JsonlTransitionSink(JsonlFileWriter& out) : out_(out) {}
  void emit(const Transition& transition) override;
  // The first write error, if any (emit cannot return one).
  const Status& status() const { return status_; }

 private:
  JsonlFileWriter& out_;
  Status status_ = Status::ok();
};

class JsonlActionSink final : public ActionSink {
 public:
  explicit JsonlActionSink(JsonlFileWriter& out) : out_(out) {}
  void emit(const MemberAction& action) override;
  // The first write error, if any (emit cannot return one).
  const Status& status() const { return status_; }

 private:
  JsonlFileWriter& out_;
  Status status_ = Status::ok();
};

// Appends one dead-letter line for `input`.
Status write_dead_letter(JsonlFileWriter& out, const InputLine& input, const Rejection& rejection);

}  // namespace segmentd
