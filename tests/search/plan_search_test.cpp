// The plan search (sim/search/plan_search.hpp): grid order, invalid points
// kept with their reason, analytic OOM pruning, the fastest fitting plan, and
// the same outcomes whatever the thread count.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "sim/load/scenario_loader.hpp"
#include "sim/load/zoo.hpp"
#include "sim/search/plan_search.hpp"

#include "tests/test_util.hpp"

using namespace trainsim;

namespace {

const char* kBase = R"(
model: llama-2-7b
cluster: dgx-a100-80gb
nodes: 1
parallel: {tp: 1, pp: 1}
training: {seq_len: 2048, micro_batch: 1, global_batch: 64, precision: bf16, recompute: selective}
)";

ScenarioFactory factory() {
  return
      [](const std::vector<std::string>& sets) { return load_scenario_string(kBase, "base.yaml", sets, test::zoo()); };
}

}  // namespace

TEST_CASE("grid_points: cartesian product, first axis slowest") {
  auto points = grid_points({{"a", {"1", "2"}}, {"b", {"x", "y", "z"}}});
  REQUIRE(points.size() == 6);
  CHECK(points[0].label() == "a=1 b=x");
  CHECK(points[2].label() == "a=1 b=z");
  CHECK(points[3].label() == "a=2 b=x");
  CHECK(points[5].overrides() == std::vector<std::string>{"a=2", "b=z"});
  CHECK(grid_points({}).size() == 1);
  CHECK(grid_points({{"a", {}}}).empty());
}

TEST_CASE("evaluate_plans: invalid kept with the key, OOM pruned, fastest fitting chosen") {
  // tp=3 does not divide 32 heads; tp=1 with no ZeRO at 7B does not fit in 80 GB (18 B/param + activations).
  auto points = grid_points({{"parallel.tp", {"1", "2", "3", "4"}}, {"parallel.zero_stage", {"0", "1"}}});
  auto outcomes = evaluate_plans(factory(), points);
  REQUIRE(outcomes.size() == points.size());
  for (const auto& o : outcomes) {
    if (o.point.settings[0].second == "3") {
      CHECK(o.status == PlanStatus::invalid);
      CHECK(o.reason_key == "parallel.tp");
      CHECK_FALSE(o.reason.empty());
    } else {
      CHECK(o.status != PlanStatus::invalid);
      CHECK(o.analytic_peak_bytes > 0);
    }
  }
  CHECK(outcomes[0].status == PlanStatus::pruned_oom);  // tp=1, no ZeRO: 7B x 18 B > 80 GB
  const PlanOutcome* best = fastest_fitting(outcomes);
  REQUIRE(best != nullptr);
  for (const auto& o : outcomes)
    if (o.fits()) CHECK(best->result.step_time_s <= o.result.step_time_s);
  CHECK(best->result.per_gpu.empty());
}

TEST_CASE("evaluate_plans: the same outcomes on one thread and on three, progress counts every point") {
  auto points = grid_points({{"parallel.tp", {"2", "4", "8"}}, {"training.micro_batch", {"1", "2"}}});
  std::size_t calls = 0, last = 0;
  SearchOptions one;
  one.progress = [&](std::size_t done, std::size_t total) {
    ++calls;
    last = done;
    CHECK(total == points.size());
  };
  auto a = evaluate_plans(factory(), points, one);
  CHECK(calls == points.size());
  CHECK(last == points.size());
  SearchOptions three;
  three.threads = 3;
  auto b = evaluate_plans(factory(), points, three);
  REQUIRE(a.size() == b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    CHECK(a[i].point.label() == b[i].point.label());
    CHECK(a[i].status == b[i].status);
    CHECK(a[i].result.step_time_s == b[i].result.step_time_s);
    CHECK(a[i].result.peak_memory_bytes == b[i].result.peak_memory_bytes);
  }
}
