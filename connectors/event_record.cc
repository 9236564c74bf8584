#include "connectors/event_record.h"

#include <cstdint>
#include <cstring>

namespace segmentd {

namespace {

template <typename T>
void put(std::string& out, T value) {
  char bytes[sizeof(T)];
  std::memcpy(bytes, &value, sizeof(T));
  out.append(bytes, sizeof(T));
}

void put_text(std::string& out, std::string_view text) {
  put(out, static_cast<std::uint32_t>(text.size()));
  out.append(text);
}

template <typename T>
T take(std::string_view& in) {
  T value;
  std::memcpy(&value, in.data(), sizeof(T));
  in.remove_prefix(sizeof(T));
  return value;
}

std::string_view take_text(std::string_view& in) {
  const auto size = take<std::uint32_t>(in);
  const std::string_view text = in.substr(0, size);
  in.remove_prefix(size);
  return text;
}

}  // namespace

void encode_event_record(std::string& out, const PurchaseEvent& event) {
  put(out, event.ts.ms);
  put(out, event.amount.thousandths);
  put(out, static_cast<std::uint8_t>(event.type));
  put(out, static_cast<std::uint32_t>(event.categories.size()));
  put_text(out, event.event_id);
  put_text(out, event.member_id);
  put_text(out, event.birthday);
  for (std::string_view category : event.categories) put_text(out, category);
}

std::string_view event_record_member_id(std::string_view bytes) {
  bytes.remove_prefix(sizeof(std::int64_t) + sizeof(std::int64_t) + sizeof(std::uint8_t) +
                      sizeof(std::uint32_t));
  take_text(bytes);  // the event id
  return take_text(bytes);
}

void EventRecordDecoder::decode(std::string_view bytes, PurchaseEvent& event) {
  event.ts = EpochMs{take<std::int64_t>(bytes)};
  event.amount = Money{take<std::int64_t>(bytes)};
  event.type = static_cast<EventType>(take<std::uint8_t>(bytes));
  const auto categories = take<std::uint32_t>(bytes);
  event.event_id = take_text(bytes);
  event.member_id = take_text(bytes);
  event.birthday = take_text(bytes);
  categories_.clear();
  for (std::uint32_t i = 0; i < categories; ++i) categories_.push_back(take_text(bytes));
  event.categories = categories_;
}

}  // namespace segmentd
