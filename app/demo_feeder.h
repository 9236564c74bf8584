// The purchase stream of `segmentd demo`: a generated history (bench/generator, the
// same generator tests and benchmarks use) produced to the input topic at a steady
// rate, keyed by member id, on a thread of its own.
//
// Thread-safety: start() and join() from the owning thread; done() from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <thread>

#include "connectors/kafka/kafka_properties.h"
#include "engine/status.h"

namespace segmentd {

struct DemoFeed {
  std::uint32_t members = 20'000;
  std::uint64_t events = 300'000;
  std::uint64_t events_per_second = 20'000;
  std::string topic;
  KafkaProperties producer_properties;
};

class DemoFeeder {
 public:
  explicit DemoFeeder(DemoFeed feed) : feed_(std::move(feed)) {}
  ~DemoFeeder() { join(); }

  void start();
  void join();
  // Asks the feeder to stop early.
  void cancel() { cancelled_.store(true); }
  bool done() const { return done_.load(); }
  std::uint64_t produced() const { return produced_.load(); }
  // Meaningful once done().
  const Status& status() const { return status_; }

 private:
  void feed();

  DemoFeed feed_;
  std::thread thread_;
  std::atomic<bool> cancelled_{false};
  std::atomic<bool> done_{false};
  std::atomic<std::uint64_t> produced_{0};
  Status status_ = Status::ok();
};

}  // namespace segmentd
