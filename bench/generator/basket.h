// The contents of one purchase: total amount and, for some purchases, the item
// lines. A pure function of (catalogue, member, per-member event index), so the
// refund that follows a purchase can recompute what it refunds without any stored
// state.
//
// Amounts are in thousandths of the currency unit (SPEC 2 precision). Most are whole
// cents; a few baskets without items (fuel, goods by weight) use all three digits.
// With items, the amount is the sum of the lines, each rounded to cents. Products
// come from a catalogue of 12 categories x 2000 SKUs, each with a stable unit price
// drawn once from the seed; members rebuy a few favourite products. A Catalogue is
// immutable after construction and safe to share between threads.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

#include "bench/generator/line_buffer.h"
#include "bench/generator/member_profile.h"

namespace segmentd::gen {

struct BasketItem {
  std::uint32_t sku;          // catalogue number
  std::uint32_t qty_milli;    // 1000 = one unit; weighed goods use fractions
  std::uint32_t price_cents;  // unit price
};

struct Basket {
  std::uint64_t amount_milli = 0;
  std::uint32_t item_count = 0;  // 0: the event carries no items
  std::array<BasketItem, 6> items{};
};

class Catalogue {
 public:
  explicit Catalogue(std::uint64_t seed);

  static std::string_view category_name(std::uint32_t sku);
  // "DAI-00421": category prefix and number within the category.
  static void append_sku(LineBuffer& out, std::uint32_t sku);

  Basket draw_basket(std::uint32_t member, std::uint32_t index, const ShoppingStyle& style) const;

 private:
  std::uint32_t draw_sku(SplitMix64& rng, std::uint32_t member) const;
  Basket draw_item_basket(SplitMix64& rng, std::uint32_t member, const ShoppingStyle& style) const;

  std::uint64_t seed_;
  std::vector<std::uint32_t> price_cents_;  // by sku
};

// What a refund of `purchase` returns: all of it (roll < 0.55), else one item line
// or a part of the total chosen by `fraction`; never more than the purchase. `roll`
// and `fraction` are uniform in [0, 1).
std::uint64_t refund_amount(const Basket& purchase, double roll, double fraction);

// Key of a (member, index) pair, unique for every pair.
constexpr std::uint64_t event_key(std::uint32_t member, std::uint32_t index) {
  return (static_cast<std::uint64_t>(member) << 32) | index;
}

}  // namespace segmentd::gen
