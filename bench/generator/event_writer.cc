#include "bench/generator/event_writer.h"

#include "bench/generator/basket.h"
#include "bench/generator/text_format.h"

namespace segmentd::gen {
namespace {

constexpr std::uint64_t kStyleStream = 0x57'71e;
constexpr std::uint64_t kIdStream = 0x1d;

constexpr double kUuidShare = 0.2;
constexpr double kExplicitPurchaseTypeShare = 0.3;
constexpr double kCurrencyShare = 0.4;
constexpr double kStoreShare = 0.7;
constexpr double kHomeStoreShare = 0.85;
constexpr double kChannelShare = 0.1;
constexpr double kOriginalIdShare = 0.7;
constexpr double kCategoryShare = 0.9;
constexpr double kPriceShare = 0.95;
constexpr double kBirthdayShare = 0.8;
constexpr double kBirthYearShare = 0.5;

void append_ts(LineBuffer& out, SplitMix64& rng, EpochMs ts, int offset_minutes) {
  const double u = uniform01(rng);
  if (u < 0.6) {
    out += '"';
    append_rfc3339(out, ts, {0, chance(rng, 0.5), false});
    out += '"';
  } else if (u < 0.8) {
    out += '"';
    append_rfc3339(out, ts, {offset_minutes, chance(rng, 0.3), true});
    out += '"';
  } else {
    append_int(out, ts);
  }
}

void append_amount(LineBuffer& out, SplitMix64& rng, std::uint64_t amount_milli) {
  const double u = uniform01(rng);
  if (u < 0.55) {
    append_decimal(out, amount_milli, DecimalStyle::fixed);
  } else if (u < 0.7) {
    append_decimal(out, amount_milli, DecimalStyle::shortest);
  } else {
    out += '"';
    append_decimal(out, amount_milli, DecimalStyle::fixed);
    out += '"';
  }
}

void append_item(LineBuffer& out, SplitMix64& rng, const BasketItem& item) {
  out += "{\"sku\":\"";
  Catalogue::append_sku(out, item.sku);
  out += '"';
  if (chance(rng, kCategoryShare)) {
    out += ",\"category\":\"";
    out += Catalogue::category_name(item.sku);
    out += '"';
  }
  out += ",\"qty\":";
  append_decimal(out, item.qty_milli, DecimalStyle::shortest);
  if (chance(rng, kPriceShare)) {
    out += ",\"price\":";
    append_decimal(out, std::uint64_t{item.price_cents} * 10, DecimalStyle::fixed);
  }
  out += '}';
}

void append_items(LineBuffer& out, SplitMix64& rng, const Basket& basket) {
  out += ",\"items\":[";
  for (std::uint32_t i = 0; i < basket.item_count; ++i) {
    if (i > 0) out += ',';
    append_item(out, rng, basket.items[i]);
  }
  out += ']';
}

}  // namespace

EventWriter::EventWriter(std::uint64_t seed, std::uint32_t store_count)
    : catalogue_(seed),
      style_seed_(mix64(seed ^ kStyleStream)),
      id_seed_(mix64(seed ^ kIdStream)),
      store_count_(store_count) {}

void EventWriter::render(LineBuffer& out, const MemberEvent& event,
                         const ShoppingStyle& style) const {
  SplitMix64 rng(style_seed_ ^ mix64(event_key(event.member, event.index)));
  if (event.kind == EventKind::profile) {
    render_profile(out, rng, event, style);
    return;
  }
  const bool refund = event.kind == EventKind::refund;
  const std::uint32_t purchase_index = refund ? event.index - 1 : event.index;
  const Basket basket = catalogue_.draw_basket(event.member, purchase_index, style);
  render_head(out, rng, event, style);
  if (refund) {
    out += ",\"type\":\"refund\"";
  } else if (chance(rng, kExplicitPurchaseTypeShare)) {
    out += ",\"type\":\"purchase\"";
  }
  out += ",\"amount\":";
  const double roll = uniform01(rng);
  const double fraction = uniform01(rng);
  append_amount(out, rng, refund ? refund_amount(basket, roll, fraction) : basket.amount_milli);
  if (chance(rng, kCurrencyShare)) out += ",\"currency\":\"EUR\"";
  append_store_fields(out, rng, style);
  if (!refund && basket.item_count > 0) append_items(out, rng, basket);
  if (refund && chance(rng, kOriginalIdShare)) {
    out += ",\"original_event_id\":\"";
    append_event_id(out, event.member, purchase_index);
    out += '"';
  }
  out += '}';
}

void EventWriter::render_head(LineBuffer& out, SplitMix64& rng, const MemberEvent& event,
                              const ShoppingStyle& style) const {
  out += "{\"event_id\":\"";
  append_event_id(out, event.member, event.index);
  out += "\",\"member_id\":\"m-";
  append_int(out, std::int64_t{event.member} + 1);
  out += "\",\"ts\":";
  append_ts(out, rng, event.ts, style.utc_offset_minutes);
}

void EventWriter::render_profile(LineBuffer& out, SplitMix64& rng, const MemberEvent& event,
                                 const ShoppingStyle& style) const {
  render_head(out, rng, event, style);
  out += ",\"type\":\"profile\"";
  if (chance(rng, kBirthdayShare)) {
    // Any day of a leap year; some with a birth year (leap years 1960 ... 2004).
    static constexpr std::uint64_t kMonthDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const std::uint64_t month = rng.next() % 12;
    const std::uint64_t day = rng.next() % kMonthDays[month];
    out += ",\"birthday\":\"";
    if (chance(rng, kBirthYearShare)) {
      append_int(out, 1960 + 4 * static_cast<std::int64_t>(rng.next() % 12));
      out += '-';
    }
    append_padded(out, static_cast<std::int64_t>(month + 1), 2);
    out += '-';
    append_padded(out, static_cast<std::int64_t>(day + 1), 2);
    out += '"';
  }
  out += '}';
}

void EventWriter::append_event_id(LineBuffer& out, std::uint32_t member,
                                  std::uint32_t index) const {
  const std::uint64_t style = mix64(id_seed_ ^ event_key(member, index));
  if (static_cast<double>(style % 1000) >= kUuidShare * 1000.0) {
    out += 'e';
    append_base36(out, member);
    out += '-';
    append_base36(out, index);
    return;
  }
  // (member, index) -> (high, low) is a bijection, so these ids never collide.
  const std::uint64_t high = mix64(id_seed_ ^ member);
  const std::uint64_t low = mix64(high ^ index);
  append_hex(out, high >> 32, 8);
  out += '-';
  append_hex(out, high >> 16, 4);
  out += '-';
  append_hex(out, high, 4);
  out += '-';
  append_hex(out, low >> 48, 4);
  out += '-';
  append_hex(out, low, 12);
}

void EventWriter::append_store_fields(LineBuffer& out, SplitMix64& rng,
                                      const ShoppingStyle& style) const {
  const bool in_store = chance(rng, kStoreShare);
  if (in_store) {
    const bool home = chance(rng, kHomeStoreShare);
    out += ",\"store_id\":\"s-";
    append_padded(out, home ? style.home_store : below(rng, store_count_), 4);
    out += '"';
  }
  if (chance(rng, kChannelShare)) {
    out += ",\"channel\":\"";
    out += in_store ? "store" : (chance(rng, 0.5) ? "web" : "app");
    out += '"';
  }
}

}  // namespace segmentd::gen
