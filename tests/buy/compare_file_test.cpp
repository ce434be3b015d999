// sim/buy: compare files (errors name file, line and key), the job's
// accounting on a plan (steps, time, goodput, energy, cost from the closed
// forms), and `zip` in sweep files (paired lists, one dimension).
#include <doctest/doctest.h>

#include <cmath>
#include <string>

#include "sim/buy/compare_file.hpp"
#include "sim/buy/compare_run.hpp"
#include "sim/core/error.hpp"
#include "sim/sweep/sweep_file.hpp"
#include "sim/sweep/sweep_run.hpp"
#include "sim/load/zoo.hpp"

#include "tests/test_util.hpp"

using namespace trainsim;
using test::error_of;
using test::has;

namespace {

const std::string kHead = R"(model: llama-3-8b
tokens: 1T
training: {seq_len: 2048, global_batch: 256}
)";

const std::string kCandidate = R"(candidates:
  - cluster: dgx-h100-80gb
    nodes: 2
    price: {per_gpu_hour: 2.5}
    power: {gpu_tdp_w: 700}
)";

// kHead + kCandidate with `from` replaced by `to`.
std::string edited(const std::string& from, const std::string& to) {
  std::string y = kHead + kCandidate;
  return y.replace(y.find(from), from.size(), to);
}

std::string load_error(const std::string& yaml) {
  return error_of([&] { load_compare_string(yaml, "c.yaml"); });
}

}  // namespace

TEST_CASE("a compare file reads into the job and its candidates") {
  const CompareSpec s = load_compare_string(kHead + kCandidate, "c.yaml");
  CHECK(s.tokens == 1e12);
  REQUIRE(s.candidates.size() == 1);
  const Candidate& c = s.candidates[0];
  CHECK(c.name == "2 x dgx-h100-80gb");
  CHECK(c.per_gpu_hour == 2.5);
  CHECK(c.power.pue == 1.2);
  CHECK(c.failures_per_gpu_day == doctest::Approx(466.0 / (54 * 16384)));
  CHECK(s.search.mode == SweepMode::all);  // the full plan search unless the file says grid
  const SweepSpec search = candidate_search(s, c);
  CHECK(search.values.at("cluster") == "dgx-h100-80gb");
  CHECK(search.values.at("nodes") == "2");
  CHECK(search.lines.at("nodes") == 6);
}

TEST_CASE("compare file errors name the file, line and key") {
  CHECK(has(load_error(kCandidate), "c.yaml:1: tokens: is required"));
  CHECK(has(load_error(kHead), "candidates: is required"));
  CHECK(has(load_error(kHead + kCandidate + "    pwr: 3\n"), "c.yaml:9: pwr: unknown key of a candidate"));
  CHECK(has(load_error(kHead + kCandidate + "    power.pue: 0.5\n"), "c.yaml:9: power.pue: '0.5' is out of range"));
  CHECK(has(load_error(edited("{per_gpu_hour: 2.5}", "{per_gpu_hour: 2.5, purchase_per_gpu: 3}")),
            "c.yaml:7: price.purchase_per_gpu: give one price"));
  CHECK(has(load_error(edited("{per_gpu_hour: 2.5}", "{purchase_per_gpu: 3}")),
            "price.amortisation_years: a purchase price needs"));
  CHECK(
      has(load_error("cluster: dgx-h100-80gb\n" + kHead + kCandidate), "c.yaml:1: cluster: belongs in each candidate"));
  CHECK(has(load_error(kHead + "candidates:\n  - cluster: dgx-h100-80gb\n    price: {per_gpu_hour: 1}\n"),
            "power.gpu_tdp_w"));
  CHECK(has(load_error(edited("nodes: 2", "nodes: 0")), "c.yaml:6: nodes"));
  CHECK(has(load_error(edited("tokens: 1T", "tokens: lots")), "c.yaml:2: tokens"));
  CHECK(has(load_error(edited("model:", "modle:")), "c.yaml:1: modle"));
}

TEST_CASE("the job on a plan: steps, time, goodput, energy and cost from the closed forms") {
  CompareSpec spec = load_compare_string(kHead + kCandidate, "c.yaml");
  CandidateResult r;
  r.candidate = spec.candidates[0];
  r.candidate.failures_per_gpu_day = 0;  // no interruptions: the effective time only adds checkpoints
  r.nodes = 2;
  r.gpus = 16;
  r.best.training.global_batch = 256;
  r.best.training.seq_len = 2048;
  r.best.result.step_time_s = Seconds(2);
  r.best.result.breakdown.compute = Seconds(2);
  r.best.result.params_total = 8'000'000'000;
  account_job(spec, r, 0);
  CHECK(r.steps == std::ceil(1e12 / (256.0 * 2048)));
  CHECK(r.time_to_train_s == doctest::Approx(2 * r.steps));
  CHECK(r.checkpoint_bytes == 14 * 8e9);
  CHECK(r.storage_bandwidth == doctest::Approx(2 * 2e12 / 2048));  // 2 nodes x ~1 GB/s
  CHECK(r.expected_interruptions == 0);
  // one checkpoint at the end at most: (T + delta) / T
  CHECK(r.effective_time_s == doctest::Approx(r.time_to_train_s + r.checkpoint_s));
  CHECK(r.gpu_hours == doctest::Approx(16 * r.effective_time_s / 3600));
  CHECK(r.cost == doctest::Approx(2.5 * r.gpu_hours));
  // 16 GPUs at 700 W busy + 2 nodes x 8 x 575 W, x PUE 1.2, per second of step
  CHECK(r.average_power_kw == doctest::Approx(1.2 * (16 * 700 + 2 * 8 * 575) / 1e3));
  CHECK(r.tokens_per_cost == doctest::Approx(1e12 / r.cost));
}

TEST_CASE("zip pairs cluster and nodes: one dimension, not a product") {
  const std::string yaml = R"(model: llama-2-7b
zip:
  cluster: [dgx-a100-80gb, dgx-h100-80gb]
  nodes: [2, 1]
parallel: {tp: [1, 2]}
training: {seq_len: 2048, global_batch: 64, micro_batch: 1}
)";
  const SweepSpec spec = load_sweep_string(yaml, "z.yaml");
  const auto points = sweep_points(spec, test::zoo());
  REQUIRE(points.size() == 4);  // 2 pairs x 2 tp, not 2 x 2 x 2
  CHECK(points[0].label() == "cluster=dgx-a100-80gb nodes=2 parallel.tp=1");
  CHECK(points[3].label() == "cluster=dgx-h100-80gb nodes=1 parallel.tp=2");
  const SweepRun run = run_sweep(spec, test::zoo());
  const std::size_t cluster = run.table.column("cluster"), nodes = run.table.column("nodes"),
                    model = run.table.column("model");
  CHECK(run.table.rows[0][cluster] == "dgx-a100-80gb");
  CHECK(run.table.rows[3][nodes] == "1");
  CHECK(run.table.rows[3][model] == "llama-2-7b");
}

TEST_CASE("the sweep CSV names the card's node count when the file gives none") {
  const std::string yaml =
      "model: llama-2-7b\ncluster: dgx-a100-80gb\ngpus: 8\nparallel: {tp: [4, 8]}\n"
      "training: {seq_len: 2048, global_batch: 64, micro_batch: 1}\n";
  const SweepRun run = run_sweep(load_sweep_string(yaml, "n.yaml"), test::zoo());
  CHECK(run.table.rows[0][run.table.column("nodes")] == "1");
  CHECK(run.table.rows[0][run.table.column("cluster")] == "dgx-a100-80gb");
}

TEST_CASE("zip errors name the file, line and key") {
  auto err = [](const std::string& y) { return error_of([&] { load_sweep_string(y, "z.yaml"); }); };
  CHECK(has(err("model: llama-2-7b\nzip:\n  cluster: [dgx-a100-80gb]\n  nodes: [1, 2]\n"),
            "z.yaml:4: nodes: zip pairs the i-th values"));
  CHECK(has(err("model: llama-2-7b\nnodes: 2\nzip:\n  cluster: [dgx-a100-80gb]\n  nodes: [1]\n"),
            "z.yaml:5: nodes: is given twice"));
  CHECK(has(err("zip:\n  clustr: [a]\n"), "z.yaml:2: clustr: unknown scenario key in zip"));
  CHECK(has(err("zip: 3\n"), "z.yaml:1: zip: expected a map"));
}

TEST_CASE("the shipped compare examples read, and each candidate's cluster is in the zoo") {
  for (const char* file : {"examples/compare/llama-3-70b-2t.yaml", "examples/compare/llama-3.1-405b-15t.yaml",
                           "examples/compare/deepseek-v3-h800-vs-gb200.yaml"}) {
    CAPTURE(file);
    const CompareSpec spec = load_compare_file((test::zoo().root() / file).string());
    CHECK(!spec.candidates.empty());
    for (const Candidate& c : spec.candidates) {
      CHECK(c.power.gpu_tdp_w > 0);
      CHECK(c.per_gpu_hour > 0);
      resolve_sweep_base(candidate_search(spec, c), test::zoo());  // throws for an unknown card or model
    }
  }
}
