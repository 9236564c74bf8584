#include "connectors/event_parser.h"

#include <simdjson.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <new>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine/event_time.h"
#include "engine/money.h"

namespace segmentd {

namespace {

namespace od = simdjson::ondemand;
using od::json_type;

// Containers must be nested less deep than simdjson's limit (the event object is at
// depth 1); deeper ones, in ignored fields too, are invalid JSON rather than recursed into.
constexpr int kDepthLimit = static_cast<int>(simdjson::DEFAULT_MAX_DEPTH);

// Nesting depths of the event object and of its items array.
constexpr int kEventDepth = 1;
constexpr int kItemsArrayDepth = 2;

// The longest item category accepted.
constexpr std::size_t kMaxCategoryBytes = 128;
// The longest type value quoted back in an unknown_type detail.
constexpr std::size_t kMaxQuotedBytes = 64;

// ---------------------------------------------------------------------------------
// Reading JSON values: every value is read in full, so that malformed JSON anywhere,
// even in an ignored field, makes the document invalid.

// A value as read from the document. Views point into the parser's buffers.
struct JsonValue {
  json_type type = json_type::null;
  std::string_view text;  // string: unescaped content; number, true, false, null: token;
                          // object, array: empty
};

bool is_json_whitespace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// simdjson's raw tokens run up to the next token; strip the whitespace before it.
std::string_view trim_trailing_whitespace(std::string_view token) {
  while (!token.empty() && is_json_whitespace(token.back())) token.remove_suffix(1);
  return token;
}

// The money parser accepts exactly the JSON number grammar.
bool is_json_number(std::string_view token) {
  const MoneyParseResult parsed = parse_decimal_money(token);
  return parsed.ok || parsed.error != MoneyParseError::syntax;
}

bool is_valid_atom(json_type type, std::string_view token) {
  switch (type) {
    case json_type::number:
      return is_json_number(token);
    case json_type::boolean:
      return token == "true" || token == "false";
    case json_type::null:
      return token == "null";
    default:
      return false;
  }
}

bool read_value(od::value& value, int depth, JsonValue& out);

bool consume_object(od::value& value, int depth) {
  od::object object;
  if (depth >= kDepthLimit || value.get_object().get(object)) return false;
  for (auto field : object) {
    std::string_view key;
    JsonValue ignored;
    if (field.error() || field.value_unsafe().unescaped_key().get(key)) return false;
    if (!read_value(field.value_unsafe().value(), depth, ignored)) return false;
  }
  return true;
}

bool consume_array(od::value& value, int depth) {
  od::array array;
  if (depth >= kDepthLimit || value.get_array().get(array)) return false;
  for (auto element : array) {
    JsonValue ignored;
    if (element.error() || !read_value(element.value_unsafe(), depth, ignored)) return false;
  }
  return true;
}

// Reads `value` at nesting `depth` (its container's depth); false if it is not valid.
bool read_value(od::value& value, int depth, JsonValue& out) {
  out.text = {};
  if (value.type().get(out.type)) return false;
  switch (out.type) {
    case json_type::object:
      return consume_object(value, depth + 1);
    case json_type::array:
      return consume_array(value, depth + 1);
    case json_type::string:
      return !value.get_string().get(out.text);
    default:
      out.text = trim_trailing_whitespace(value.raw_json_token());
      return is_valid_atom(out.type, out.text);
  }
}

// ---------------------------------------------------------------------------------
// The fields of an event and of an item, as found in the document.

enum class Field : std::uint8_t {
  event_id,
  member_id,
  ts,
  type,
  amount,
  items,
  store_id,
  currency,
  birthday
};
constexpr std::array<std::string_view, 9> kFieldNames = {
    "event_id", "member_id", "ts", "type", "amount", "items", "store_id", "currency", "birthday"};

enum class ItemField : std::uint8_t { sku, category, qty, price };
constexpr std::array<std::string_view, 4> kItemFieldNames = {"sku", "category", "qty", "price"};

struct Occurrence {
  int count = 0;    // how many times the key appeared
  JsonValue value;  // the last one

  bool is_absent() const { return count == 0 || (count == 1 && value.type == json_type::null); }
};

// Occurrences of the known keys of one object, indexed by the key's enum; `kNames`
// lists the keys in enum order.
template <typename Key, const auto& kNames>
struct KnownKeys {
  std::array<Occurrence, kNames.size()> found{};

  Occurrence& operator[](Key key) { return found[static_cast<std::size_t>(key)]; }
  const Occurrence& operator[](Key key) const { return found[static_cast<std::size_t>(key)]; }

  static std::optional<Key> find(std::string_view key) {
    for (std::size_t i = 0; i < kNames.size(); ++i) {
      if (kNames[i] == key) return static_cast<Key>(i);
    }
    return std::nullopt;
  }
};

using EventFields = KnownKeys<Field, kFieldNames>;
using ItemFields = KnownKeys<ItemField, kItemFieldNames>;

// Reads one field of an object: a known key with `read_known(key, value, occurrence)`
// into `known`; an unknown one is read and ignored.
template <typename Key, const auto& kNames, typename ReadKnown>
bool read_field(od::field& field, int depth, KnownKeys<Key, kNames>& known, ReadKnown read_known) {
  std::string_view key_text;
  if (field.unescaped_key().get(key_text)) return false;
  const std::optional<Key> key = known.find(key_text);
  JsonValue ignored;
  if (!key) return read_value(field.value(), depth, ignored);
  Occurrence& occurrence = known[*key];
  ++occurrence.count;
  return read_known(*key, field.value(), occurrence);
}

// ---------------------------------------------------------------------------------
// Items: checked while they are read (the document is read once, forwards), and the
// first problem is kept for when the event's fields are validated in order.

enum class Sign { negative, zero, positive };

// The exact sign of a valid JSON number token.
Sign sign_of(std::string_view number) {
  const std::string_view mantissa = number.substr(0, number.find_first_of("eE"));
  if (mantissa.find_first_of("123456789") == std::string_view::npos) return Sign::zero;
  return number.front() == '-' ? Sign::negative : Sign::positive;
}

bool is_string(const Occurrence& o) { return o.value.type == json_type::string; }
bool is_number(const Occurrence& o) { return o.value.type == json_type::number; }

// What is wrong with an item ({sku, category?, qty > 0, price >= 0}), or "" if nothing.
std::string_view item_problem(const ItemFields& item) {
  using enum ItemField;
  if (item[sku].count != 1 || !is_string(item[sku])) return "sku";
  if (!item[category].is_absent() &&
      (!is_string(item[category]) || item[category].value.text.empty() ||
       item[category].value.text.size() > kMaxCategoryBytes)) {
    return "category";
  }
  const Occurrence& q = item[qty];
  if (q.count != 1 || !is_number(q) || sign_of(q.value.text) != Sign::positive) return "qty";
  const Occurrence& p = item[price];
  if (!p.is_absent() && (!is_number(p) || sign_of(p.value.text) == Sign::negative)) {
    return "price";
  }
  return {};
}

// The items' categories of one event, and the first invalid item's problem.
struct ItemsSeen {
  std::string_view problem;
  std::vector<std::string_view> categories;  // as read; deduplicated after the event
};

bool read_item_object(od::value& value, int depth, ItemsSeen& seen) {
  od::object object;
  if (value.get_object().get(object)) return false;
  ItemFields item;
  const auto read_known = [depth](ItemField, od::value& v, Occurrence& o) {
    return read_value(v, depth, o.value);
  };
  for (auto field : object) {
    if (field.error() || !read_field(field.value_unsafe(), depth, item, read_known)) return false;
  }
  const std::string_view problem = item_problem(item);
  if (seen.problem.empty()) seen.problem = problem;
  if (problem.empty() && !item[ItemField::category].is_absent()) {
    seen.categories.push_back(item[ItemField::category].value.text);
  }
  return true;
}

// Reads one element of `items`; sets the problem if it is the first bad one.
bool read_item(od::value& value, ItemsSeen& seen) {
  json_type type;
  if (value.type().get(type)) return false;
  if (type == json_type::object) return read_item_object(value, kItemsArrayDepth + 1, seen);
  JsonValue ignored;
  if (seen.problem.empty()) seen.problem = "item is not an object";
  return read_value(value, kItemsArrayDepth, ignored);
}

// Reads the `items` value; `seen` gets the first invalid item's problem, if any.
bool read_items(od::value& value, Occurrence& items, ItemsSeen& seen) {
  if (value.type().get(items.value.type)) return false;
  if (items.value.type != json_type::array) return read_value(value, kEventDepth, items.value);
  od::array array;
  if (value.get_array().get(array)) return false;
  for (auto element : array) {
    if (element.error() || !read_item(element.value_unsafe(), seen)) return false;
  }
  return true;
}

// ---------------------------------------------------------------------------------
// Validation of the event's fields, in the order of SPEC 2.

struct Problem {
  RejectReason reason;
  std::string_view what;  // for unknown_type: the offending type value
};
using Verdict = std::optional<Problem>;

Verdict invalid(std::string_view what) { return Problem{RejectReason::invalid_field, what}; }
Verdict out_of_range(std::string_view what) { return Problem{RejectReason::out_of_range, what}; }

// Missing or repeated: the checks every field starts with.
Verdict presence_problem(const Occurrence& o, bool required) {
  if (o.count > 1) return invalid("given more than once");
  if (required && o.count == 0) return Problem{RejectReason::missing_field, "missing"};
  return std::nullopt;
}

Verdict read_id(const Occurrence& o, std::string_view& id) {
  if (Verdict p = presence_problem(o, true)) return p;
  id = o.value.text;
  if (!is_string(o) || id.empty() || id.size() > 128) {
    return invalid("must be a string of 1-128 bytes");
  }
  return std::nullopt;
}

Verdict in_event_range(EpochMs t) {
  if (t < kEarliestEventTime || t >= kEndOfEventTime) return out_of_range("outside [1990, 2100)");
  return std::nullopt;
}

Verdict read_ts_text(std::string_view text, EpochMs& ts) {
  const TimeParseResult parsed = parse_rfc3339(text);
  if (!parsed.ok) {
    return invalid(parsed.error == TimeParseError::syntax ? "not RFC 3339" : "impossible date");
  }
  ts = parsed.value;
  return in_event_range(ts);
}

// An integer token (epoch milliseconds); fractions and exponents are not timestamps.
Verdict read_ts_number(std::string_view token, EpochMs& ts) {
  if (token.find_first_of(".eE") != std::string_view::npos) return invalid("not a timestamp");
  const auto [end, error] = std::from_chars(token.data(), token.data() + token.size(), ts.ms);
  if (error != std::errc{}) return out_of_range("outside [1990, 2100)");
  return in_event_range(ts);
}

Verdict read_ts(const Occurrence& o, EpochMs& ts) {
  if (Verdict p = presence_problem(o, true)) return p;
  if (is_string(o)) return read_ts_text(o.value.text, ts);
  if (is_number(o)) return read_ts_number(o.value.text, ts);
  return invalid("not a timestamp");
}

Verdict read_type(const Occurrence& o, EventType& type) {
  if (Verdict p = presence_problem(o, false)) return p;
  type = EventType::purchase;
  if (o.is_absent()) return std::nullopt;
  if (!is_string(o)) return invalid("must be a string");
  if (o.value.text == "purchase") return std::nullopt;
  if (o.value.text == "refund") {
    type = EventType::refund;
  } else if (o.value.text == "profile") {
    type = EventType::profile;
  } else {
    return Problem{RejectReason::unknown_type, o.value.text};
  }
  return std::nullopt;
}

bool two_digits(std::string_view text, unsigned& value) {
  if (text.size() != 2 || !std::isdigit(static_cast<unsigned char>(text[0])) ||
      !std::isdigit(static_cast<unsigned char>(text[1]))) {
    return false;
  }
  value = static_cast<unsigned>((text[0] - '0') * 10 + (text[1] - '0'));
  return true;
}

// "MM-DD" (checked against a leap year) or "YYYY-MM-DD" (a real date).
bool is_birthday(std::string_view text) {
  unsigned year = 2000;  // a leap year
  if (text.size() == 10) {
    unsigned century = 0;
    unsigned rest = 0;
    if (text[4] != '-' || !two_digits(text.substr(0, 2), century) ||
        !two_digits(text.substr(2, 2), rest)) {
      return false;
    }
    year = century * 100 + rest;
    text.remove_prefix(5);
  }
  unsigned month = 0;
  unsigned day = 0;
  if (text.size() != 5 || text[2] != '-' || !two_digits(text.substr(0, 2), month) ||
      !two_digits(text.substr(3, 2), day) || month < 1 || month > 12 || day < 1) {
    return false;
  }
  constexpr std::array<unsigned, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return day <= kDays[month - 1] + (month == 2 && leap ? 1 : 0);
}

Verdict read_birthday(const Occurrence& o, std::string_view& birthday) {
  if (Verdict p = presence_problem(o, false)) return p;
  birthday = {};
  if (o.is_absent()) return std::nullopt;
  if (!is_string(o) || !is_birthday(o.value.text)) return invalid("not MM-DD or YYYY-MM-DD");
  birthday = o.value.text;
  return std::nullopt;
}

Verdict read_amount(const Occurrence& o, Money& amount) {
  if (Verdict p = presence_problem(o, true)) return p;
  if (!is_string(o) && !is_number(o)) return invalid("must be a number or a decimal string");
  const MoneyParseResult parsed = parse_decimal_money(o.value.text);
  amount = parsed.value;
  if (parsed.ok) return std::nullopt;
  switch (parsed.error) {
    case MoneyParseError::negative:
      return out_of_range("negative");
    case MoneyParseError::too_large:
      return out_of_range("above 1e12");
    case MoneyParseError::syntax:
      break;
  }
  return invalid("not a decimal string");
}

Verdict check_items(const Occurrence& o, std::string_view item_problem) {
  if (Verdict p = presence_problem(o, false)) return p;
  if (o.is_absent()) return std::nullopt;
  if (o.value.type != json_type::array) return invalid("not an array");
  if (!item_problem.empty()) return invalid(item_problem);
  return std::nullopt;
}

Verdict check_optional_string(const Occurrence& o) {
  if (Verdict p = presence_problem(o, false)) return p;
  if (!o.is_absent() && !is_string(o)) return invalid("must be a string");
  return std::nullopt;
}

struct FieldProblem {
  Field field;
  Problem problem;
};

std::optional<FieldProblem> validate(const EventFields& f, std::string_view item_problem,
                                     PurchaseEvent& event) {
  using enum Field;
  if (Verdict p = read_id(f[event_id], event.event_id)) return FieldProblem{event_id, *p};
  if (Verdict p = read_id(f[member_id], event.member_id)) return FieldProblem{member_id, *p};
  if (Verdict p = read_ts(f[ts], event.ts)) return FieldProblem{ts, *p};
  if (Verdict p = read_type(f[type], event.type)) return FieldProblem{type, *p};
  if (event.type != EventType::profile) {
    if (Verdict p = read_amount(f[amount], event.amount)) return FieldProblem{amount, *p};
  }
  if (Verdict p = check_items(f[items], item_problem)) return FieldProblem{items, *p};
  if (Verdict p = check_optional_string(f[store_id])) return FieldProblem{store_id, *p};
  if (Verdict p = check_optional_string(f[currency])) return FieldProblem{currency, *p};
  if (event.type == EventType::profile) {
    if (Verdict p = read_birthday(f[birthday], event.birthday)) return FieldProblem{birthday, *p};
  }
  return std::nullopt;
}

// ---------------------------------------------------------------------------------
// Rejections.

bool reject(Rejection& rejection, RejectReason reason, std::string_view detail) {
  rejection.reason = reason;
  rejection.detail.assign(detail);
  return false;
}

// The longest prefix of `text` of at most `max_bytes` that does not split a character.
std::string_view utf8_prefix(std::string_view text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  std::size_t end = max_bytes;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return text.substr(0, end);
}

// "<field>: <what>", or "type: '<value>'" for an unknown type.
bool reject_field(Rejection& rejection, const FieldProblem& failure) {
  const Problem& problem = failure.problem;
  reject(rejection, problem.reason, kFieldNames[static_cast<std::size_t>(failure.field)]);
  if (problem.reason != RejectReason::unknown_type) {
    rejection.detail.append(": ").append(problem.what);
    return false;
  }
  const std::string_view quoted = utf8_prefix(problem.what, kMaxQuotedBytes);
  rejection.detail.append(": '").append(quoted);
  if (quoted.size() < problem.what.size()) rejection.detail.append("...");
  rejection.detail.push_back('\'');
  return false;
}

bool reject_too_large(Rejection& rejection, std::uint64_t size, std::size_t limit) {
  reject(rejection, RejectReason::too_large, "event is ");
  rejection.detail.append(std::to_string(size))
      .append(" bytes, limit input.max_event_bytes = ")
      .append(std::to_string(limit));
  return false;
}

// ---------------------------------------------------------------------------------
// The document as a whole.

enum class DocumentShape { object, other_json, invalid_json };

bool is_at_end(od::document& document) {
  return document.current_location().error() == simdjson::OUT_OF_BOUNDS;
}

bool is_valid_root_array(od::document& document) {
  od::value root;
  JsonValue ignored;
  return !document.get_value().get(root) && read_value(root, 0, ignored) && is_at_end(document);
}

// A scalar document is one token running to the end of the input.
bool is_valid_root_scalar(od::document& document, json_type type, const char* input_end) {
  std::string_view token;
  if (document.raw_json_token().get(token) || token.data() + token.size() != input_end) {
    return false;
  }
  std::string_view unescaped;
  if (type == json_type::string) return !document.get_string().get(unescaped);
  return is_valid_atom(type, trim_trailing_whitespace(token));
}

// The buffer size for events of up to `max_bytes`, which simdjson must be able to parse.
std::size_t padded_capacity(std::size_t max_bytes) {
  if (max_bytes > simdjson::SIMDJSON_MAXSIZE_BYTES) {
    throw std::length_error("input.max_event_bytes is above simdjson's 4 GiB limit");
  }
  return max_bytes + simdjson::SIMDJSON_PADDING;
}

}  // namespace

// ---------------------------------------------------------------------------------

struct EventParser::Impl {
  explicit Impl(std::size_t max_bytes);

  // Copies `bytes` into the padded buffer simdjson reads from.
  simdjson::padded_string_view load(std::string_view bytes);
  DocumentShape scan(std::string_view bytes);
  bool scan_fields(od::object& object);
  bool read_known_field(Field key, od::value& value, Occurrence& occurrence);

  const std::size_t max_event_bytes;
  std::optional<EpochMs> future_limit;
  od::parser parser;
  std::vector<char> buffer;
  EventFields fields;
  ItemsSeen items;
};

EventParser::Impl::Impl(std::size_t max_bytes)
    : max_event_bytes(max_bytes), buffer(padded_capacity(max_bytes)) {
  if (parser.allocate(std::max<std::size_t>(max_bytes, 1)) != simdjson::SUCCESS) {
    throw std::bad_alloc();
  }
}

simdjson::padded_string_view EventParser::Impl::load(std::string_view bytes) {
  std::memcpy(buffer.data(), bytes.data(), bytes.size());
  std::memset(buffer.data() + bytes.size(), 0, simdjson::SIMDJSON_PADDING);
  return simdjson::padded_string_view(buffer.data(), bytes.size(), buffer.size());
}

bool EventParser::Impl::read_known_field(Field key, od::value& value, Occurrence& occurrence) {
  if (key == Field::items) return read_items(value, occurrence, items);
  return read_value(value, kEventDepth, occurrence.value);
}

bool EventParser::Impl::scan_fields(od::object& object) {
  fields.found = {};
  items.problem = {};
  items.categories.clear();
  const auto read_known = [this](Field key, od::value& value, Occurrence& o) {
    return read_known_field(key, value, o);
  };
  for (auto field : object) {
    if (field.error() || !read_field(field.value_unsafe(), kEventDepth, fields, read_known)) {
      return false;
    }
  }
  return true;
}

DocumentShape EventParser::Impl::scan(std::string_view bytes) {
  od::document document;
  json_type type;
  if (parser.iterate(load(bytes)).get(document) || document.type().get(type)) {
    return DocumentShape::invalid_json;
  }
  bool valid = false;
  if (type == json_type::object) {
    od::object object;
    valid = !document.get_object().get(object) && scan_fields(object) && is_at_end(document);
    return valid ? DocumentShape::object : DocumentShape::invalid_json;
  }
  if (type == json_type::array) {
    valid = is_valid_root_array(document);
  } else {
    valid = is_valid_root_scalar(document, type, buffer.data() + bytes.size());
  }
  return valid ? DocumentShape::other_json : DocumentShape::invalid_json;
}

EventParser::EventParser(std::size_t max_event_bytes)
    : impl_(std::make_unique<Impl>(max_event_bytes)) {}

EventParser::~EventParser() = default;

void EventParser::reject_oversized(std::uint64_t size, Rejection& rejection) const {
  (void)reject_too_large(rejection, size, impl_->max_event_bytes);
}

void EventParser::set_future_limit(std::optional<EpochMs> limit) { impl_->future_limit = limit; }

bool EventParser::parse(std::string_view bytes, PurchaseEvent& event, Rejection& rejection) {
  if (bytes.size() > impl_->max_event_bytes) {
    return reject_too_large(rejection, bytes.size(), impl_->max_event_bytes);
  }
  switch (impl_->scan(bytes)) {
    case DocumentShape::invalid_json:
      return reject(rejection, RejectReason::invalid_json, "not valid JSON");
    case DocumentShape::other_json:
      return reject(rejection, RejectReason::invalid_json, "not a JSON object");
    case DocumentShape::object:
      break;
  }
  PurchaseEvent parsed;
  if (const auto failure = validate(impl_->fields, impl_->items.problem, parsed)) {
    return reject_field(rejection, *failure);
  }
  if (impl_->future_limit && parsed.ts > *impl_->future_limit) {
    return reject(rejection, RejectReason::future_timestamp,
                  "ts: more than input.max_future_skew ahead of the wall clock");
  }
  if (parsed.type == EventType::purchase) {  // refunds' and profiles' items are ignored
    auto& categories = impl_->items.categories;
    std::sort(categories.begin(), categories.end());
    categories.erase(std::unique(categories.begin(), categories.end()), categories.end());
    parsed.categories = categories;
  }
  event = parsed;
  return true;
}

}  // namespace segmentd
