#include "connectors/event_parser.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <string_view>

#include "engine/event_time.h"

namespace segmentd {
namespace {

constexpr std::size_t kDefaultMaxEventBytes = 65'536;

struct RejectCase {
  std::string json;
  RejectReason reason;
  std::string detail;
};

struct AcceptCase {
  std::string json;
  std::string event_id;
  std::string member_id;
  std::int64_t ts;
  EventType type;
  std::int64_t amount;
};

// A valid event with `members` (raw JSON "key":value pairs) after the required fields.
std::string valid_event_with(std::string_view members) {
  std::string json = R"({"event_id":"e1","member_id":"m1","ts":"2024-01-02T00:00:00Z","amount":1)";
  if (!members.empty()) json.append(",").append(members);
  return json + "}";
}

// An event whose field `name` has the raw JSON `value`, or is left out if `value` is "".
// The other required fields are valid.
std::string event_where(std::string_view name, std::string_view value) {
  const std::pair<std::string_view, std::string_view> defaults[] = {
      {"event_id", R"("e1")"},
      {"member_id", R"("m1")"},
      {"ts", R"("2024-01-02T00:00:00Z")"},
      {"amount", "1"},
  };
  std::string json = "{";
  bool replaced = false;
  for (const auto& [field, default_value] : defaults) {
    const std::string_view v = field == name ? value : default_value;
    replaced |= field == name;
    if (v.empty()) continue;
    if (json.size() > 1) json.append(",");
    json.append("\"").append(field).append("\":").append(v);
  }
  if (!replaced) json.append(",\"").append(name).append("\":").append(value);
  return json + "}";
}

std::string nested_arrays(std::size_t depth) {
  return std::string(depth, '[') + std::string(depth, ']');
}

// {"a":{"a":...{}...}} with `depth` objects.
std::string nested_objects(std::size_t depth) {
  std::string json;
  for (std::size_t i = 1; i < depth; ++i) json += R"({"a":)";
  return json + "{}" + std::string(depth - 1, '}');
}

void check_rejected(EventParser& parser, const RejectCase& c) {
  CAPTURE(c.json);
  PurchaseEvent event;
  Rejection rejection;
  REQUIRE_FALSE(parser.parse(c.json, event, rejection));
  CHECK(reason_code(rejection.reason) == reason_code(c.reason));
  CHECK(rejection.detail == c.detail);
}

void check_accepted(EventParser& parser, const AcceptCase& c) {
  CAPTURE(c.json);
  PurchaseEvent event;
  Rejection rejection;
  const bool ok = parser.parse(c.json, event, rejection);
  CAPTURE(rejection.detail);
  REQUIRE(ok);
  CHECK(event.event_id == c.event_id);
  CHECK(event.member_id == c.member_id);
  CHECK(event.ts.ms == c.ts);
  CHECK(event.type == c.type);
  CHECK(event.amount.thousandths == c.amount);
}

constexpr std::int64_t kJan1 = 1'704'067'200'000;  // 2024-01-01T00:00:00Z
constexpr std::int64_t kJan2 = 1'704'153'600'000;  // 2024-01-02T00:00:00Z

TEST_CASE("EventParser: conformance bad_input lines") {
  EventParser parser(kDefaultMaxEventBytes);
  using enum RejectReason;
  const auto c = GENERATE(values<RejectCase>({
      {"not json", invalid_json, "not valid JSON"},
      {"[1,2,3]", invalid_json, "not a JSON object"},
      {R"({"member_id":"ivy","ts":"2024-01-01T00:00:00Z","amount":1})", missing_field,
       "event_id: missing"},
      {R"({"event_id":"i2","ts":"2024-01-01T00:00:00Z","amount":1})", missing_field,
       "member_id: missing"},
      {R"({"event_id":"i3","member_id":"ivy","amount":1})", missing_field, "ts: missing"},
      {R"({"event_id":"i4","member_id":"ivy","ts":"2024-01-01T00:00:00Z"})", missing_field,
       "amount: missing"},
      {R"({"event_id":"i5","member_id":"ivy","ts":"last tuesday","amount":1})", invalid_field,
       "ts: not RFC 3339"},
      {R"({"event_id":"i6","member_id":"ivy","ts":"2024-01-02T00:00:00Z","amount":-1})",
       out_of_range, "amount: negative"},
      {R"({"event_id":"i7","member_id":"ivy","ts":"2024-01-02T00:00:00Z","amount":"1,50"})",
       invalid_field, "amount: not a decimal string"},
      {R"({"event_id":"i8","member_id":"ivy","ts":"2024-01-02T00:00:00Z","amount":1,"type":"void"})",
       unknown_type, "type: 'void'"},
      {R"({"event_id":"i9","member_id":"","ts":"2024-01-02T00:00:00Z","amount":1})", invalid_field,
       "member_id: must be a string of 1-128 bytes"},
      {R"({"event_id":"i10","member_id":"ivy","ts":"1989-12-31T23:59:59Z","amount":1})",
       out_of_range, "ts: outside [1990, 2100)"},
      {R"({"event_id":"i11","member_id":"ivy","ts":"2024-02-30T00:00:00Z","amount":1})",
       invalid_field, "ts: impossible date"},
      {R"({"event_id":"i12","member_id":7,"ts":"2024-01-02T00:00:00Z","amount":1})", invalid_field,
       "member_id: must be a string of 1-128 bytes"},
      {R"({"event_id":"i13","member_id":"ivy","ts":"2024-01-02T00:00:00Z","amount":1e13})",
       out_of_range, "amount: above 1e12"},
      {R"({"event_id":"i14","member_id":"ivy","ts":"2024-01-02T00:00:00Z","amount":1,"items":[{"sku":"milk","qty":0}]})",
       invalid_field, "items: qty"},
      {R"({"event_id":"i15","member_id":"ivy","ts":1704153600000.5,"amount":1})", invalid_field,
       "ts: not a timestamp"},
      {R"({"event_id":"i16","member_id":"ivy","ts":"2024-01-02T00:00:00Z","amount":NaN})",
       invalid_json, "not valid JSON"},
      {R"({"event_id":"i18","member_id":"ivy","ts":1704153600,"amount":1})", out_of_range,
       "ts: outside [1990, 2100)"},
  }));
  check_rejected(parser, c);
}

TEST_CASE("EventParser: profiles, birthdays and item categories (SPEC 2, 5.7)") {
  EventParser parser(kDefaultMaxEventBytes);
  using enum RejectReason;
  const auto c = GENERATE(values<RejectCase>({
      {R"({"event_id":"p1","member_id":"b","ts":"2024-01-02T00:00:00Z","type":"profile","birthday":"1990-02-30"})",
       invalid_field, "birthday: not MM-DD or YYYY-MM-DD"},
      {R"({"event_id":"p2","member_id":"b","ts":"2024-01-02T00:00:00Z","type":"profile","birthday":"2023-02-29"})",
       invalid_field, "birthday: not MM-DD or YYYY-MM-DD"},
      {R"({"event_id":"p3","member_id":"b","ts":"2024-01-02T00:00:00Z","type":"profile","birthday":"13-01"})",
       invalid_field, "birthday: not MM-DD or YYYY-MM-DD"},
      {R"({"event_id":"p4","member_id":"b","ts":"2024-01-02T00:00:00Z","type":"profile","birthday":"02-30"})",
       invalid_field, "birthday: not MM-DD or YYYY-MM-DD"},
      {R"({"event_id":"p5","member_id":"b","ts":"2024-01-02T00:00:00Z","type":"profile","birthday":315532800})",
       invalid_field, "birthday: not MM-DD or YYYY-MM-DD"},
      {R"({"event_id":"p6","member_id":"b","ts":"2024-01-02T00:00:00Z","amount":1,"items":[{"sku":"x","category":"","qty":1}]})",
       invalid_field, "items: category"},
      {R"({"event_id":"p7","member_id":"b","ts":"2024-01-02T00:00:00Z","type":"profile","items":[{"sku":"x"}]})",
       invalid_field, "items: qty"},
  }));
  check_rejected(parser, c);
}

TEST_CASE("EventParser: accepted profiles and a purchase's distinct categories") {
  EventParser parser(kDefaultMaxEventBytes);
  PurchaseEvent event;
  Rejection rejection;
  REQUIRE(parser.parse(
      R"({"event_id":"p","member_id":"b","ts":"2024-01-02T00:00:00Z","type":"profile","birthday":"02-29","amount":"junk"})",
      event, rejection));
  CHECK(event.type == EventType::profile);
  CHECK(event.birthday == "02-29");
  REQUIRE(parser.parse(
      R"({"event_id":"q","member_id":"b","ts":"2024-01-02T00:00:00Z","type":"profile","birthday":null})",
      event, rejection));
  CHECK(event.birthday.empty());
  REQUIRE(parser.parse(
      R"({"event_id":"r","member_id":"b","ts":"2024-01-02T00:00:00Z","amount":3,"items":[{"sku":"a","category":"milk","qty":1},{"sku":"b","qty":2},{"sku":"c","category":"bread","qty":1},{"sku":"d","category":"milk","qty":1}]})",
      event, rejection));
  REQUIRE(event.categories.size() == 2);
  CHECK(event.categories[0] == "bread");
  CHECK(event.categories[1] == "milk");
}

TEST_CASE("EventParser: conformance accepted lines") {
  EventParser parser(kDefaultMaxEventBytes);
  using enum EventType;
  const auto c = GENERATE(values<AcceptCase>({
      // bad_input
      {R"({"event_id":"i1","member_id":"ivy","ts":"2024-01-01T00:00:00Z","amount":2.0005})", "i1",
       "ivy", kJan1, purchase, 2'001},
      {R"({"event_id":"i17","member_id":"ivy","ts":"2024-01-03T00:00:00Z","amount":"0.0005","store_id":null,"items":[{"sku":"milk","category":"dairy","qty":2,"price":9.9}],"extra":{"anything":true}})",
       "i17", "ivy", 1'704'240'000'000, purchase, 1},
      // timestamps
      {R"({"event_id":"j1","member_id":"jo","ts":"2024-03-10T08:00:00+08:00","amount":1})", "j1",
       "jo", 1'710'028'800'000, purchase, 1'000},
      {R"({"event_id":"j2","member_id":"jo","ts":"2024-03-09T19:00:00.1239-05:00","amount":1})",
       "j2", "jo", 1'710'028'800'123, purchase, 1'000},
      {R"({"event_id":"j3","member_id":"jo","ts":1710115200000,"amount":1})", "j3", "jo",
       1'710'115'200'000, purchase, 1'000},
      {R"({"event_id":"j4","member_id":"jo","ts":"2024-03-11t00:00:01.5z","amount":1})", "j4", "jo",
       1'710'115'201'500, purchase, 1'000},
      // unicode_ids and at_risk_rounding
      {R"({"event_id":"購買-1","member_id":"会员-王小明","ts":"2024-05-01T10:00:00+08:00","amount":"88.8"})",
       "購買-1", "会员-王小明", 1'714'528'800'000, purchase, 88'800},
      {R"({"event_id":"x:1","member_id":"a:b:c","ts":"2024-05-21T10:00:00Z","amount":1})", "x:1",
       "a:b:c", 1'716'285'600'000, purchase, 1'000},
      {R"({"event_id": "k4", "member_id": "kim", "ts": 1712707200001, "amount": 1})", "k4", "kim",
       1'712'707'200'001, purchase, 1'000},
  }));
  check_accepted(parser, c);
}

TEST_CASE("EventParser: documents that are not one valid JSON object") {
  EventParser parser(kDefaultMaxEventBytes);
  const std::string valid = valid_event_with("");
  const auto c = GENERATE_COPY(values<RejectCase>({
      {"", RejectReason::invalid_json, "not valid JSON"},
      {"   ", RejectReason::invalid_json, "not valid JSON"},
      {"{", RejectReason::invalid_json, "not valid JSON"},
      {"}", RejectReason::invalid_json, "not valid JSON"},
      {valid.substr(0, valid.size() - 1), RejectReason::invalid_json, "not valid JSON"},
      {valid + " x", RejectReason::invalid_json, "not valid JSON"},
      {valid + "{}", RejectReason::invalid_json, "not valid JSON"},
      {valid + "}", RejectReason::invalid_json, "not valid JSON"},
      {valid + valid, RejectReason::invalid_json, "not valid JSON"},
      {"[1,2", RejectReason::invalid_json, "not valid JSON"},
      {"[1,2]]", RejectReason::invalid_json, "not valid JSON"},
      {"[1,]", RejectReason::invalid_json, "not valid JSON"},
      {"tru", RejectReason::invalid_json, "not valid JSON"},
      {"42 43", RejectReason::invalid_json, "not valid JSON"},
      {"\"unterminated", RejectReason::invalid_json, "not valid JSON"},
      {"[]", RejectReason::invalid_json, "not a JSON object"},
      {"[{\"a\":[1]}]", RejectReason::invalid_json, "not a JSON object"},
      {"42", RejectReason::invalid_json, "not a JSON object"},
      {"-1.5e3 ", RejectReason::invalid_json, "not a JSON object"},
      {"\"text\"", RejectReason::invalid_json, "not a JSON object"},
      {"true", RejectReason::invalid_json, "not a JSON object"},
      {"null", RejectReason::invalid_json, "not a JSON object"},
      // Malformed anywhere, including in ignored fields.
      {valid_event_with(R"("extra":NaN)"), RejectReason::invalid_json, "not valid JSON"},
      {valid_event_with(R"("extra":Infinity)"), RejectReason::invalid_json, "not valid JSON"},
      {valid_event_with(R"("extra":tru)"), RejectReason::invalid_json, "not valid JSON"},
      {valid_event_with(R"("extra":nul)"), RejectReason::invalid_json, "not valid JSON"},
      {valid_event_with(R"("extra":01)"), RejectReason::invalid_json, "not valid JSON"},
      {valid_event_with(R"("extra":1.)"), RejectReason::invalid_json, "not valid JSON"},
      {valid_event_with(R"("extra":-)"), RejectReason::invalid_json, "not valid JSON"},
      {valid_event_with(R"("extra":+1)"), RejectReason::invalid_json, "not valid JSON"},
      {valid_event_with(R"("extra":'x')"), RejectReason::invalid_json, "not valid JSON"},
      {valid_event_with(R"("extra":"\x")"), RejectReason::invalid_json, "not valid JSON"},
      {valid_event_with(R"("extra":"\ud800")"), RejectReason::invalid_json, "not valid JSON"},
      {valid_event_with("\"extra\":\"a\tb\""), RejectReason::invalid_json, "not valid JSON"},
      {valid_event_with("\"extra\":\"\xff\""), RejectReason::invalid_json, "not valid JSON"},
      {valid_event_with(R"("extra":[1,])"), RejectReason::invalid_json, "not valid JSON"},
      {valid_event_with(R"("extra":[1 2])"), RejectReason::invalid_json, "not valid JSON"},
      {valid_event_with(R"("extra":{"a":1,})"), RejectReason::invalid_json, "not valid JSON"},
      {valid_event_with(R"("extra":{"a" 1})"), RejectReason::invalid_json, "not valid JSON"},
      {valid_event_with(R"("extra":{1:1})"), RejectReason::invalid_json, "not valid JSON"},
      {valid_event_with(R"("extra":{"a":[{"b":tru}]})"), RejectReason::invalid_json,
       "not valid JSON"},
      {valid_event_with(R"("ex\qtra":1)"), RejectReason::invalid_json, "not valid JSON"},
      {valid_event_with(R"("extra":1,)"), RejectReason::invalid_json, "not valid JSON"},
      {valid_event_with(R"("extra" 1)"), RejectReason::invalid_json, "not valid JSON"},
      {valid_event_with(R"("items":[{"sku":"a","qty":1,"x":tru}])"), RejectReason::invalid_json,
       "not valid JSON"},
      {valid_event_with(R"("items":[{"sku":"a","qty":01}])"), RejectReason::invalid_json,
       "not valid JSON"},
      {valid_event_with(R"("items":[1,])"), RejectReason::invalid_json, "not valid JSON"},
      // Containers nested 1024 deep (the event object counts) exceed simdjson's limit.
      {valid_event_with("\"extra\":" + nested_arrays(1023)), RejectReason::invalid_json,
       "not valid JSON"},
      {valid_event_with(R"("extra":)" + nested_objects(1023)), RejectReason::invalid_json,
       "not valid JSON"},
      // Invalid JSON wins over every field rule, even when it comes later.
      {R"({"amount":-1,"extra":NaN})", RejectReason::invalid_json, "not valid JSON"},
  }));
  check_rejected(parser, c);
}

TEST_CASE("EventParser: missing and invalid fields, in canonical order") {
  EventParser parser(kDefaultMaxEventBytes);
  using enum RejectReason;
  const std::string long_id = "\"" + std::string(129, 'x') + "\"";
  const std::string long_type = "\"" + std::string(60, 'x') + "\xC3\xA9xyz\"";
  const auto c = GENERATE_COPY(values<RejectCase>({
      {"{}", missing_field, "event_id: missing"},
      {event_where("event_id", ""), missing_field, "event_id: missing"},
      {event_where("member_id", ""), missing_field, "member_id: missing"},
      {event_where("ts", ""), missing_field, "ts: missing"},
      {event_where("amount", ""), missing_field, "amount: missing"},
      // ids
      {event_where("event_id", R"("")"), invalid_field,
       "event_id: must be a string of 1-128 bytes"},
      {event_where("event_id", "null"), invalid_field, "event_id: must be a string of 1-128 bytes"},
      {event_where("event_id", "12"), invalid_field, "event_id: must be a string of 1-128 bytes"},
      {event_where("event_id", "[]"), invalid_field, "event_id: must be a string of 1-128 bytes"},
      {event_where("event_id", long_id), invalid_field,
       "event_id: must be a string of 1-128 bytes"},
      {event_where("member_id", long_id), invalid_field,
       "member_id: must be a string of 1-128 bytes"},
      {event_where("member_id", "{}"), invalid_field, "member_id: must be a string of 1-128 bytes"},
      {event_where("member_id", "true"), invalid_field,
       "member_id: must be a string of 1-128 bytes"},
      // ts
      {event_where("ts", R"("2024-01-02")"), invalid_field, "ts: not RFC 3339"},
      {event_where("ts", R"("1704153600000")"), invalid_field, "ts: not RFC 3339"},
      {event_where("ts", R"("2024-01-02T00:00:00+24:00")"), invalid_field, "ts: not RFC 3339"},
      {event_where("ts", R"("2023-02-29T00:00:00Z")"), invalid_field, "ts: impossible date"},
      {event_where("ts", R"("2024-13-01T00:00:00Z")"), invalid_field, "ts: impossible date"},
      {event_where("ts", R"("2024-01-01T24:00:00Z")"), invalid_field, "ts: impossible date"},
      {event_where("ts", R"("2024-01-01T23:60:00Z")"), invalid_field, "ts: impossible date"},
      {event_where("ts", R"("2024-01-01T23:59:60Z")"), invalid_field, "ts: impossible date"},
      {event_where("ts", "1.7e12"), invalid_field, "ts: not a timestamp"},
      {event_where("ts", "1704153600000.0"), invalid_field, "ts: not a timestamp"},
      {event_where("ts", "1704153600000E0"), invalid_field, "ts: not a timestamp"},
      {event_where("ts", "true"), invalid_field, "ts: not a timestamp"},
      {event_where("ts", "null"), invalid_field, "ts: not a timestamp"},
      {event_where("ts", "{}"), invalid_field, "ts: not a timestamp"},
      {event_where("ts", "[1704153600000]"), invalid_field, "ts: not a timestamp"},
      // type
      {valid_event_with(R"("type":"void")"), unknown_type, "type: 'void'"},
      {valid_event_with(R"("type":"Purchase")"), unknown_type, "type: 'Purchase'"},
      {valid_event_with(R"("type":"")"), unknown_type, "type: ''"},
      {valid_event_with(R"("type":"it's")"), unknown_type, "type: 'it's'"},
      {valid_event_with(R"("type":)" + long_type), unknown_type,
       "type: '" + std::string(60, 'x') + "\xC3\xA9xy...'"},
      {valid_event_with(R"("type":1)"), invalid_field, "type: must be a string"},
      {valid_event_with(R"("type":["refund"])"), invalid_field, "type: must be a string"},
      // amount
      {event_where("amount", R"("1,50")"), invalid_field, "amount: not a decimal string"},
      {event_where("amount", R"("")"), invalid_field, "amount: not a decimal string"},
      {event_where("amount", R"(" 1")"), invalid_field, "amount: not a decimal string"},
      {event_where("amount", R"("1.")"), invalid_field, "amount: not a decimal string"},
      {event_where("amount", R"("NaN")"), invalid_field, "amount: not a decimal string"},
      {event_where("amount", R"("Infinity")"), invalid_field, "amount: not a decimal string"},
      {event_where("amount", R"("$5")"), invalid_field, "amount: not a decimal string"},
      {event_where("amount", "true"), invalid_field,
       "amount: must be a number or a decimal string"},
      {event_where("amount", "null"), invalid_field,
       "amount: must be a number or a decimal string"},
      {event_where("amount", "{}"), invalid_field, "amount: must be a number or a decimal string"},
      {event_where("amount", "[1]"), invalid_field, "amount: must be a number or a decimal string"},
      // items
      {valid_event_with(R"("items":"milk")"), invalid_field, "items: not an array"},
      {valid_event_with(R"("items":{"sku":"milk","qty":1})"), invalid_field, "items: not an array"},
      {valid_event_with(R"("items":[1])"), invalid_field, "items: item is not an object"},
      {valid_event_with(R"("items":[null])"), invalid_field, "items: item is not an object"},
      {valid_event_with(R"("items":[{"qty":1}])"), invalid_field, "items: sku"},
      {valid_event_with(R"("items":[{"sku":7,"qty":1}])"), invalid_field, "items: sku"},
      {valid_event_with(R"("items":[{"sku":null,"qty":1}])"), invalid_field, "items: sku"},
      {valid_event_with(R"("items":[{"sku":"a","sku":"b","qty":1}])"), invalid_field, "items: sku"},
      {valid_event_with(R"("items":[{"sku":"a","category":5,"qty":1}])"), invalid_field,
       "items: category"},
      {valid_event_with(R"("items":[{"sku":"a"}])"), invalid_field, "items: qty"},
      {valid_event_with(R"("items":[{"sku":"a","qty":0}])"), invalid_field, "items: qty"},
      {valid_event_with(R"("items":[{"sku":"a","qty":0.000}])"), invalid_field, "items: qty"},
      {valid_event_with(R"("items":[{"sku":"a","qty":-0}])"), invalid_field, "items: qty"},
      {valid_event_with(R"("items":[{"sku":"a","qty":-1}])"), invalid_field, "items: qty"},
      {valid_event_with(R"("items":[{"sku":"a","qty":"2"}])"), invalid_field, "items: qty"},
      {valid_event_with(R"("items":[{"sku":"a","qty":null}])"), invalid_field, "items: qty"},
      {valid_event_with(R"("items":[{"sku":"a","qty":1,"qty":1}])"), invalid_field, "items: qty"},
      {valid_event_with(R"("items":[{"sku":"a","qty":1,"price":-0.01}])"), invalid_field,
       "items: price"},
      {valid_event_with(R"("items":[{"sku":"a","qty":1,"price":"9.9"}])"), invalid_field,
       "items: price"},
      {valid_event_with(R"("items":[{"sku":"a","qty":1},{"qty":1}])"), invalid_field, "items: sku"},
      {valid_event_with(R"("items":[{"sku":"a","qty":0},{"qty":1}])"), invalid_field, "items: qty"},
      // store_id and currency
      {valid_event_with(R"("store_id":12)"), invalid_field, "store_id: must be a string"},
      {valid_event_with(R"("currency":["EUR"])"), invalid_field, "currency: must be a string"},
      // a known field given twice
      {valid_event_with(R"("event_id":"e2")"), invalid_field, "event_id: given more than once"},
      {valid_event_with(R"("member_id":"m1")"), invalid_field, "member_id: given more than once"},
      {valid_event_with(R"("ts":"2024-01-02T00:00:00Z")"), invalid_field,
       "ts: given more than once"},
      {valid_event_with(R"("amount":1)"), invalid_field, "amount: given more than once"},
      {valid_event_with(R"("type":"refund","type":"refund")"), invalid_field,
       "type: given more than once"},
      {valid_event_with(R"("items":[],"items":[])"), invalid_field, "items: given more than once"},
      {valid_event_with(R"("store_id":null,"store_id":null)"), invalid_field,
       "store_id: given more than once"},
      {valid_event_with(R"("event\u005fid":"e2")"), invalid_field,
       "event_id: given more than once"},
      // the first failing field in canonical order is reported
      {R"({"amount":-1,"ts":"bad","member_id":7})", missing_field, "event_id: missing"},
      {R"({"amount":-1,"ts":"bad","member_id":7,"event_id":"e"})", invalid_field,
       "member_id: must be a string of 1-128 bytes"},
      {R"({"type":"void","amount":-1,"ts":"bad","member_id":"m","event_id":"e"})", invalid_field,
       "ts: not RFC 3339"},
      {R"({"items":5,"amount":-1,"type":"void","ts":1704153600000,"member_id":"m","event_id":"e"})",
       unknown_type, "type: 'void'"},
      {R"({"store_id":5,"items":5,"amount":-1,"ts":1704153600000,"member_id":"m","event_id":"e"})",
       out_of_range, "amount: negative"},
      {R"({"currency":5,"store_id":5,"items":5,"amount":1,"ts":1704153600000,"member_id":"m","event_id":"e"})",
       invalid_field, "items: not an array"},
      {R"({"currency":5,"store_id":5,"amount":1,"ts":1704153600000,"member_id":"m","event_id":"e"})",
       invalid_field, "store_id: must be a string"},
  }));
  check_rejected(parser, c);
}

TEST_CASE("EventParser: values out of range") {
  EventParser parser(kDefaultMaxEventBytes);
  using enum RejectReason;
  const auto c = GENERATE(values<RejectCase>({
      {event_where("ts", R"("1989-12-31T23:59:59.999Z")"), out_of_range,
       "ts: outside [1990, 2100)"},
      {event_where("ts", R"("1990-01-01T07:59:59+08:00")"), out_of_range,
       "ts: outside [1990, 2100)"},
      {event_where("ts", R"("2100-01-01T00:00:00Z")"), out_of_range, "ts: outside [1990, 2100)"},
      {event_where("ts", R"("2099-12-31T19:00:00-05:00")"), out_of_range,
       "ts: outside [1990, 2100)"},
      {event_where("ts", R"("0000-01-01T00:00:00Z")"), out_of_range, "ts: outside [1990, 2100)"},
      {event_where("ts", "631151999999"), out_of_range, "ts: outside [1990, 2100)"},
      {event_where("ts", "4102444800000"), out_of_range, "ts: outside [1990, 2100)"},
      {event_where("ts", "1704153600"), out_of_range, "ts: outside [1990, 2100)"},
      {event_where("ts", "0"), out_of_range, "ts: outside [1990, 2100)"},
      {event_where("ts", "-0"), out_of_range, "ts: outside [1990, 2100)"},
      {event_where("ts", "-1704153600000"), out_of_range, "ts: outside [1990, 2100)"},
      {event_where("ts", "99999999999999999999999"), out_of_range, "ts: outside [1990, 2100)"},
      {event_where("ts", "-99999999999999999999999"), out_of_range, "ts: outside [1990, 2100)"},
      {event_where("amount", "-1"), out_of_range, "amount: negative"},
      {event_where("amount", R"("-1")"), out_of_range, "amount: negative"},
      {event_where("amount", "-0.0004"), out_of_range, "amount: negative"},
      {event_where("amount", "-1e-999999"), out_of_range, "amount: negative"},
      {event_where("amount", "1e13"), out_of_range, "amount: above 1e12"},
      {event_where("amount", R"("1e13")"), out_of_range, "amount: above 1e12"},
      {event_where("amount", "1000000000000.0005"), out_of_range, "amount: above 1e12"},
      {event_where("amount", "1e999999"), out_of_range, "amount: above 1e12"},
      {event_where("amount", "123456789012345678901234567890"), out_of_range, "amount: above 1e12"},
  }));
  check_rejected(parser, c);
}

TEST_CASE("EventParser: accepted events") {
  EventParser parser(kDefaultMaxEventBytes);
  using enum EventType;
  const std::string id128(128, 'x');
  const std::string utf8_id128 = [] {
    std::string id;
    for (int i = 0; i < 64; ++i) id += "\xC3\xA9";  // é, two bytes
    return id;
  }();
  const std::string escaped_id128 = [] {
    std::string id;
    for (int i = 0; i < 128; ++i) id += "\\u0041";  // 768 bytes of JSON, 128 bytes of id
    return id;
  }();
  const auto c = GENERATE_COPY(values<AcceptCase>({
      {valid_event_with(""), "e1", "m1", kJan2, purchase, 1'000},
      // ids
      {event_where("event_id", "\"" + id128 + "\""), id128, "m1", kJan2, purchase, 1'000},
      {event_where("member_id", "\"" + id128 + "\""), "e1", id128, kJan2, purchase, 1'000},
      {event_where("member_id", "\"" + utf8_id128 + "\""), "e1", utf8_id128, kJan2, purchase,
       1'000},
      {event_where("member_id", "\"" + escaped_id128 + "\""), "e1", std::string(128, 'A'), kJan2,
       purchase, 1'000},
      {event_where("member_id", R"("caf\u00e9")"), "e1", "caf\xC3\xA9", kJan2, purchase, 1'000},
      {event_where("member_id", R"("\ud83d\ude00")"), "e1", "\xF0\x9F\x98\x80", kJan2, purchase,
       1'000},
      {event_where("member_id", R"("a\"b\\c\/d\n")"), "e1", "a\"b\\c/d\n", kJan2, purchase, 1'000},
      {event_where("member_id", R"(" ")"), "e1", " ", kJan2, purchase, 1'000},
      {R"({"event\u005fid":"e1","member_id":"m1","ts":1704153600000,"amount":1})", "e1", "m1",
       kJan2, purchase, 1'000},
      // ts boundaries and forms
      {event_where("ts", R"("1990-01-01T00:00:00Z")"), "e1", "m1", 631'152'000'000, purchase,
       1'000},
      {event_where("ts", R"("1990-01-01T08:00:00+08:00")"), "e1", "m1", 631'152'000'000, purchase,
       1'000},
      {event_where("ts", R"("2099-12-31T23:59:59.999Z")"), "e1", "m1", 4'102'444'799'999, purchase,
       1'000},
      {event_where("ts", "631152000000"), "e1", "m1", 631'152'000'000, purchase, 1'000},
      {event_where("ts", "4102444799999"), "e1", "m1", 4'102'444'799'999, purchase, 1'000},
      {event_where("ts", R"("2024-01-02T00:00:00.999999Z")"), "e1", "m1", kJan2 + 999, purchase,
       1'000},
      // type
      {valid_event_with(R"("type":"purchase")"), "e1", "m1", kJan2, purchase, 1'000},
      {valid_event_with(R"("type":"refund")"), "e1", "m1", kJan2, refund, 1'000},
      {valid_event_with(R"("type":"\u0072efund")"), "e1", "m1", kJan2, refund, 1'000},
      {valid_event_with(R"("type":null)"), "e1", "m1", kJan2, purchase, 1'000},
      // amount
      {event_where("amount", R"("12.50")"), "e1", "m1", kJan2, purchase, 12'500},
      {event_where("amount", "12.50"), "e1", "m1", kJan2, purchase, 12'500},
      {event_where("amount", "1.2345e2"), "e1", "m1", kJan2, purchase, 123'450},
      {event_where("amount", R"("1.2345e2")"), "e1", "m1", kJan2, purchase, 123'450},
      {event_where("amount", "0.0004999"), "e1", "m1", kJan2, purchase, 0},
      {event_where("amount", "0"), "e1", "m1", kJan2, purchase, 0},
      {event_where("amount", "-0"), "e1", "m1", kJan2, purchase, 0},
      {event_where("amount", R"("-0.000")"), "e1", "m1", kJan2, purchase, 0},
      {event_where("amount", "1e-999999"), "e1", "m1", kJan2, purchase, 0},
      {event_where("amount", "1e12"), "e1", "m1", kJan2, purchase, 1'000'000'000'000'000},
      {event_where("amount", "1000000000000.0004"), "e1", "m1", kJan2, purchase,
       1'000'000'000'000'000},
      {event_where("amount", "0.1234567890123456789012345678901234567890"), "e1", "m1", kJan2,
       purchase, 123},
      // optional fields
      {valid_event_with(R"("store_id":"s-12","currency":"EUR")"), "e1", "m1", kJan2, purchase,
       1'000},
      {valid_event_with(R"("store_id":"","currency":null)"), "e1", "m1", kJan2, purchase, 1'000},
      {valid_event_with(R"("items":null)"), "e1", "m1", kJan2, purchase, 1'000},
      {valid_event_with(R"("items":[])"), "e1", "m1", kJan2, purchase, 1'000},
      {valid_event_with(R"("items":[{"sku":"a","qty":0.5},{"sku":"","qty":1e3,"price":0}])"), "e1",
       "m1", kJan2, purchase, 1'000},
      {valid_event_with(R"("items":[{"sku":"a","qty":1,"price":-0,"category":null,"x":[{}]}])"),
       "e1", "m1", kJan2, purchase, 1'000},
      {valid_event_with(R"("items":[{"sku":"a","qty":0.001e-3,"price":1e999}])"), "e1", "m1", kJan2,
       purchase, 1'000},
      // unknown fields of every kind, whitespace, key order
      {valid_event_with(
           R"("x1":null,"x2":true,"x3":false,"x4":-1.5E-7,"x5":"s\u00e9","x6":[],"x7":{},)"
           R"("x8":[1,"a",{"b":[null,{"c":0}]}],"Event_ID":5,"":0)"),
       "e1", "m1", kJan2, purchase, 1'000},
      {valid_event_with("\"extra\":" + nested_arrays(1022)), "e1", "m1", kJan2, purchase, 1'000},
      {valid_event_with(R"("extra":)" + nested_objects(1022)), "e1", "m1", kJan2, purchase, 1'000},
      {" \t\r\n{ \"amount\" : 1 , \"ts\" : 1704153600000 ,\n \"member_id\" : \"m1\" , "
       "\"event_id\" : \"e1\" } \n\t",
       "e1", "m1", kJan2, purchase, 1'000},
  }));
  check_accepted(parser, c);
}

TEST_CASE("EventParser: size limit") {
  const std::string event = valid_event_with("");
  EventParser parser(event.size());
  PurchaseEvent parsed;
  Rejection rejection;
  CHECK(parser.parse(event, parsed, rejection));

  const std::string padded = event + " ";
  REQUIRE_FALSE(parser.parse(padded, parsed, rejection));
  CHECK(rejection.reason == RejectReason::too_large);
  CHECK(rejection.detail ==
        "event is " + std::to_string(padded.size()) +
            " bytes, limit input.max_event_bytes = " + std::to_string(event.size()));

  CHECK_THROWS_AS(EventParser(std::numeric_limits<std::size_t>::max()), std::length_error);

  EventParser tiny(0);
  CHECK_FALSE(tiny.parse("", parsed, rejection));
  CHECK(rejection.reason == RejectReason::invalid_json);
  CHECK_FALSE(tiny.parse("{}", parsed, rejection));
  CHECK(rejection.reason == RejectReason::too_large);
}

TEST_CASE("EventParser: future limit") {
  EventParser parser(kDefaultMaxEventBytes);
  PurchaseEvent event;
  Rejection rejection;
  const std::string at_limit = event_where("ts", R"("2024-01-02T00:00:00Z")");
  const std::string after_limit = event_where("ts", R"("2024-01-02T00:00:00.001Z")");
  CHECK(parser.parse(after_limit, event, rejection));

  parser.set_future_limit(EpochMs{kJan2});
  CHECK(parser.parse(at_limit, event, rejection));
  REQUIRE_FALSE(parser.parse(after_limit, event, rejection));
  CHECK(rejection.reason == RejectReason::future_timestamp);
  CHECK(rejection.detail == "ts: more than input.max_future_skew ahead of the wall clock");

  // Every other rule is checked first.
  const std::string future_and_negative =
      R"({"event_id":"e1","member_id":"m1","ts":"2030-01-01T00:00:00Z","amount":-1})";
  REQUIRE_FALSE(parser.parse(future_and_negative, event, rejection));
  CHECK(rejection.reason == RejectReason::out_of_range);
  CHECK(rejection.detail == "amount: negative");

  parser.set_future_limit(std::nullopt);
  CHECK(parser.parse(after_limit, event, rejection));
}

TEST_CASE("EventParser: the event's views point into the parser, not the input") {
  EventParser parser(kDefaultMaxEventBytes);
  PurchaseEvent event;
  Rejection rejection;
  std::string input = event_where("member_id", R"("member-7")");
  REQUIRE(parser.parse(input, event, rejection));
  input.assign(input.size(), '#');
  CHECK(event.event_id == "e1");
  CHECK(event.member_id == "member-7");
}

TEST_CASE("EventParser: nothing carries over from one event to the next") {
  EventParser parser(kDefaultMaxEventBytes);
  PurchaseEvent event;
  Rejection rejection;
  const std::string big = valid_event_with(R"("items":[{"sku":"a","qty":0}],"type":"refund",)"
                                           R"("store_id":7,"filler":")" +
                                           std::string(5'000, 'f') + "\"");
  CHECK_FALSE(parser.parse(big, event, rejection));
  CHECK(rejection.detail == "items: qty");

  const std::string small = R"({"event_id":"e9","member_id":"m9","ts":1704153600000,"amount":2})";
  REQUIRE(parser.parse(small, event, rejection));
  CHECK(event.event_id == "e9");
  CHECK(event.member_id == "m9");
  CHECK(event.type == EventType::purchase);
  CHECK(event.amount.thousandths == 2'000);

  CHECK_FALSE(parser.parse("{}", event, rejection));
  CHECK(rejection.detail == "event_id: missing");
}

TEST_CASE("EventParser: details never contain money amounts") {
  EventParser parser(kDefaultMaxEventBytes);
  PurchaseEvent event;
  Rejection rejection;
  for (const std::string_view amount : {"-987.65", "\"987,65\"", "9876543210987654321"}) {
    REQUIRE_FALSE(parser.parse(event_where("amount", amount), event, rejection));
    CHECK(rejection.detail.find("987") == std::string::npos);
  }
}

}  // namespace
}  // namespace segmentd
