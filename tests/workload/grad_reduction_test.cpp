// When DeepSpeed reduces gradients (sim/workload/step_plan.cpp
// plan_grad_reduction), per stage x overlap_comm x gradient accumulation, as
// DeepSpeed v0.19.5's code states it:
//  - runtime/engine.py allreduce_gradients: ZeRO-0 all-reduces at the
//    accumulation boundary after the backward (buffered_allreduce_fallback);
//    ZeRO-1 calls the optimizer's reduce_gradients there; ZeRO-2/3 only run the
//    epilogue, their hooks having reduced during every backward.
//  - zero/stage_1_and_2.py reduce_ready_partitions_and_remove_grads: reduce when
//    partition_gradients (ZeRO-2) or at the boundary (ZeRO-1); the hooks exist
//    with partition_gradients or overlap_comm (process_gradients).
//  - average_tensor / reduce_ipg_grads, stage3.py reduce_and_partition_stream:
//    overlap_comm picks the side stream, else the reduction runs on the current
//    stream and the backward waits for it.
// Volumes are ring send bytes per GPU: a reduce-scatter or all-gather of S bytes
// sends S (n-1)/n, an all-reduce 2 S (n-1)/n.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "sim/workload/step_sim.hpp"
#include "tests/test_util.hpp"

using namespace trainsim;

namespace {

using test::scenario;

// 8 GPUs of one node, pure data parallelism, fp16 (2-byte gradients and
// parameters under DeepSpeed's FP16 optimizers and ZeRO).
const char* kSmall = R"(model: megatron-gpt-1.7b
cluster: dgx-a100-80gb
gpus: 8
training: {seq_len: 2048, micro_batch: 1, precision: fp16}
memory: {convention: deepspeed}
)";

constexpr double kN = 8;

// `m` micro-batches per step (global batch m x 8).
StepResult run(int stage, bool overlap, int m) {
  return simulate_step(scenario(kSmall, {"parallel.zero_stage=" + std::to_string(stage),
                                         "training.overlap_grad_reduce=" + std::string(overlap ? "true" : "false"),
                                         "training.global_batch=" + std::to_string(8 * m)}));
}

double bytes(StepResult& r, const std::string& key) { return r.comm_bytes_per_gpu[key].value(); }
double exposed(const StepResult& r) { return r.breakdown.dp_comm_exposed.value(); }

}  // namespace

TEST_CASE("DeepSpeed's DP bytes per GPU per step for every stage x overlap_comm x accumulation") {
  for (int m : {1, 8}) {
    for (bool overlap : {false, true}) {
      CAPTURE(m);
      CAPTURE(overlap);
      StepResult s0 = run(0, overlap, m);
      const double psi = static_cast<double>(s0.params_total);
      const double share = psi * (kN - 1) / kN * 2;  // Ψ (n-1)/n elements of 2 bytes
      // ZeRO-0: one all-reduce of the gradients at the boundary, whatever m.
      CHECK(bytes(s0, "dp.all_reduce") == doctest::Approx(2 * share).epsilon(1e-9));
      CHECK(bytes(s0, "dp.reduce_scatter") == 0);
      // ZeRO-1: one reduce-scatter at the boundary + the parameter all-gather after the step.
      StepResult s1 = run(1, overlap, m);
      CHECK(bytes(s1, "dp.reduce_scatter") == doctest::Approx(share).epsilon(1e-9));
      CHECK(bytes(s1, "dp.all_gather") == doctest::Approx(share).epsilon(1e-9));
      // ZeRO-2: a reduce-scatter in every micro-batch's backward, overlap_comm or not.
      StepResult s2 = run(2, overlap, m);
      CHECK(bytes(s2, "dp.reduce_scatter") == doctest::Approx(m * share).epsilon(1e-9));
      CHECK(bytes(s2, "dp.all_gather") == doctest::Approx(share).epsilon(1e-9));
      // ZeRO-3: likewise every micro-batch's gradients are reduce-scattered.
      StepResult s3 = run(3, overlap, m);
      CHECK(bytes(s3, "dp.reduce_scatter") == doctest::Approx(m * share).epsilon(1e-9));
    }
  }
}

TEST_CASE("DeepSpeed ZeRO-2 without overlap_comm: every micro-batch's reduction blocks the backward") {
  StepResult off1 = run(2, false, 1), off2 = run(2, false, 2), off8 = run(2, false, 8);
  StepResult on1 = run(2, true, 1), on8 = run(2, true, 8);
  // Blocking: each micro-batch adds the same exposed reduction time.
  const double per_mb = exposed(off2) - exposed(off1);
  CHECK(per_mb > 0);
  CHECK(exposed(off8) - exposed(off1) == doctest::Approx(7 * per_mb).epsilon(1e-6));
  // On the side stream the reductions of micro-batches 0..6 hide behind the
  // next micro-batch's passes: no exposed time beyond the one-micro-batch step's.
  CHECK(exposed(on8) == doctest::Approx(exposed(on1)).epsilon(1e-6));
  CHECK(exposed(on8) < exposed(off8) - 7 * per_mb);
  // The step is longer by what the blocking reductions expose.
  CHECK(off8.step_time_s.value() - on8.step_time_s.value() ==
        doctest::Approx(exposed(off8) - exposed(on8)).epsilon(1e-6));
  // ZeRO-3 (stage3.py reduce_and_partition_stream = the default stream without overlap_comm) likewise.
  CHECK(exposed(run(3, false, 8)) > exposed(run(3, true, 8)));
}

TEST_CASE("DeepSpeed ZeRO-1/0: reductions at the boundary; overlap_comm matters to ZeRO-1 only") {
  // ZeRO-0: the engine all-reduces after the backward; overlap_comm is not read.
  StepResult z0on = run(0, true, 8), z0off = run(0, false, 8);
  CHECK(z0on.step_time_s.value() == z0off.step_time_s.value());
  CHECK(exposed(z0on) > 0);
  // ZeRO-1 with overlap_comm: hooks reduce in the last micro-batch's backward,
  // so less is exposed than with reduce_gradients after the backward.
  StepResult z1on = run(1, true, 8), z1off = run(1, false, 8);
  CHECK(exposed(z1on) < exposed(z1off));
  // Accumulation adds no DP time at ZeRO-1 without overlap_comm: one reduction per step.
  StepResult z1off1 = run(1, false, 1);
  CHECK(exposed(z1off) == doctest::Approx(exposed(z1off1)).epsilon(1e-6));
}

// Issue 18: llama-2-7b on two DGX A100 nodes (16 GPUs), ds_config ZeRO-2 bf16,
// micro-batch 4 x 8 accumulation steps, overlap_comm unset (DeepSpeed: false
// below ZeRO-3). Ψ = 6 738 415 616 bf16 gradients: one reduce-scatter sends
// 2 Ψ 15/16 = 12.63 GB; DeepSpeed sends it in each of the 8 backwards, 101.1 GB.
TEST_CASE("issue 18: ZeRO-2 with 8 micro-batches and overlap_comm unset reduce-scatters 8 times") {
  const auto dir = std::filesystem::temp_directory_path() / "trainsim-grad-reduction-test";
  std::filesystem::create_directories(dir);
  {
    std::ofstream(dir / "ds.json") << R"({"train_batch_size": 512, "train_micro_batch_size_per_gpu": 4,
      "gradient_accumulation_steps": 8, "bf16": {"enabled": true}, "zero_optimization": {"stage": 2}})";
  }
  Scenario s =
      scenario("model: llama-2-7b\ncluster: dgx-a100-80gb\nnodes: 2\ndeepspeed_config: " + (dir / "ds.json").string() +
               "\ntraining:\n  seq_len: 4096\n");
  CHECK_FALSE(s.training.overlap.grad_reduce);
  StepResult r = simulate_step(s);
  REQUIRE(r.params_total == 6738415616);
  const double once = 2.0 * 6738415616 * 15 / 16;
  CHECK(once == doctest::Approx(12.63e9).epsilon(1e-3));
  CHECK(r.micro_batches == 8);
  CHECK(r.comm_bytes_per_gpu["dp.reduce_scatter"].value() == doctest::Approx(8 * once).epsilon(1e-9));
  std::filesystem::remove_all(dir);
}
