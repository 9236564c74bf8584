#include "app/demo_view.h"

#include <catch2/catch.hpp>
#include <cstdio>
#include <string>

#include "app/service_metrics.h"
#include "observability/metrics_registry.h"
#include "observability/readiness.h"

namespace segmentd {
namespace {

PartitionFigures partition(std::int32_t number, std::int64_t next_offset) {
  PartitionFigures f;
  f.partition = number;
  f.position.next_offset = next_offset;
  return f;
}

std::string drawn(DemoView& view, std::FILE* out) {
  view.draw_final();
  std::rewind(out);
  std::string text;
  for (int c = std::fgetc(out); c != EOF; c = std::fgetc(out)) text.push_back(static_cast<char>(c));
  return text;
}

TEST_CASE("demo view: lag is unknown while a partition's end offset is, never 0") {
  MetricsRegistry registry;
  Readiness readiness;
  ServiceMetrics metrics(registry, readiness);
  std::FILE* out = std::tmpfile();
  REQUIRE(out != nullptr);
  DemoView view(metrics, out, false);
  CHECK_FALSE(view.lag().has_value());  // nothing assigned yet

  PartitionFigures unread = partition(0, 40);  // resumed from a checkpoint, nothing fetched
  PartitionFigures behind = partition(1, 40);
  behind.end_offset = 100;
  view.publish({unread, behind}, {});
  CHECK_FALSE(view.lag().has_value());
  CHECK(drawn(view, out).find("lag unknown ") != std::string::npos);

  unread.end_offset = 50;
  view.publish({unread, behind}, {});
  REQUIRE(view.lag().has_value());
  CHECK(*view.lag() == 70);
  CHECK(drawn(view, out).find("lag 70 ") != std::string::npos);
  std::fclose(out);
}

}  // namespace
}  // namespace segmentd
