// The memory verdict (issue 18, sim/memory/memory_model.hpp MemoryVerdict):
// a plan fits when the GPU's HBM, the node's host memory and the node's NVMe
// each hold what the plan keeps there, and every command says so: mem
// (compute_memory, memory_json), run (simulate_step, step_summary_json),
// the plan search and sweep CSV (pruning, columns, Pareto front), advise.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "sim/load/scenario_loader.hpp"
#include "sim/memory/memory_model.hpp"
#include "sim/report/memory_report.hpp"
#include "sim/report/step_report.hpp"
#include "sim/search/plan_search.hpp"
#include "sim/sweep/advise.hpp"
#include "sim/sweep/sweep_csv.hpp"
#include "sim/workload/step_sim.hpp"

#include "tests/test_util.hpp"

using namespace trainsim;

namespace {

const char* kPlan = "tests/data/sweep/llama-2-70b-zero3-cpu-offload.yaml";

ScenarioFactory factory(std::vector<std::string> sets = {}) {
  return [sets](const std::vector<std::string>& overrides) {
    std::vector<std::string> all = sets;
    all.insert(all.end(), overrides.begin(), overrides.end());
    return load_scenario(kPlan, all, test::zoo());
  };
}

// Llama-2 70B by hand (models/llama-2-70b.yaml: 80 layers, hidden 8192, 8 KV
// heads of 128, SwiGLU FFN 28672, vocabulary 32000, untied embeddings):
// per layer q, o 2 x 8192^2 + k, v 2 x 8192 x 1024 + FFN 3 x 8192 x 28672 +
// 2 norms x 8192 = 855,654,400; x 80 + 2 x 32000 x 8192 + final norm 8192.
const double kParams = 80 * 855654400.0 + 2 * 32000.0 * 8192 + 8192;  // 68,976,648,192

// ZeRO-3 with the optimizer on the CPU keeps on the host, per parameter of a
// GPU's 1/8 partition: the fp32 master weights and Adam's m and v (12 B,
// DeepSpeed stage3.py _create_fp32_partitions / the CPU Adam states) and the
// fp32 gradient partition the CPU optimizer reads (4 B); DeepSpeed's own
// estimator (stage3.py estimate_zero3_model_states_mem_needs, offload of the
// optimizer only) counts the same 16 B per parameter on the host. Eight GPUs
// of the node: 8 x 16 B x P / 8 = 16 x 68.98e9 B = 1.104e12 B (1,027.8 GiB)
// against the DGX A100 320GB's 1 TB (1e12 B, topologies/dgx-a100-40gb.yaml; NVIDIA's
// DGX A100 datasheet, docs/reference/hardware.md §2.1).
const double kHostNeed = 16 * kParams;
const double kHostMemory = 1e12;

}  // namespace

TEST_CASE("70B ZeRO-3, optimizer on CPU, one DGX A100 node: the GPUs fit, host memory does not, so the plan does not") {
  REQUIRE(kHostNeed > kHostMemory);
  Scenario s = factory()({});
  REQUIRE(s.cluster.node.host_memory.value() == kHostMemory);

  // mem
  MemoryResult m = compute_memory(s);
  CHECK(m.host_peak_per_node.value() == doctest::Approx(kHostNeed));
  CHECK(m.verdict.gpu_fits);
  CHECK_FALSE(m.verdict.host_fits);
  CHECK(m.verdict.nvme_fits);
  CHECK_FALSE(m.fits());
  nlohmann::json mj = memory_json(s, m);
  CHECK(mj["fits"] == false);
  CHECK(mj["gpu_fits"] == true);
  CHECK(mj["host_fits"] == false);
  CHECK(mj["host_memory_fits"] == false);
  CHECK(mj["nvme_fits"] == true);
  CHECK(test::has(memory_table(s, m), "fits:           no: host memory per node needs"));

  // run
  StepResult r = simulate_step(s);
  CHECK(r.verdict.gpu_fits);
  CHECK(r.peak_memory_bytes <= r.gpu_memory_bytes);
  CHECK_FALSE(r.verdict.host_fits);
  CHECK_FALSE(r.fits());
  nlohmann::json rj = step_summary_json(r);
  CHECK(rj["fits"] == false);
  CHECK(rj["gpu_fits"] == true);
  CHECK(rj["host_fits"] == false);
  CHECK(rj["nvme_fits"] == true);
  CHECK(rj["host_memory_peak_bytes_per_node"].get<double>() == doctest::Approx(kHostNeed));
  // 16 x 68,976,648,192 B = 1,027.8 GiB of 931.3 GiB: 96.5 GiB over.
  CHECK(test::has(format_step_summary(r), "no: host memory per node needs 1027.8 GiB of 931.3 GiB (96.5 GiB over)"));

  // advise: the plan as given does not fit, and no suggestion misses host memory
  Advice a = advise(factory(), {});
  CHECK_FALSE(a.fits);
  CHECK(a.verdict.gpu_fits);
  CHECK_FALSE(a.verdict.host_fits);
  CHECK(test::has(a.shortfall, "host memory per node"));
  for (const Suggestion& sg : a.suggestions) {
    CHECK(sg.fits);
    CHECK(sg.verdict.host_fits);
    CHECK(sg.verdict.nvme_fits);
    CHECK(sg.verdict.gpu_fits);
  }
}

TEST_CASE("sweep over nodes: one node misses host memory (pruned, not fitting), two nodes fit all three") {
  // Two nodes: each GPU's partition halves, the node holds 8 of 16: 8 x 16 B x P / 16 = 552 GB.
  CHECK(8 * 16 * kParams / 16 < kHostMemory);
  std::vector<PlanPoint> points = grid_points({{"nodes", {"1", "2"}}});
  std::vector<PlanOutcome> pruned = evaluate_plans(factory(), points, {});
  REQUIRE(pruned.size() == 2u);
  CHECK(pruned[0].status == PlanStatus::pruned_oom);
  CHECK(pruned[0].analytic_verdict.gpu_fits);
  CHECK_FALSE(pruned[0].analytic_verdict.host_fits);
  CHECK(test::has(pruned[0].reason, "host memory per node"));
  REQUIRE(pruned[1].status == PlanStatus::simulated);
  CHECK(pruned[1].fits());
  CHECK(pruned[1].analytic_needs.host_peak_per_node.value() == doctest::Approx(8 * 16 * kParams / 16));
  CHECK(fastest_fitting(pruned) == &pruned[1]);

  CsvTable t = sweep_table(sweep_header(points), pruned, {0, 1});
  mark_pareto(t);
  auto cell = [&](std::size_t row, const char* col) { return t.rows[row][t.column(col)]; };
  CHECK(cell(0, "fits") == "false");
  CHECK(cell(0, "gpu_fits") == "true");
  CHECK(cell(0, "host_fits") == "false");
  CHECK(cell(0, "nvme_fits") == "true");
  CHECK(std::stod(cell(0, "host_memory_peak_bytes_per_node")) == doctest::Approx(kHostNeed));
  CHECK(cell(0, "pareto") == "false");
  CHECK(test::has(cell(0, "reason"), "host memory per node needs 1027.8 GiB of 931.3 GiB"));
  CHECK(cell(1, "fits") == "true");
  CHECK(cell(1, "gpu_fits") == "true");
  CHECK(cell(1, "host_fits") == "true");
  CHECK(cell(1, "nvme_fits") == "true");
  CHECK(cell(1, "pareto") == "true");

  // Simulated anyway (no pruning): the one-node plan runs but still does not fit.
  SearchOptions all;
  all.prune_oom = false;
  std::vector<PlanOutcome> simulated = evaluate_plans(factory(), points, all);
  REQUIRE(simulated[0].status == PlanStatus::simulated);
  CHECK_FALSE(simulated[0].fits());
  CHECK(simulated[0].result.verdict.gpu_fits);
  CHECK_FALSE(simulated[0].result.verdict.host_fits);
  CHECK(fastest_fitting(simulated) == &simulated[1]);
  CsvTable u = sweep_table(sweep_header(points), simulated, {0, 1});
  mark_pareto(u);
  CHECK(u.rows[0][u.column("fits")] == "false");
  CHECK(u.rows[0][u.column("host_fits")] == "false");
  CHECK(u.rows[0][u.column("pareto")] == "false");
  CHECK(test::has(u.rows[0][u.column("reason")], "memory: host memory per node needs"));
}

TEST_CASE("optimizer on NVMe past the node's NVMe capacity: the plan does not fit, GPU and host do") {
  // ZeRO-3, optimizer on NVMe: Adam's 12 B per parameter of each GPU's partition
  // go to NVMe, 8 x 12 B x P / 8 = 12 x 68.98e9 B = 828 GB per node; a node
  // with 0.5 TB of NVMe cannot hold it. The host keeps the fp32 gradient
  // partition (4 B) and the swap buffers, well below 1 TB.
  Scenario s = factory({"offload.optimizer=nvme"})({});
  s.cluster.node.nvme_capacity = Bytes(0.5e12);
  MemoryResult m = compute_memory(s);
  CHECK(m.nvme_peak_per_node.value() == doctest::Approx(12 * kParams));
  CHECK(m.verdict.gpu_fits);
  CHECK(m.verdict.host_fits);
  CHECK_FALSE(m.verdict.nvme_fits);
  CHECK_FALSE(m.fits());
  CHECK(memory_json(s, m)["fits"] == false);
  StepResult r = simulate_step(s);
  CHECK_FALSE(r.fits());
  nlohmann::json j = step_summary_json(r);
  CHECK(j["fits"] == false);
  CHECK(j["gpu_fits"] == true);
  CHECK(j["host_fits"] == true);
  CHECK(j["nvme_fits"] == false);
  CHECK(test::has(format_step_summary(r), "no: NVMe per node needs"));

  s.cluster.node.nvme_capacity = Bytes(15.36e12);  // the card's four 3.84 TB drives
  CHECK(compute_memory(s).fits());
}

TEST_CASE("judge_memory: each need against its capacity, equal fits") {
  MemoryNeeds n{Bytes(80), Bytes(80), Bytes(10), Bytes(10), Bytes(5), Bytes(5)};
  CHECK(judge_memory(n).fits());
  CHECK(memory_shortfall(n).empty());
  n.gpu_peak = Bytes(81);
  CHECK_FALSE(judge_memory(n).gpu_fits);
  n.gpu_peak = Bytes(80);
  n.host_peak_per_node = Bytes(11);
  CHECK_FALSE(judge_memory(n).host_fits);
  CHECK(judge_memory(n).gpu_fits);
  CHECK_FALSE(judge_memory(n).fits());
  n.nvme_peak_per_node = Bytes(6);
  MemoryVerdict v = judge_memory(n);
  CHECK_FALSE(v.nvme_fits);
  CHECK(test::has(memory_shortfall(n), "host memory per node"));
  CHECK(test::has(memory_shortfall(n), "; NVMe per node"));
}
