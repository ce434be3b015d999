// Issue 19's knobs through the step and the memory model: partial
// recomputation (recompute time per recomputed layer, activations per stage),
// CUDA graphs (no host dispatch in the layers), eager kernels by framework,
// and the key rules (recompute_num_layers, fp8_recipe).
#include <doctest/doctest.h>

#include <string>

#include "sim/memory/memory_model.hpp"
#include "sim/model/activations.hpp"
#include "sim/workload/comm_cost.hpp"
#include "sim/workload/step_plan.hpp"
#include "sim/workload/step_sim.hpp"
#include "tests/test_util.hpp"

using namespace trainsim;

namespace {

using test::error_of;
using test::has;
using test::scenario;

// 24 layers on 8 GPUs, pure data parallelism, one micro-batch per GPU: the
// step is one forward and one backward of the 24 layers.
const char* kGpt = R"(model: megatron-gpt-1.7b
cluster: dgx-a100-80gb
gpus: 8
training: {seq_len: 2048, micro_batch: 1, global_batch: 8, precision: bf16, recompute: full}
)";

Scenario gpt(std::vector<std::string> sets = {}) { return scenario(kGpt, sets); }

// Activations at the stage's peak, which must be the backward instant.
double activations_of(const Scenario& s) {
  const StageMemory st = compute_memory(s).stages.front();
  REQUIRE(st.peak_phase == MemoryPhase::backward);
  return st.peak.activations.value();
}

}  // namespace

TEST_CASE("block recompute re-runs the first N layers only: recompute time scales with N / layers") {
  const double all = simulate_step(gpt()).breakdown.recompute.value();
  REQUIRE(all > 0);
  const double six = simulate_step(gpt({"training.recompute_num_layers=6"})).breakdown.recompute.value();
  CHECK(six == doctest::Approx(all * 6 / 24).epsilon(1e-9));
  // uniform recomputes every layer, whatever the group size.
  const double uniform = simulate_step(gpt({"training.recompute_num_layers=4", "training.recompute_method=uniform"}))
                             .breakdown.recompute.value();
  CHECK(uniform == doctest::Approx(all).epsilon(1e-9));
}

TEST_CASE("block recompute: the stage keeps N checkpoints and 24 - N layers' activations") {
  Scenario full = gpt(), block = gpt({"training.recompute_num_layers=6"});
  Scenario none = gpt({"training.recompute=none"});
  const ActivationShape x = activation_shape(full);
  ActivationShape kept = x;
  kept.recompute = Recompute::none;
  const double per_layer_full = stored_layer_activations(full.model, x).total().value();
  const double per_layer_none = stored_layer_activations(full.model, kept).total().value();
  // One micro-batch in flight: the stored part of the peak differs by 18 layers' (none - checkpoint).
  CHECK(activations_of(block) - activations_of(full) ==
        doctest::Approx(18 * (per_layer_none - per_layer_full)).epsilon(1e-9));
  CHECK(activations_of(block) < activations_of(none));
  // The step's own memory timeline agrees with the memory model.
  CHECK(simulate_step(block).peak_memory_bytes.value() > simulate_step(full).peak_memory_bytes.value());
}

TEST_CASE("recompute_num_layers: the key named when it cannot apply") {
  CHECK(has(error_of([] {
              gpt({"training.recompute=selective", "training.recompute_num_layers=2"});
            }),
            "training.recompute_num_layers"));
  CHECK(has(error_of([] { gpt({"training.recompute_num_layers=25"}); }), "exceeds the 24 layers"));
  // pp 2 x vp 2 on 24 layers: chunks of 6.
  const std::string e = error_of([] {
    scenario(kGpt, {"parallel.pp=2", "parallel.vp=2", "training.global_batch=8", "training.recompute_num_layers=7"});
  });
  CHECK(has(e, "training.recompute_num_layers"));
  CHECK(has(e, "use at most 6"));
}

TEST_CASE("fp8_recipe only with precision fp8") {
  CHECK(has(error_of([] { gpt({"training.fp8_recipe=tensorwise"}); }), "training.fp8_recipe"));
}

TEST_CASE("CUDA graphs: the layers run without host dispatch, the edges keep it") {
  // A host slow enough to bind every block: 1 ms per op.
  const auto compute = [](std::vector<std::string> sets) {
    sets.push_back("training.recompute=none");
    return simulate_step(gpt(sets)).breakdown.compute.value();
  };
  const double free_host = compute({"training.host_dispatch_time=0s"});
  const double slow = compute({"training.host_dispatch_time=1ms"});
  const double graphed = compute({"training.host_dispatch_time=1ms", "training.cuda_graphs=true"});
  CHECK(slow > free_host);
  CHECK(graphed < slow);
  CHECK(graphed >= free_host);
  // What remains is the embedding and output layer, a few ops each: far less
  // than the 24 layers' dispatch floor.
  CHECK(graphed - free_host < (slow - free_host) / 10);
}

TEST_CASE("eager kernels: torchtitan and the HF Trainer without torch.compile") {
  CHECK(eager_kernels(gpt({"framework.name=torchtitan"})));
  CHECK_FALSE(eager_kernels(gpt({"framework.name=torchtitan", "training.compile=true"})));
  CHECK(eager_kernels(gpt({"framework.name=hf-trainer"})));
  CHECK_FALSE(eager_kernels(gpt({"framework.name=megatron-core"})));
  CHECK_FALSE(eager_kernels(gpt()));
}

TEST_CASE("training.dropout 0 on a model card with dropout: fewer bytes kept") {
  const double with = activations_of(gpt({"training.recompute=none"}));
  const double without = activations_of(gpt({"training.recompute=none", "training.dropout=0"}));
  CHECK(without < with);
}

TEST_CASE("CUDA graph scope: attn and mlp each remove their block's dispatch; full_iteration the edges' too") {
  const auto compute = [](std::vector<std::string> sets) {
    sets.push_back("training.recompute=none");
    return simulate_step(gpt(sets)).breakdown.compute.value();
  };
  const std::string slow = "training.host_dispatch_time=1ms", on = "training.cuda_graphs=true";
  const double eager = compute({slow});
  const double full = compute({slow, on});
  const double attn = compute({slow, on, "training.cuda_graph_scope=attn"});
  const double mlp = compute({slow, on, "training.cuda_graph_scope=mlp"});
  const double whole = compute({slow, on, "training.cuda_graph_scope=full_iteration"});
  CHECK(full < attn);
  CHECK(attn < eager);
  CHECK(full < mlp);
  CHECK(mlp < eager);
  // A layer is its attention block and its MLP block: capturing one and then the other adds up
  // to capturing both plus capturing none.
  CHECK(attn + mlp == doctest::Approx(full + eager).epsilon(1e-9));
  // full_iteration also captures the embedding and the loss: no host dispatch anywhere.
  CHECK(whole == doctest::Approx(compute({"training.host_dispatch_time=0s"})).epsilon(1e-9));
}

TEST_CASE("parameter all-gather: the first bucket is waited for; with the optimizer step it hides") {
  // 24 layers, pp 2 x vp 2 on 16 GPUs: dp 8 inside a node; Megatron's distributed optimizer.
  const std::vector<std::string> base = {"gpus=16",
                                         "parallel.pp=2",
                                         "parallel.vp=2",
                                         "parallel.zero_stage=1",
                                         "training.global_batch=32",
                                         "parallel.schedule=interleaved-1f1b"};
  const auto with = [&base](std::vector<std::string> more) {
    more.insert(more.end(), base.begin(), base.end());
    return gpt(more);
  };
  const Scenario waits_all = with({"training.overlap_param_gather=false"});
  const Scenario waits_first = with({"training.overlap_param_gather=true"});
  const Scenario with_step =
      with({"training.overlap_param_gather=true", "training.overlap_param_gather_with_optimizer_step=true"});
  // The first bucket: max(40M, 1M x dp) = 40M bf16 parameters on the dp group.
  CommCost comm(waits_first.cluster);
  const StepPlan plan = make_step_plan(waits_first, comm);
  CHECK(plan.param_gather_bucket == 40e6);
  const double first = comm.time(CollectiveOp::all_gather, Bytes(40e6 * 2), plan.shard_group).value();
  const double a = simulate_step(waits_all).step_time_s.value();
  const double b = simulate_step(waits_first).step_time_s.value();
  const double c = simulate_step(with_step).step_time_s.value();
  CHECK(a > b);
  // Half of the optimizer step (the second chunk's) outlasts one bucket's gather here, so the
  // optimizer-step overlap hides all of it, less one more optimizer launch.
  CHECK(b - c == doctest::Approx(first).epsilon(0.05));
}
