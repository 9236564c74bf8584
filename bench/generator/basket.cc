#include "bench/generator/basket.h"

#include <algorithm>
#include <cmath>

#include "bench/generator/rng.h"
#include "bench/generator/text_format.h"

namespace segmentd::gen {
namespace {

struct Category {
  std::string_view name;
  std::string_view prefix;
  double median_price;  // currency units
};

constexpr std::array<Category, 12> kCategories{{
    {"grocery", "GRO", 3.5},
    {"dairy", "DAI", 2.2},
    {"bakery", "BAK", 2.8},
    {"produce", "PRO", 2.5},
    {"beverages", "BEV", 3.0},
    {"household", "HOU", 6.0},
    {"personal_care", "PER", 7.5},
    {"pet", "PET", 12.0},
    {"toys", "TOY", 18.0},
    {"apparel", "APP", 29.0},
    {"garden", "GAR", 22.0},
    {"electronics", "ELE", 79.0},
}};
constexpr std::uint32_t kSkusPerCategory = 2000;
constexpr std::uint32_t kCatalogueSize = kSkusPerCategory * kCategories.size();
constexpr std::uint64_t kCatalogueStream = 0xca7a1064e;
constexpr double kItemsShare = 0.35;
constexpr double kFavouriteShare = 0.4;
constexpr std::uint64_t kFavourites = 3;
constexpr double kThousandthsShare = 0.02;
constexpr std::uint32_t kWeighedQty[] = {250, 500, 750, 1250, 1500};

const Category& category_of(std::uint32_t sku) { return kCategories[sku / kSkusPerCategory]; }

std::uint32_t draw_qty_milli(SplitMix64& rng) {
  const double u = uniform01(rng);
  if (u < 0.80) return 1000;
  if (u < 0.92) return 2000;
  if (u < 0.97) return 3000;
  return kWeighedQty[below(rng, std::size(kWeighedQty))];
}

std::uint64_t line_cents(const BasketItem& item) {
  return (static_cast<std::uint64_t>(item.qty_milli) * item.price_cents + 500) / 1000;
}

Basket draw_total_basket(SplitMix64& rng, const ShoppingStyle& style) {
  Basket basket;
  const double amount =
      std::clamp(lognormal(rng, static_cast<double>(style.basket_median), 0.7), 0.5, 5000.0);
  if (chance(rng, kThousandthsShare)) {
    basket.amount_milli = static_cast<std::uint64_t>(std::llround(amount * 1000.0));
  } else {
    basket.amount_milli = static_cast<std::uint64_t>(std::llround(amount * 100.0)) * 10;
  }
  return basket;
}

}  // namespace

Catalogue::Catalogue(std::uint64_t seed) : seed_(mix64(seed ^ kCatalogueStream)) {
  SplitMix64 rng(seed_);
  price_cents_.reserve(kCatalogueSize);
  for (std::uint32_t sku = 0; sku < kCatalogueSize; ++sku) {
    const double price = lognormal(rng, category_of(sku).median_price, 0.5);
    price_cents_.push_back(
        static_cast<std::uint32_t>(std::clamp(std::lround(price * 100.0), 19L, 99'999L)));
  }
}

std::string_view Catalogue::category_name(std::uint32_t sku) { return category_of(sku).name; }

void Catalogue::append_sku(LineBuffer& out, std::uint32_t sku) {
  out += category_of(sku).prefix;
  out += '-';
  append_padded(out, sku % kSkusPerCategory, 5);
}

Basket Catalogue::draw_basket(std::uint32_t member, std::uint32_t index,
                              const ShoppingStyle& style) const {
  SplitMix64 rng(seed_ ^ mix64(event_key(member, index)));
  if (chance(rng, kItemsShare)) return draw_item_basket(rng, member, style);
  return draw_total_basket(rng, style);
}

std::uint32_t Catalogue::draw_sku(SplitMix64& rng, std::uint32_t member) const {
  if (!chance(rng, kFavouriteShare)) return static_cast<std::uint32_t>(below(rng, kCatalogueSize));
  const std::uint64_t favourite = below(rng, kFavourites);
  return static_cast<std::uint32_t>(mix64(seed_ ^ event_key(member, 0) ^ (favourite + 1)) %
                                    kCatalogueSize);
}

Basket Catalogue::draw_item_basket(SplitMix64& rng, std::uint32_t member,
                                   const ShoppingStyle& style) const {
  Basket basket;
  const double typical = static_cast<double>(style.basket_median) / 12.0;
  const long count = std::lround(lognormal(rng, typical, 0.5));
  basket.item_count =
      static_cast<std::uint32_t>(std::clamp(count, 1L, static_cast<long>(basket.items.size())));
  std::uint64_t cents = 0;
  for (std::uint32_t i = 0; i < basket.item_count; ++i) {
    BasketItem& item = basket.items[i];
    item.sku = draw_sku(rng, member);
    item.qty_milli = draw_qty_milli(rng);
    item.price_cents = price_cents_[item.sku];
    cents += line_cents(item);
  }
  basket.amount_milli = cents * 10;
  return basket;
}

std::uint64_t refund_amount(const Basket& purchase, double roll, double fraction) {
  if (roll < 0.55) return purchase.amount_milli;
  if (purchase.item_count > 0) {
    const auto line = static_cast<std::uint32_t>(fraction * purchase.item_count);
    return line_cents(purchase.items[line]) * 10;
  }
  const auto cents =
      static_cast<std::uint64_t>(fraction * static_cast<double>(purchase.amount_milli) / 10.0);
  return std::max<std::uint64_t>(cents, 1) * 10;
}

}  // namespace segmentd::gen
