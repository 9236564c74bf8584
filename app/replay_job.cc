#include "app/replay_job.h"

#include <algorithm>
#include <chrono>
#include <deque>
#include <filesystem>
#include <memory>
#include <stdexcept>

#include "app/progress_meter.h"
#include "app/replay_scratch_dir.h"
#include "connectors/event_parser.h"
#include "connectors/event_record.h"
#include "connectors/jsonl_file_writer.h"
#include "connectors/jsonl_reader.h"
#include "connectors/replay_files.h"
#include "connectors/time_sorted_input.h"
#include "engine/stream_processor.h"
#include "state/member_cache.h"

namespace segmentd {

namespace {

// A dead letter could not be written; raised from inside the per-line callbacks and
// turned into a fatal Status by run_replay.
class DeadLetterWriteError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

constexpr StreamId kReplayStream{0};

bool is_blank(std::string_view line) {
  return std::all_of(line.begin(), line.end(),
                     [](char c) { return c == ' ' || c == '\t' || c == '\r'; });
}

// SIGTERM or SIGINT arrived (ReplayRequest::stop); raised where the run polls it.
class Interrupted : public std::runtime_error {
 public:
  Interrupted() : std::runtime_error("interrupted") {}
};

class ReplayRun {
 public:
  ReplayRun(const ReplaySettings& settings, const ReplayRequest& request, ReplayOutcome& outcome)
      : settings_(settings),
        request_(request),
        outcome_(outcome),
        parser_(settings.max_event_bytes) {}

  Status run() {
    // The input first: a missing input must fail before any output is cut.
    for (auto step : {&ReplayRun::open_input, &ReplayRun::open_state, &ReplayRun::open_outputs,
                      &ReplayRun::position_input, &ReplayRun::process_input, &ReplayRun::finish}) {
      Status s = (this->*step)();
      if (!s.is_ok()) return s;
    }
    return Status::ok();
  }

 private:
  Status open_input();
  Status open_state();
  Status open_outputs();
  Status position_input();
  Status process_input();
  Status finish();
  bool parse(const InputLine& line, PurchaseEvent& event);
  std::optional<EpochMs> classify(const InputLine& line, std::string& record);
  void apply(const InputLine& line);
  Status commit();
  Status commit_to_disk();
  Status commit_if_due();
  bool next_sorted(InputLine& line);
  bool stop_requested() const { return request_.stop != nullptr && request_.stop->load(); }
  Status stop();

  const ReplaySettings& settings_;
  const ReplayRequest& request_;
  ReplayOutcome& outcome_;
  EventParser parser_;
  EventRecordDecoder decoder_;  // --sort: the sorted records of parsed events
  ScratchDir scratch_;
  std::unique_ptr<StateStore> store_;
  std::unique_ptr<MemberCache> members_;
  TimerIndex timers_;
  std::optional<StreamCheckpoint> resumed_;
  ReplayPosition position_;
  std::unique_ptr<JsonlFileWriter> output_;
  std::unique_ptr<JsonlFileWriter> dlq_;
  std::unique_ptr<JsonlTransitionSink> sink_;
  std::unique_ptr<JsonlFileWriter> actions_output_;
  std::unique_ptr<JsonlActionSink> action_sink_;
  std::unique_ptr<StreamProcessor> processor_;
  std::unique_ptr<JsonlReader> reader_;
  std::unique_ptr<TimeSortedInput> sorted_;
  // --sort: the records after the one being applied, read ahead so that the members and
  // timers they touch are asked of memory a few events before they are needed
  // (MemberCache::prefetch): at a million members nearly every lookup misses the caches.
  struct AheadRecord {
    std::string bytes;
    std::uint64_t number = 0;
  };
  std::deque<AheadRecord> ahead_;
  AheadRecord current_;
  bool sorted_end_ = false;
  std::uint64_t next_commit_line_ = 0;  // commit when position_.lines reaches it
  ProgressMeter progress_;
};

Status ReplayRun::open_state() {
  std::string dir = settings_.state_dir;
  if (dir.empty()) {
    Status s = scratch_.create();
    if (!s.is_ok()) return s;
    dir = scratch_.state_dir();
  }
  // Without the WAL: a replay's commits are durable once written out (state_store.h),
  // and a SIGKILL costs at most a memtable of work, done again on the next run.
  Status s = StateStore::open(
      StoreOptions{
          .dir = dir, .write_buffer_bytes = settings_.write_buffer_bytes, .write_ahead_log = false},
      store_);
  if (!s.is_ok()) return s;
  members_ = std::make_unique<MemberCache>(*store_, kReplayStream, settings_.cache_bytes);
  members_->track_stored_ids();  // the replay is its store's only writer
  s = store_->read_checkpoint(kReplayStream, resumed_);
  if (!s.is_ok()) return s;
  if (resumed_ && !decode_replay_position(resumed_->source_position, position_)) {
    return Status::fatal("state.dir " + dir +
                         " holds no replay checkpoint (was it used by "
                         "`segmentd run`?): use another state.dir");
  }
  if (resumed_ && resumed_->processor.utc_offset != settings_.engine.utc_offset) {
    return Status::fatal("state.dir " + dir +
                         " was made with another time.utc_offset (its per-day figures depend "
                         "on it): use the same offset, or another state.dir to replay again");
  }
  if (resumed_ && position_.sorted != request_.sort) {
    return Status::fatal("state.dir " + dir + " was written by a replay " +
                         (position_.sorted ? "with" : "without") +
                         " --sort: run again the same way, or use another state.dir");
  }
  return members_->load_timers(timers_);
}

Status ReplayRun::open_outputs() {
  Status s = JsonlFileWriter::open(request_.output, position_.output_bytes, output_);
  if (!s.is_ok()) return s;
  // With --sort the dead letters are all written again by the sort pass.
  s = JsonlFileWriter::open(request_.dlq, request_.sort ? 0 : position_.dlq_bytes, dlq_);
  if (!s.is_ok()) return s;
  sink_ = std::make_unique<JsonlTransitionSink>(*output_);
  if (!request_.actions.empty()) {
    s = JsonlFileWriter::open(request_.actions, position_.actions_bytes, actions_output_);
    if (!s.is_ok()) return s;
    action_sink_ = std::make_unique<JsonlActionSink>(*actions_output_);
  }
  processor_ = std::make_unique<StreamProcessor>(
      settings_.engine, *members_, timers_, *sink_,
      resumed_ ? resumed_->processor : ProcessorCheckpoint{}, action_sink_.get());
  outcome_.resumed_from_line = resumed_ ? position_.lines : 0;
  return Status::ok();
}

// --sort: parses each line once, before sorting; the sort keeps the parsed event.
std::optional<EpochMs> ReplayRun::classify(const InputLine& line, std::string& record) {
  if (stop_requested()) throw Interrupted();
  PurchaseEvent event;
  ++position_.events_read;
  if (!parse(line, event)) return std::nullopt;
  encode_event_record(record, event);
  return event.ts;
}

// Parses `line`, or writes its dead letter and returns false.
bool ReplayRun::parse(const InputLine& line, PurchaseEvent& event) {
  Rejection rejection;
  if (line.dropped_bytes > 0) {
    parser_.reject_oversized(line.text.size() + line.dropped_bytes, rejection);
  } else if (parser_.parse(line.text, event, rejection)) {
    return true;
  }
  ++position_.rejected[static_cast<std::size_t>(rejection.reason)];
  Status s = write_dead_letter(*dlq_, line, rejection);
  if (!s.is_ok()) throw DeadLetterWriteError(s.message());
  return false;
}

Status ReplayRun::open_input() {
  return JsonlReader::open(request_.input, settings_.max_event_bytes, reader_);
}

Status ReplayRun::position_input() {
  if (!request_.sort) return reader_->skip_to(position_.input_offset, position_.lines);
  position_.sorted = true;
  position_.events_read = 0;
  position_.rejected = {};
  const std::string spill_dir = std::filesystem::temp_directory_path();
  Status s = TimeSortedInput::sort(
      *reader_,
      [this](const InputLine& line, std::string& record) { return classify(line, record); },
      settings_.sort_memory_bytes, spill_dir, sorted_);
  if (!s.is_ok()) return s;
  outcome_.spilled_runs = sorted_->spilled_runs();
  InputLine skipped;
  for (std::uint64_t i = 0; i < position_.lines && sorted_->next(skipped); ++i) {
  }
  return sorted_->status();
}

void ReplayRun::apply(const InputLine& line) {
  PurchaseEvent event;
  if (sorted_) {  // a record of an event parsed before sorting
    decoder_.decode(line.text, event);
    processor_->apply(event);
  } else if (parse(line, event)) {
    processor_->apply(event);
  }
}

// How far ahead each prefetch step runs, in records.
constexpr std::size_t kReadAhead = 16;
constexpr std::size_t kNodeAhead = 8;
constexpr std::size_t kRecordAhead = 2;

bool ReplayRun::next_sorted(InputLine& line) {
  while (!sorted_end_ && ahead_.size() < kReadAhead) {
    InputLine next;
    if (!sorted_->next(next)) {
      sorted_end_ = true;
      break;
    }
    ahead_.push_back({std::string(next.text), next.number});
    const std::string_view id = event_record_member_id(ahead_.back().bytes);
    members_->prefetch(id, 0);
    timers_.prefetch(id, 0);
  }
  if (ahead_.empty()) return false;
  if (ahead_.size() > kNodeAhead) {
    const std::string_view id = event_record_member_id(ahead_[kNodeAhead].bytes);
    members_->prefetch(id, 1);
    timers_.prefetch(id, 1);
  }
  if (ahead_.size() > kRecordAhead) {
    members_->prefetch(event_record_member_id(ahead_[kRecordAhead].bytes), 2);
  }
  current_ = std::move(ahead_.front());
  ahead_.pop_front();
  line = InputLine{current_.bytes, current_.number, 0, 0};
  return true;
}

Status ReplayRun::process_input() {
  if (position_.finished) return Status::ok();
  next_commit_line_ = position_.lines + settings_.commit_lines;
  InputLine line;
  for (;;) {
    const bool more = sorted_ ? next_sorted(line) : reader_->next(line);
    if (!more) break;
    ++position_.lines;
    position_.input_offset = line.end_offset;
    if (!sorted_) {
      if (line.dropped_bytes == 0 && is_blank(line.text)) continue;
      ++position_.events_read;
    }
    apply(line);
    Status s = commit_if_due();
    if (!s.is_ok()) return s;
    if ((position_.lines & 1023) == 0) {
      if (!sink_->status().is_ok()) return sink_->status();
      if (stop_requested()) return stop();
      if (request_.show_progress) progress_.update(position_, processor_->checkpoint());
    }
  }
  // A signal that also ended the input early (Ctrl-C kills a producer piping into
  // stdin) must not pass for the end of the input.
  if (stop_requested()) return stop();
  return sorted_ ? sorted_->status() : reader_->status();
}

Status ReplayRun::finish() {
  if (!position_.finished) {
    const StreamClock& clock = processor_->checkpoint().clock;
    if (request_.until) {
      processor_->advance_clock_to(*request_.until);
    } else if (clock.started) {
      processor_->advance_clock_to(clock.max_event_ts);
    }
    position_.finished = true;
  }
  Status s = commit_to_disk();
  if (!s.is_ok()) return s;
  if (request_.show_progress) progress_.finish();
  outcome_.position = position_;
  outcome_.processor = processor_->checkpoint();
  outcome_.members_resident = members_->resident_members();
  if (!request_.explain.empty()) outcome_.explained = members_->load(request_.explain);
  outcome_.state_disk_bytes = store_->figures().disk_bytes;
  const StreamStats& stats = outcome_.processor.stats;
  const std::uint64_t accepted = stats.events_applied + stats.events_duplicate;
  outcome_.looks_unsorted = !request_.sort && accepted > 0 && stats.events_late * 100 > accepted;
  return Status::ok();
}

// Every settings_.commit_lines lines, and sooner when the members in memory outgrow the
// cache budget (the daily sweeps read many members) or the changed members would fill the
// commit's write batch: all by the work done, never by the wall clock.
Status ReplayRun::commit_if_due() {
  if (position_.lines < next_commit_line_ && !members_->over_budget() && !members_->batch_full()) {
    return Status::ok();
  }
  next_commit_line_ = position_.lines + settings_.commit_lines;
  return commit();
}

// With a state.dir the work done so far is committed, so that running the same command
// again continues from here; a temporary one is removed as the run unwinds.
Status ReplayRun::stop() {
  if (!settings_.state_dir.empty()) {
    Status s = commit_to_disk();
    if (!s.is_ok()) return s;
  }
  throw Interrupted();
}

// A commit written out before the run reports its end: the next run of the same command
// finds it (a temporary state dir is removed instead).
Status ReplayRun::commit_to_disk() {
  Status s = commit();
  if (!s.is_ok() || settings_.state_dir.empty()) return s;
  return store_->flush();
}

// Outputs first, then the state that records their lengths.
Status ReplayRun::commit() {
  for (JsonlFileWriter* writer : {output_.get(), dlq_.get(), actions_output_.get()}) {
    if (writer == nullptr) continue;
    Status s = writer->sync();
    if (!s.is_ok()) return s;
  }
  if (!sink_->status().is_ok()) return sink_->status();
  if (action_sink_ && !action_sink_->status().is_ok()) return action_sink_->status();
  ++outcome_.commits;
  position_.output_bytes = output_->length();
  position_.dlq_bytes = dlq_->length();
  if (actions_output_) position_.actions_bytes = actions_output_->length();
  return members_->commit(
      StreamCheckpoint{processor_->checkpoint(), encode_replay_position(position_)});
}

}  // namespace

Status run_replay(const ReplaySettings& settings, const ReplayRequest& request,
                  ReplayOutcome& outcome) {
  const auto started = std::chrono::steady_clock::now();
  ReplayRun run(settings, request, outcome);
  Status s = Status::ok();
  try {
    s = run.run();
  } catch (const StateStoreError& e) {
    s = Status::fatal(e.what());
  } catch (const DeadLetterWriteError& e) {
    s = Status::fatal(e.what());
  } catch (const Interrupted&) {
    outcome.interrupted = true;
    s = Status::fatal("interrupted by a signal");
  }
  outcome.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return s;
}

}  // namespace segmentd
