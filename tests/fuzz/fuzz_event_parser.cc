// libFuzzer target: one input event value through EventParser (SPEC 2). Any bytes must
// give either a valid event or a rejection with a reason and a detail; never a crash,
// an out-of-bounds read or undefined behaviour.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "connectors/event_parser.h"

namespace {
// Small enough that the too_large path is reached by the fuzzer too.
constexpr std::size_t kMaxEventBytes = 4096;
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static segmentd::EventParser parser(kMaxEventBytes);
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  segmentd::PurchaseEvent event;
  segmentd::Rejection rejection;
  if (parser.parse(bytes, event, rejection)) {
    const bool ids_ok = !event.event_id.empty() && event.event_id.size() <= 128 &&
                        !event.member_id.empty() && event.member_id.size() <= 128;
    if (!ids_ok || event.amount.thousandths < 0) std::abort();
  } else if (rejection.detail.empty()) {
    std::abort();
  }
  return 0;
}
