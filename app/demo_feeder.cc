#include "app/demo_feeder.h"

#include <chrono>
#include <cstdio>
#include <memory>

#include "bench/generator/generator.h"
#include "connectors/kafka/record_producer.h"

namespace segmentd {

namespace {

// The member id of a generated line, for the record key ("" for a broken line without
// one: such records get a null key, as a broken till's would).
std::string_view member_key(std::string_view line) {
  constexpr std::string_view kField = "\"member_id\":\"";
  const auto at = line.find(kField);
  if (at == std::string_view::npos) return {};
  const auto begin = at + kField.size();
  const auto end = line.find('"', begin);
  return end == std::string_view::npos ? std::string_view{} : line.substr(begin, end - begin);
}

}  // namespace

void DemoFeeder::start() {
  thread_ = std::thread([this] { feed(); });
}

void DemoFeeder::join() {
  if (thread_.joinable()) thread_.join();
}

void DemoFeeder::feed() {
  std::FILE* history = std::tmpfile();
  if (history == nullptr) {
    status_ = Status::fatal("demo: cannot create a temporary file");
    done_.store(true);
    return;
  }
  gen::GeneratorOptions options;
  options.members = feed_.members;
  options.events = feed_.events;
  options.threads = 1;
  options.profile_rate = 0.1;  // some members sign up before buying (prospects, birthdays)
  gen::OutputFile out(history, "demo history");
  gen::generate(options, out, nullptr);
  std::rewind(history);

  std::unique_ptr<RecordProducer> producer;
  status_ = RecordProducer::open(feed_.producer_properties, producer);
  const auto started = std::chrono::steady_clock::now();
  char* line = nullptr;
  std::size_t capacity = 0;
  ssize_t length = 0;
  std::uint64_t sent = 0;
  while (status_.is_ok() && !cancelled_.load() &&
         (length = ::getline(&line, &capacity, history)) > 0) {
    std::string_view value(line, static_cast<std::size_t>(length));
    if (value.back() == '\n') value.remove_suffix(1);
    status_ = producer->produce(feed_.topic, member_key(value), value);
    produced_.store(++sent);
    if (sent % 128 == 0) {  // pace: never run ahead of rate * elapsed
      std::this_thread::sleep_until(
          started + std::chrono::microseconds(sent * 1'000'000 / feed_.events_per_second));
    }
  }
  std::free(line);
  std::fclose(history);
  if (status_.is_ok() && producer) status_ = producer->flush();
  done_.store(true);
}

}  // namespace segmentd
