// A transition and action sink that forwards to the real ones unless `silent`: what a
// partition stream emits through while it catches up to output already committed
// (partition_stream.h). Not thread-safe: the stream's thread.
#pragma once

#include "engine/member_action.h"
#include "engine/transition.h"

namespace segmentd {

class SilenceableSink final : public TransitionSink, public ActionSink {
 public:
  // `actions` may be null when no action is enabled; both must outlive the sink.
  SilenceableSink(TransitionSink& transitions, ActionSink* actions)
      : transitions_(transitions), actions_(actions) {}

  void emit(const Transition& transition) override {
    if (!silent) transitions_.emit(transition);
  }
  void emit(const MemberAction& action) override {
    if (!silent && actions_ != nullptr) actions_->emit(action);
  }

  bool silent = false;

 private:
  TransitionSink& transitions_;
  ActionSink* actions_;
};

}  // namespace segmentd
