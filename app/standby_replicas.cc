#include "app/standby_replicas.h"

#include <algorithm>

#include "app/changelog_restore.h"
#include "app/log.h"

namespace segmentd {

using SteadyClock = std::chrono::steady_clock;

StandbyReplicas::StandbyReplicas(StateStore& store, std::unique_ptr<ChangelogReader> reader,
                                 Chooser choose, StandbySettings settings)
    : store_(store),
      reader_(std::move(reader)),
      choose_(std::move(choose)),
      settings_(settings),
      thread_([this] { run(); }) {}

StandbyReplicas::~StandbyReplicas() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    stop_apply_ = true;
  }
  changed_.notify_all();
  thread_.join();
}

std::vector<std::int32_t> StandbyReplicas::claim(const std::vector<std::int32_t>& partitions) {
  std::unique_lock lock(mutex_);
  const std::vector<std::int32_t> warm = warm_now(SteadyClock::now());
  std::vector<std::int32_t> claimed_warm;
  for (std::int32_t p : partitions) {
    owned_.insert(p);
    if (std::find(warm.begin(), warm.end(), p) != warm.end()) claimed_warm.push_back(p);
  }
  // Kept again after release() only when a later choice names it a standby.
  std::erase_if(chosen_, [&](std::int32_t p) { return owned_.contains(p); });
  if (in_flight_ && owned_.contains(*in_flight_)) stop_apply_ = true;
  changed_.wait(lock, [&] { return !in_flight_ || !owned_.contains(*in_flight_); });
  return claimed_warm;
}

void StandbyReplicas::release(const std::vector<std::int32_t>& partitions) {
  {
    std::lock_guard lock(mutex_);
    for (std::int32_t p : partitions) owned_.erase(p);
  }
  changed_.notify_all();
}

void StandbyReplicas::refresh_soon() {
  {
    std::lock_guard lock(mutex_);
    refresh_requested_ = true;
  }
  changed_.notify_all();
}

StandbyFigures StandbyReplicas::figures() const {
  std::lock_guard lock(mutex_);
  StandbyFigures figures;
  for (std::int32_t p : chosen_) {
    if (owned_.contains(p)) continue;
    ++figures.partitions;
    if (auto it = lag_.find(p); it != lag_.end()) figures.lag_records += it->second;
  }
  figures.records_read = records_read_.load();
  return figures;
}

std::vector<std::int32_t> StandbyReplicas::warm_now(SteadyClock::time_point now) const {
  std::vector<std::int32_t> warm;
  for (std::int32_t p : chosen_) {
    const auto backoff = backoff_until_.find(p);
    if (owned_.contains(p) || (backoff != backoff_until_.end() && now < backoff->second)) continue;
    warm.push_back(p);
  }
  return warm;
}

void StandbyReplicas::choose_if_due(SteadyClock::time_point now) {
  {
    std::lock_guard lock(mutex_);
    if (!refresh_requested_ && now < next_choice_) return;
    refresh_requested_ = false;
  }
  const std::optional<StandbyChoice> choice = choose_();  // blocking: no lock
  std::lock_guard lock(mutex_);
  next_choice_ = now + (choice ? settings_.refresh : settings_.retry);
  if (!choice) return;
  std::vector<std::int32_t> next = choice->standby;
  for (std::int32_t p : chosen_) {
    const bool moving_here = std::binary_search(choice->own.begin(), choice->own.end(), p);
    if (moving_here && !owned_.contains(p)) next.push_back(p);  // until the engine claims it
  }
  std::sort(next.begin(), next.end());
  next.erase(std::unique(next.begin(), next.end()), next.end());
  if (next == chosen_) return;
  chosen_ = std::move(next);
  std::string list;
  for (std::int32_t p : chosen_) list += (list.empty() ? "" : ",") + std::to_string(p);
  log::info("standby_partitions", {{"partitions", list.empty() ? "none" : list}});
}

void StandbyReplicas::run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    lock.unlock();
    choose_if_due(SteadyClock::now());
    lock.lock();
    for (std::int32_t p : warm_now(SteadyClock::now())) {
      if (stopping_ || owned_.contains(p)) continue;
      in_flight_ = p;
      stop_apply_ = false;
      lock.unlock();
      apply(p);
      lock.lock();
      in_flight_.reset();
      changed_.notify_all();
    }
    changed_.wait_for(lock, settings_.pause, [this] { return stopping_ || refresh_requested_; });
  }
}

void StandbyReplicas::apply(std::int32_t partition) {
  ChangelogRestore restore;
  const auto set_lag = [&](std::int64_t lag) {
    std::lock_guard lock(mutex_);
    lag_[partition] = std::max<std::int64_t>(0, lag);
  };
  const RestoreProgress progress = [&](std::uint64_t records, std::uint64_t) {
    records_read_ += records;
    set_lag(restore.behind - static_cast<std::int64_t>(restore.records));
  };
  const Status s =
      restore_from_changelog(store_, *reader_, partition, progress, restore, &stop_apply_);
  if (s.is_ok()) {
    set_lag(0);  // up to its last checkpoint record (a stopped apply's partition is not shown)
    return;
  }
  log::warn("standby_apply_failed",
            {{"partition", std::to_string(partition)},
             {"detail", s.message()},
             {"action", "trying the partition again in " +
                            std::to_string(settings_.backoff.count() / 1000) + " s"}});
  std::lock_guard lock(mutex_);
  backoff_until_[partition] = SteadyClock::now() + settings_.backoff;
}

}  // namespace segmentd
