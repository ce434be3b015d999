// FP8 recipes through the step and the memory model (issue 19): the amax
// all-reduces each recipe issues and on which group, Transformer Engine's FP8
// weight cache and its once-per-step weight casts, and the GPU each recipe
// needs (compute capability).
#include <doctest/doctest.h>

#include <string>

#include "sim/memory/memory_model.hpp"
#include "sim/spec/scenario.hpp"
#include "sim/workload/step_sim.hpp"
#include "tests/test_util.hpp"

using namespace trainsim;

namespace {

using test::has;
using test::scenario;

// GPT 1.7B (24 layers, h 2304, ffn 4h, GeLU) on one DGX H100: TP 2 with
// sequence parallelism x DP 4, 4 micro-batches per step.
const char* kGpt = R"(model: megatron-gpt-1.7b
cluster: dgx-h100-80gb
gpus: 8
parallel: {tp: 2, dp: 4, sequence_parallel: true}
training: {seq_len: 2048, micro_batch: 1, global_batch: 16, precision: fp8}
)";

Scenario gpt(std::vector<std::string> sets = {}) { return scenario(kGpt, sets); }

double comm(const StepResult& r, const std::string& key) {
  auto it = r.comm_bytes_per_gpu.find(key);
  return it == r.comm_bytes_per_gpu.end() ? 0.0 : it->second.value();
}

// Linear weights of one layer on one TP rank, from the model's shape:
// QKV (h x 3h), projection (h x h), MLP in and out (h x F each).
double linear_weights(const Scenario& s) {
  const double h = s.model.hidden, f = s.model.ffn;
  return (4 * h * h + 2 * h * f) / s.parallel.tp;
}

std::string layout_problems(const Scenario& s) {
  std::string all;
  for (const LayoutProblem& p : check_layout(s)) all += p.key + ": " + p.message + "\n";
  return all;
}

}  // namespace

TEST_CASE("delayed scaling all-reduces each pass's amaxes over tp x dp: 12 fp32 per layer forward, 8 backward") {
  const Scenario s = gpt({"training.fp8_recipe=delayed"});
  REQUIRE(s.num_micro_batches() == 4);
  const double n = 8;                               // tp 2 x dp 4: every GPU of the (single) pipeline stage
  const double per_step = 4 * 24 * (12 + 8) * 4.0;  // micro-batches x layers x amaxes x fp32
  CHECK(comm(simulate_step(s), "amax.all_reduce") == doctest::Approx(2 * (n - 1) / n * per_step));
  // The amaxes of the other recipes are local (per-block or per-row scales) or reduced over TP only.
  for (const char* r : {"rowwise", "blockwise", "tensorwise"})
    CHECK(comm(simulate_step(gpt({std::string("training.fp8_recipe=") + r})), "amax.all_reduce") == 0);
}

TEST_CASE("tensorwise current scaling with SP all-reduces one amax over TP per block and pass") {
  const StepResult delayed = simulate_step(gpt({"training.fp8_recipe=delayed"}));
  const StepResult tensorwise = simulate_step(gpt({"training.fp8_recipe=tensorwise"}));
  // 4 micro-batches x 24 layers x 2 blocks x (forward + backward) one-float all-reduces on 2 GPUs.
  const double extra = 4 * 24 * 2 * 2 * (2.0 * (2 - 1) / 2 * 4);
  CHECK(comm(tensorwise, "tp.all_reduce") - comm(delayed, "tp.all_reduce") == doctest::Approx(extra));
  // Without sequence parallelism nothing is gathered in FP8: no reduction.
  const StepResult no_sp = simulate_step(gpt({"training.fp8_recipe=tensorwise", "parallel.sequence_parallel=false"}));
  const StepResult no_sp_rowwise =
      simulate_step(gpt({"training.fp8_recipe=rowwise", "parallel.sequence_parallel=false"}));
  CHECK(comm(no_sp, "tp.all_reduce") == doctest::Approx(comm(no_sp_rowwise, "tp.all_reduce")));
}

TEST_CASE("Transformer Engine keeps an FP8 weight and its transpose: 2 B per linear weight; torchao rowwise none") {
  const Scenario delayed = gpt({"training.fp8_recipe=delayed"});
  const double w = linear_weights(delayed) * 24;
  auto params = [](const Scenario& s) { return compute_memory(s).stages.front().peak.params.value(); };
  const double rowwise = params(gpt({"training.fp8_recipe=rowwise"}));
  CHECK(params(delayed) - rowwise == doctest::Approx(2 * w));
  CHECK(params(gpt({"training.fp8_recipe=tensorwise"})) - rowwise == doctest::Approx(2 * w));
  // blockwise: + an fp32 scale per 128 x 128 block of each layout.
  CHECK(params(gpt({"training.fp8_recipe=blockwise"})) - rowwise == doctest::Approx(w * (2 + 8.0 / 16384)));
  // bf16 training keeps no FP8 copies.
  CHECK(params(gpt({"training.precision=bf16"})) == doctest::Approx(rowwise));
}

TEST_CASE("Transformer Engine casts the weights in the first micro-batch only") {
  // Forward compute of m micro-batches = m x one micro-batch's + the casts once:
  // compute(8) - compute(4) = 4 micro-batches' compute, and compute(4) - compute(2) = 2's.
  auto compute = [](const std::string& recipe, int global) {
    return simulate_step(gpt({"training.fp8_recipe=" + recipe, "training.global_batch=" + std::to_string(global)}))
        .breakdown.compute.value();
  };
  const double d4 = compute("delayed", 16), d8 = compute("delayed", 32), d2 = compute("delayed", 8);
  const double per_mb = (d8 - d4) / 4;
  CHECK((d4 - d2) / 2 == doctest::Approx(per_mb).epsilon(1e-6));
  const double casts = d4 - 4 * per_mb;  // what the step does once, beyond its micro-batches
  const double rowwise_casts = compute("rowwise", 16) - 4 * (compute("rowwise", 32) - compute("rowwise", 16)) / 4;
  CHECK(casts > rowwise_casts);  // torchao re-casts every micro-batch: nothing once per step
}

TEST_CASE("mxfp8 needs compute capability 10.0 (Blackwell), blockwise 9.0: refused on the key with the GPU") {
  Scenario s = gpt({"training.fp8_recipe=blockwise"});
  CHECK(s.cluster.node.gpu.compute_capability == doctest::Approx(9.0));
  CHECK(layout_problems(s).empty());
  s.training.fp8_recipe = Fp8Recipe::mxfp8;
  const std::string p = layout_problems(s);
  CHECK(has(p, "training.fp8_recipe: fp8_recipe=mxfp8 needs a GPU of compute capability 10.0"));
  CHECK(has(p, "h100-sxm5-80gb has 9.0"));
  CHECK(has(test::error_of([] { gpt({"training.fp8_recipe=mxfp8"}); }), "training.fp8_recipe"));
  s.cluster.node.gpu.compute_capability = 10.0;
  CHECK(layout_problems(s).empty());
  s.training.fp8_recipe = Fp8Recipe::blockwise;
  s.cluster.node.gpu.compute_capability = 8.9;  // Ada: FP8 tensor cores, no block-scaled GEMM
  CHECK(has(layout_problems(s), "fp8_recipe=blockwise needs a GPU of compute capability 9.0"));
}
