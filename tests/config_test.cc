// Tests of the config module (SPEC 9): defaults, every option kind, the three sources
// and their precedence, error messages, secrets, routes, and the generated reference.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "config/config_loader.h"
#include "config/config_report.h"
#include "config/config_sources.h"
#include "config/option_kinds.h"
#include "config/option_registry.h"

namespace segmentd {
namespace {

using Catch::Matchers::Contains;

// A TOML file in the temporary directory, removed when the test ends.
class TempToml {
 public:
  explicit TempToml(const std::string& content) {
    static int counter = 0;
    path_ = (std::filesystem::temp_directory_path() /
             ("segmentd_config_test_" + std::to_string(::getpid()) + "_" +
              std::to_string(++counter) + ".toml"))
                .string();
    std::ofstream(path_) << content;
  }
  ~TempToml() { std::filesystem::remove(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

LoadRequest with_sets(std::vector<std::string> sets) { return {std::nullopt, {}, sets}; }

SegmentdConfig loaded(const LoadRequest& request) {
  auto result = load_config(request);
  INFO(result.error());
  REQUIRE(result.ok());
  return std::move(result).value();
}

std::string failure(const LoadRequest& request) {
  const auto result = load_config(request);
  REQUIRE_FALSE(result.ok());
  return result.error();
}

std::string file_failure(const std::string& toml) {
  const TempToml file(toml);
  return failure({file.path(), {}, {}});
}

}  // namespace

TEST_CASE("defaults match SPEC 9 and the engine's own defaults") {
  const SegmentdConfig config = loaded({});
  CHECK(config.application_id == "segmentd");
  CHECK(config.input.topic == "purchases");
  CHECK(config.input.max_event_bytes == 65536);
  CHECK(config.input.max_future_skew == DurationMs::days(1));
  CHECK(config.output.topic == "member-transitions");
  CHECK(config.output.dlq_topic == "purchases.dlq");
  CHECK(config.output.routes.empty());
  CHECK(config.time.idle_delay == DurationMs::minutes(5));
  CHECK(config.processing.guarantee == DeliveryGuarantee::at_least_once);
  CHECK(config.processing.commit_interval == DurationMs{1000});
  CHECK(config.processing.standby_replicas == 0);
  CHECK(config.state.dir == "./segmentd-state");
  CHECK_FALSE(config.state.dir_explicitly_set);
  CHECK(config.state.cache_bytes == 320u << 20);
  CHECK(config.state.changelog);
  CHECK(config.http == HttpOptions{"127.0.0.1", 9464});
  CHECK(config.kafka_properties.empty());
  const EngineOptions engine;
  CHECK(config.engine.allowed_lateness == engine.allowed_lateness);
  CHECK(config.engine.utc_offset == engine.utc_offset);
  CHECK(config.engine.dedupe_window == engine.dedupe_window);
  CHECK(config.engine.lifecycle.dormant_after == engine.lifecycle.dormant_after);
  CHECK(config.engine.lifecycle.lost_after == engine.lifecycle.lost_after);
  CHECK(config.engine.lifecycle.at_risk_min_days == engine.lifecycle.at_risk_min_days);
  CHECK(config.engine.lifecycle.at_risk_min_purchases == engine.lifecycle.at_risk_min_purchases);
  CHECK(config.engine.lifecycle.at_risk_factor_thousandths ==
        engine.lifecycle.at_risk_factor_thousandths);
}

TEST_CASE("every default is written in its canonical form") {
  for (const OptionSpec& spec : option_registry()) {
    const auto value =
        parse_option_value(spec, {RawValue::Form::text, std::string(spec.default_text), {}});
    INFO(spec.key);
    REQUIRE(value.ok());
    CHECK(format_option_value(spec, value.value()) == spec.default_text);
  }
}

TEST_CASE("valid values of each kind") {
  const SegmentdConfig config = loaded(
      with_sets({"application.id=shop-eu_1.a", "input.topic=in.v2", "input.max_event_bytes=1",
                 "time.idle_delay=0s", "time.allowed_lateness=250ms", "input.max_future_skew=30s",
                 "lifecycle.dormant_after=5m", "lifecycle.lost_after=1h", "dedupe.window=1024",
                 "lifecycle.at_risk_min_purchases=2", "lifecycle.at_risk_factor=0.001",
                 "state.cache_size=2GiB", "time.utc_offset=-08:30", "http.listen=[::1]:80",
                 "processing.guarantee=at_least_once", "state.dir=/var/lib/segmentd",
                 "processing.standby_replicas=2"}));
  CHECK(config.application_id == "shop-eu_1.a");
  CHECK(config.input.topic == "in.v2");
  CHECK(config.input.max_event_bytes == 1);
  CHECK(config.time.idle_delay == DurationMs{0});
  CHECK(config.engine.allowed_lateness == DurationMs{250});
  CHECK(config.input.max_future_skew == DurationMs{30'000});
  CHECK(config.engine.lifecycle.dormant_after == DurationMs::minutes(5));
  CHECK(config.engine.lifecycle.lost_after == DurationMs::hours(1));
  CHECK(config.engine.dedupe_window == 1024);
  CHECK(config.engine.lifecycle.at_risk_min_purchases == 2);
  CHECK(config.engine.lifecycle.at_risk_factor_thousandths == 1);
  CHECK(config.state.cache_bytes == 2ull << 30);
  CHECK(config.processing.standby_replicas == 2);
  CHECK(config.engine.utc_offset == DurationMs{-(8 * 60 + 30) * 60'000});
  CHECK(config.http == HttpOptions{"::1", 80});
  CHECK(config.processing.guarantee == DeliveryGuarantee::at_least_once);
  CHECK(config.state.dir == "/var/lib/segmentd");
  CHECK(config.state.dir_explicitly_set);
}

TEST_CASE("an invalid value names the key, the value, the source and what is allowed") {
  CHECK(failure(with_sets({"lifecycle.dormant_after=90"})) ==
        "lifecycle.dormant_after = \"90\" (from --set): expected a duration like 250ms, 30s, "
        "5m, 1h or 90d, from 1ms to 36500d");
  CHECK(failure({std::nullopt, {"SEGMENTD_DEDUPE__WINDOW=0"}, {}}) ==
        "dedupe.window = \"0\" (from SEGMENTD_DEDUPE__WINDOW): expected an integer from 1 to 1024");
}

TEST_CASE("families.enabled and actions.enabled: lists of known names") {
  const auto config = loaded(
      with_sets({"families.enabled=[\"rfm\", \"tier\"]", "actions.enabled=birthday,replenish",
                 "actions.replenish_cycles={formula=\"21d\", rice = 30d}"}));
  CHECK_FALSE(config.engine.families.has(FamilyId::lifecycle));
  CHECK(config.engine.families.has(FamilyId::rfm));
  CHECK(config.engine.families.has(FamilyId::tier));
  CHECK(config.engine.enabled_actions.has(ActionKind::birthday));
  CHECK_FALSE(config.engine.enabled_actions.has(ActionKind::follow_up));
  REQUIRE(config.engine.actions.replenish_cycles.size() == 2);
  CHECK(config.engine.actions.replenish_cycles[0].first == "formula");
  CHECK(config.engine.actions.replenish_cycles[1].second == DurationMs::days(30));
  CHECK_THAT(failure(with_sets({"families.enabled=[\"lifecycle\",\"loyalty\"]"})),
             Contains("families.enabled") && Contains("lifecycle, rfm, quadrant, tier, value"));
  CHECK_THAT(failure(with_sets({"actions.enabled=[\"call\"]"})),
             Contains("actions.enabled") && Contains("birthday, follow_up, replenish"));
  CHECK_THAT(failure(with_sets({"actions.replenish_cycles={formula=\"3 weeks\"}"})),
             Contains("actions.replenish_cycles"));
  CHECK_THAT(failure(with_sets({"rfm.sleeping_after=10d"})),
             Contains("rfm.sleeping_after (10d) must be greater than rfm.silent_after (30d)"));
  CHECK_THAT(failure(with_sets({"tier.major=0.5"})), Contains("tier.major"));
  CHECK_THAT(failure(with_sets({"processing.standby_replicas=1", "state.changelog=false"})),
             Contains("processing.standby_replicas (1) needs state.changelog = true"));
}

TEST_CASE("invalid values of each kind") {
  const auto [setting, allowed] = GENERATE(table<std::string, std::string>({
      {"lifecycle.dormant_after=0s", "from 1ms to 36500d"},
      {"time.idle_delay=1h30m", "a duration like"},
      {"time.idle_delay=-5m", "from 0s to 36500d"},
      {"time.idle_delay=5M", "a duration like"},
      {"processing.commit_interval=0ms", "from 1ms"},
      {"processing.standby_replicas=-1", "an integer from 0 to 16"},
      {"dedupe.window=0", "an integer from 1 to 1024"},
      {"dedupe.window=1025", "an integer from 1 to 1024"},
      {"dedupe.window=+3", "an integer from 1 to 1024"},
      {"lifecycle.at_risk_min_purchases=1", "an integer from 2 to"},
      {"input.max_event_bytes=16777217", "from 1 to 16777216"},
      {"input.max_event_bytes=99999999999999999999", "from 1 to 16777216"},
      {"state.cache_size=512KiB", "a byte size like 1048576, 512KiB, 256MiB or 2GiB, from 1MiB"},
      {"state.cache_size=1MB", "a byte size like"},
      {"lifecycle.at_risk_factor=0",
       "a decimal with at most 3 fractional digits, from 0.001 to 1000.0"},
      {"lifecycle.at_risk_factor=1000.001", "from 0.001 to 1000.0"},
      {"lifecycle.at_risk_factor=1e3", "a decimal"},
      {"lifecycle.at_risk_factor=.5", "a decimal"},
      {"lifecycle.at_risk_factor=2.", "a decimal"},
      {"time.utc_offset=+5:30", "an offset +HH:MM or -HH:MM from -14:00 to +14:00"},
      {"time.utc_offset=+05:60", "an offset"},
      {"time.utc_offset=+15:00", "from -14:00 to +14:00"},
      {"time.utc_offset=Z", "an offset"},
      {"http.listen=127.0.0.1", "host:port with a port from 1 to 65535"},
      {"http.listen=127.0.0.1:0", "host:port"},
      {"http.listen=:80", "host:port"},
      {"http.listen=::1:80", "host:port"},
      {"processing.guarantee=exactly-once", "one of at_least_once, exactly_once"},
      {"input.topic=bad topic", "a Kafka topic name"},
      {"output.dlq_topic=..", "a Kafka topic name"},
      {"output.topic=" + std::string(250, 'x'), "a Kafka topic name: 1 to 249 of the characters"},
      {"application.id=", "1 to 200 of the characters A-Z a-z 0-9 . _ -"},
      {"application.id=a/b", "of the characters A-Z a-z 0-9 . _ -"},
      {"state.dir=", "a non-empty string"},
  }));
  const std::string key = setting.substr(0, setting.find('='));
  const std::string value = setting.substr(setting.find('=') + 1);
  const std::string message = failure(with_sets({setting}));
  CHECK_THAT(message, Contains(key + " = \"" + value + "\" (from --set): expected "));
  CHECK_THAT(message, Contains(allowed));
}

TEST_CASE("precedence is defaults < file < environment < --set") {
  const TempToml file("[time]\nidle_delay = \"1m\"\nallowed_lateness = \"2h\"\n");
  const std::vector<std::string> env = {"SEGMENTD_TIME__IDLE_DELAY=2m"};
  CHECK(loaded({file.path(), {}, {}}).time.idle_delay == DurationMs::minutes(1));
  CHECK(loaded({file.path(), env, {}}).time.idle_delay == DurationMs::minutes(2));
  const auto config = loaded({file.path(), env, {"time.idle_delay=3m", "time.idle_delay=4m"}});
  CHECK(config.time.idle_delay == DurationMs::minutes(4));  // the last --set wins
  CHECK(config.engine.allowed_lateness == DurationMs::hours(2));
  CHECK(config.engine.dedupe_window == 32);
}

TEST_CASE("a value is checked even when a later source overrides it") {
  const TempToml file("dedupe.window = 0\n");
  CHECK_THAT(failure({file.path(), {}, {"dedupe.window=8"}}),
             Contains("dedupe.window = 0 (from " + file.path() + ":1)"));
}

TEST_CASE("environment variable names map to keys, kafka properties included") {
  const auto config = loaded({std::nullopt,
                              {"PATH=/bin", "SEGMENTDX=1", "SEGMENTD_TIME__IDLE_DELAY=30s",
                               "SEGMENTD_KAFKA__BOOTSTRAP__SERVERS=broker:9092",
                               "SEGMENTD_STATE__DIR=/data", "SEGMENTD_KAFKA__LINGER__MS=5"},
                              {}});
  CHECK(config.time.idle_delay == DurationMs{30'000});
  CHECK(config.state.dir_explicitly_set);
  using Property = std::pair<std::string, std::string>;
  CHECK(config.kafka_properties ==
        std::vector<Property>{{"bootstrap.servers", "broker:9092"}, {"linger.ms", "5"}});
  for (const OptionSpec& spec : option_registry()) {
    const auto settings = environment_settings({environment_variable_for(spec.key) + "=x"});
    REQUIRE(settings.size() == 1);
    CHECK(settings[0].key == spec.key);
  }
  CHECK(environment_variable_for("time.idle_delay") == "SEGMENTD_TIME__IDLE_DELAY");
}

TEST_CASE("SEGMENTD_ variables without a section separator are not options") {
  CHECK(environment_settings(
            {"SEGMENTD_PORT=tcp://10.0.0.1:9464", "SEGMENTD_SERVICE_HOST=x", "SEGMENTD_HOME=/opt"})
            .empty());
  CHECK(environment_settings({"SEGMENTD_DEDUPE__WINDOW=8"}).size() == 1);
}

TEST_CASE("unknown keys are refused in every source") {
  CHECK_THAT(failure(with_sets({"time.idle_dealy=5m"})),
             Contains("unknown key time.idle_dealy = \"5m\" (from --set); did you mean "
                      "time.idle_delay?"));
  CHECK_THAT(failure(with_sets({"nonsense=1"})), Contains("docs/CONFIGURATION.md"));
  CHECK_THAT(failure({std::nullopt, {"SEGMENTD_TIME__IDEL_DELAY=5m"}, {}}),
             Contains("unknown environment variable SEGMENTD_TIME__IDEL_DELAY") &&
                 Contains("did you mean SEGMENTD_TIME__IDLE_DELAY?"));
  CHECK_THAT(file_failure("[lifecycle]\ndormant_after = \"90d\"\nlost = \"1d\"\n"),
             Contains("unknown key lifecycle.lost = \"1d\" (from ") && Contains(".toml:3)"));
  CHECK_THAT(failure(with_sets({"kafka.=x"})), Contains("unknown key kafka."));
  CHECK(failure(with_sets({"dedupe.window"})) == "--set \"dedupe.window\": expected key=value");
}

TEST_CASE("TOML nested tables and dotted keys mean the same and integers may be strings") {
  const TempToml nested(
      "[lifecycle]\ndormant_after = \"30d\"\nat_risk_min_purchases = 4\n"
      "[kafka]\n\"bootstrap.servers\" = \"b:9092\"\nenable.idempotence = true\n"
      "socket.timeout.ms = 1000\n");
  const TempToml dotted(
      "lifecycle.dormant_after = \"30d\"\nlifecycle.at_risk_min_purchases = \"4\"\n"
      "kafka.bootstrap.servers = \"b:9092\"\nkafka.enable.idempotence = \"true\"\n"
      "kafka.socket.timeout.ms = \"1000\"\n");
  const auto a = loaded({nested.path(), {}, {}});
  const auto b = loaded({dotted.path(), {}, {}});
  CHECK(a.engine.lifecycle.dormant_after == DurationMs::days(30));
  CHECK(a.engine.lifecycle.at_risk_min_purchases == 4);
  CHECK(describe_effective_config(a) == describe_effective_config(b));
  CHECK(a.kafka_properties == b.kafka_properties);
  CHECK(a.kafka_properties.size() == 3);
}

TEST_CASE("TOML values of the wrong type are refused") {
  CHECK_THAT(file_failure("time.idle_delay = 5\n"),
             Contains("time.idle_delay = 5 (from ") && Contains("expected a duration like"));
  CHECK_THAT(file_failure("dedupe.window = 3.0\n"), Contains("expected an integer"));
  CHECK_THAT(file_failure("kafka.acks = [1, 2]\n"), Contains("kafka.acks = [ 1, 2 ] (from "));
  CHECK_THAT(file_failure("time.idle_delay = 1979-05-27\n"), Contains("1979-05-27"));
}

TEST_CASE("TOML syntax errors and missing files name the file and position") {
  const TempToml broken("[time]\nidle_delay = \"5m\"\nallowed_lateness = \n");
  CHECK_THAT(failure({broken.path(), {}, {}}),
             Contains("cannot parse config file " + broken.path() + ": line 3, column "));
  CHECK_THAT(failure({"/nonexistent/segmentd.toml", {}, {}}),
             Contains("cannot read config file /nonexistent/segmentd.toml"));
}

TEST_CASE("credentials are refused from --set and masked everywhere else") {
  for (const std::string key :
       {"kafka.sasl.password", "kafka.sasl.jaas.config", "kafka.ssl.key.pem",
        "kafka.sasl.oauthbearer.config", "kafka.sasl.oauthbearer.client.secret"}) {
    const std::string message = failure(with_sets({key + "=hunter2"}));
    CHECK_THAT(message, Contains(key) && Contains("credentials must come from the config file "
                                                  "or environment variables"));
    CHECK_THAT(message, !Contains("hunter2"));
  }
  const auto config =
      loaded({std::nullopt,
              {"SEGMENTD_KAFKA__SASL__PASSWORD=hunter2", "SEGMENTD_KAFKA__SASL__USERNAME=shop"},
              {}});
  CHECK(config.kafka_properties[0] ==
        std::pair<std::string, std::string>{"sasl.password", "hunter2"});
  const auto lines = describe_effective_config(config);
  CHECK(std::ranges::count(lines, "kafka.sasl.password=***") == 1);
  CHECK(std::ranges::count(lines, "kafka.sasl.username=shop") == 1);
  CHECK_THAT(file_failure("kafka.sasl.password = [\"hunter2\"]\n"),
             Contains("kafka.sasl.password = *** (from ") && !Contains("hunter2"));
}

TEST_CASE("secret keys are recognised in any letter case") {
  for (const std::string key :
       {"kafka.SASL.PASSWORD", "kafka.Sasl.Password", "kafka.SASL.JAAS.CONFIG", "kafka.ssl.KEY.pem",
        "kafka.sasl.oauthbearer.client.SECRET"}) {
    const std::string message = failure(with_sets({key + "=hunter2"}));
    CHECK_THAT(message, Contains(key) && Contains("credentials must come from the config file") &&
                            !Contains("hunter2"));
  }
  const TempToml file("[kafka]\nSASL.PASSWORD = \"hunter2\"\n");
  const auto lines = describe_effective_config(loaded({file.path(), {}, {}}));
  CHECK(std::ranges::count(lines, "kafka.SASL.PASSWORD=***") == 1);
  for (const std::string& line : lines) CHECK_THAT(line, !Contains("hunter2"));
  CHECK_THAT(file_failure("kafka.SASL.Password = [\"hunter2\"]\n"),
             Contains("kafka.SASL.Password = *** (from ") && !Contains("hunter2"));
}

TEST_CASE("a config path naming a directory is an error, not an empty config") {
  const std::string dir = std::filesystem::temp_directory_path().string();
  CHECK_THAT(failure({dir, {}, {}}),
             Contains("cannot read config file " + dir) && Contains("is a directory"));
}

TEST_CASE("processing.guarantee accepts exactly_once and at_least_once") {
  CHECK(loaded(with_sets({"processing.guarantee=exactly_once"})).processing.guarantee ==
        DeliveryGuarantee::exactly_once);
  CHECK(loaded(with_sets({"processing.guarantee=at_least_once"})).processing.guarantee ==
        DeliveryGuarantee::at_least_once);
}

TEST_CASE("state.changelog: true or false, as text or a TOML boolean") {
  CHECK_FALSE(loaded(with_sets({"state.changelog=false"})).state.changelog);
  CHECK(loaded(with_sets({"state.changelog=true"})).state.changelog);
  const TempToml off("[state]\nchangelog = false\n");
  CHECK_FALSE(loaded({off.path(), {}, {}}).state.changelog);
  CHECK_THAT(failure(with_sets({"state.changelog=no"})),
             Contains("state.changelog") && Contains("true or false"));
  CHECK_THAT(file_failure("state.changelog = 0\n"), Contains("true or false"));
}

TEST_CASE("routes: also or instead, from a comma-separated string or a TOML array") {
  const std::vector<OutputRoute> expected = {{"lifecycle", "at_risk", "churn-risk", false},
                                             {"lifecycle", "lost", "win-back", true}};
  const auto from_set = loaded(
      with_sets({"output.routes=lifecycle/at_risk=churn-risk, lifecycle/lost=win-back;instead"}));
  CHECK(from_set.output.routes == expected);
  const TempToml file(
      "[output]\nroutes = [\"lifecycle/at_risk=churn-risk\", "
      "\"lifecycle/lost=win-back;instead\"]\n");
  CHECK(loaded({file.path(), {}, {}}).output.routes == expected);
  CHECK(loaded(with_sets({"output.routes="})).output.routes.empty());
  CHECK(std::ranges::count(
            describe_effective_config(from_set),
            "output.routes=lifecycle/at_risk=churn-risk,lifecycle/lost=win-back;instead") == 1);
  const auto [routes, problem] = GENERATE(table<std::string, std::string>({
      {"loyalty/lost=x", "route \"loyalty/lost=x\" unknown family \"loyalty\""},
      {"rfm/lost=x", "family rfm has no label \"lost\""},
      {"lifecycle/none=x", "family lifecycle has no label \"none\""},
      {"lifecycle/lost=bad topic", "\"bad topic\" is not a topic name"},
      {"lifecycle/lost", "is not family/to=topic[;instead]"},
      {"lifecycle/lost=x;later", "\"x;later\" is not a topic name"},
      {"lifecycle/new=a,lifecycle/new=a", "route \"lifecycle/new=a\" is listed twice"},
  }));
  const std::string message = failure(with_sets({"output.routes=" + routes}));
  CHECK_THAT(message, Contains(problem) && Contains("routable: lifecycle (new, active, at_risk, "
                                                    "dormant, lost, prospect), rfm (active/new,"));
}

TEST_CASE("at_risk_factor is kept exactly, in thousandths") {
  const auto [text, thousandths] =
      GENERATE(table<std::string, std::uint32_t>({{"1.5", 1500},
                                                  {"2", 2000},
                                                  {"2.0", 2000},
                                                  {"2.01", 2010},
                                                  {"0.001", 1},
                                                  {"999.999", 999'999}}));
  const auto config = loaded(with_sets({"lifecycle.at_risk_factor=" + text}));
  CHECK(config.engine.lifecycle.at_risk_factor_thousandths == thousandths);
}

TEST_CASE("at_risk_factor refuses a fourth fractional digit and takes TOML floats") {
  CHECK_THAT(failure(with_sets({"lifecycle.at_risk_factor=2.0005"})),
             Contains("lifecycle.at_risk_factor = \"2.0005\" (from --set): expected a decimal"));
  const TempToml file("lifecycle.at_risk_factor = 1.5\n");
  CHECK(loaded({file.path(), {}, {}}).engine.lifecycle.at_risk_factor_thousandths == 1500);
  CHECK_THAT(file_failure("lifecycle.at_risk_factor = 2.0005\n"), Contains("= 2.0005 (from "));
}

TEST_CASE("lost_after must exceed dormant_after") {
  CHECK(failure(with_sets({"lifecycle.lost_after=60d"})) ==
        "lifecycle.lost_after (60d) must be greater than lifecycle.dormant_after (90d): no "
        "member could ever be dormant");
}

TEST_CASE("environment_entries copies a null-terminated environ array") {
  const char* const environ_like[] = {"A=1", "SEGMENTD_DEDUPE__WINDOW=8", nullptr};
  CHECK(environment_entries(environ_like) ==
        std::vector<std::string>{"A=1", "SEGMENTD_DEDUPE__WINDOW=8"});
  CHECK(environment_entries(nullptr).empty());
}

TEST_CASE("every problem is reported, one per line") {
  const std::string message =
      failure(with_sets({"dedupe.window=0", "nope=1", "time.idle_delay=x"}));
  CHECK(std::ranges::count(message, '\n') == 2);
}

TEST_CASE("the effective description loads back to the same configuration") {
  const auto config = loaded(with_sets({"time.utc_offset=+05:30", "state.cache_size=1536MiB",
                                        "lifecycle.at_risk_factor=1.25", "http.listen=[::1]:9"}));
  const auto lines = describe_effective_config(config);
  CHECK(lines.size() == option_registry().size());
  CHECK(std::ranges::count(lines, "state.cache_size=1536MiB") == 1);
  CHECK(describe_effective_config(loaded(with_sets(lines))) == lines);
}

TEST_CASE("docs/CONFIGURATION.md contains exactly the generated reference table") {
  const std::string path = std::string(SEGMENTD_SOURCE_DIR) + "/docs/CONFIGURATION.md";
  std::ifstream in(path);
  REQUIRE(in);
  std::stringstream content;
  content << in.rdbuf();
  const std::string doc = content.str();
  const std::string begin = "<!-- BEGIN config_reference_markdown() -->\n";
  const std::string end = "<!-- END config_reference_markdown() -->";
  const auto from = doc.find(begin);
  const auto to = doc.find(end);
  REQUIRE(from != std::string::npos);
  REQUIRE(to != std::string::npos);
  INFO("regenerate the table in " << path << " from config_reference_markdown()");
  CHECK(doc.substr(from + begin.size(), to - from - begin.size()) == config_reference_markdown());
}

}  // namespace segmentd
