// MoE models through the step (moe_plan.hpp, step_plan.hpp layer kinds): the
// model FLOPs against a closed form from Mixtral's shapes, each layer of
// DeepSeek-V3 costed as its kind (dense or MoE), and the plans Megatron-core
// refuses.
#include <doctest/doctest.h>

#include <string>

#include "sim/cost/op_cost.hpp"
#include "sim/model/activations.hpp"
#include "sim/workload/moe_plan.hpp"
#include "sim/workload/step_plan.hpp"
#include "sim/workload/step_sim.hpp"
#include "tests/test_util.hpp"

using namespace trainsim;

namespace {

using test::has;
using test::scenario;

const char* kMixtral = R"(model: mixtral-8x7b
cluster: dgx-h100-80gb
gpus: 8
parallel: {tp: 2, sequence_parallel: true, pp: 4}
training: {seq_len: 4096, micro_batch: 1, global_batch: 8, recompute: full}
)";

const char* kDeepSeek = R"(model: deepseek-v3
cluster: dgx-h100-80gb
nodes: 8
parallel: {tp: 8, sequence_parallel: true, pp: 8}
training: {seq_len: 4096, micro_batch: 1, global_batch: 8, recompute: full}
)";

}  // namespace

TEST_CASE("Mixtral 8x7B model FLOPs: 6 x tokens x (attention + router + top-2 experts + logits) + attention core") {
  const Scenario s = scenario(kMixtral);
  const double B = 8, seq = 4096, L = 32, h = 4096, kv = 1024, f = 14336, V = 32000;
  // Per layer: Q and O (h x h each), K and V (h x 1024 each); router h x 8; two
  // SwiGLU experts of 3 h x f; then the logits h x V.
  const double weights = L * (2 * h * h + 2 * h * kv + 8 * h + 2 * 3 * h * f) + h * V;
  const double core = L * 6 * B * seq * seq * 32 * (128 + 128);  // scores and context, 32 heads of 128
  CHECK(model_flops_per_step(s) == doctest::Approx(6 * B * seq * weights + core));
}

TEST_CASE("DeepSeek-V3: the three dense layers and the MoE layers are costed as their kinds") {
  const Scenario s = scenario(kDeepSeek);
  CommCost comm(s.cluster, false, s.network.algorithm, s.network.protocol);
  const StepPlan p = make_step_plan(s, comm);
  // Dense MLP of 18432 vs router + 8 of 256 experts of 2048 + a shared one: per
  // token 3 x 18432 against 7168 x 256 / h... compare the MLP FLOPs per layer.
  const double dense = p.layer_at(0).forward_block_flops[1], moe = p.layer_at(3).forward_block_flops[1];
  const double h = 7168, T = 4096.0 / 8;  // tokens per TP rank under SP, routed
  // Dense MLP: 3 h x 18432 split over TP 8 on 4096 tokens. MoE (etp 8, ep 1):
  // router on 512 tokens, the 8 routed copies of 4096 tokens through h x 2048 / 8
  // expert shards, the shared expert (2048) split over TP.
  CHECK(dense == doctest::Approx(2 * 4096 * 3 * h * 18432 / 8));
  CHECK(moe == doctest::Approx(2 * T * h * 256 + 2 * 4096 * 8 * 3 * h * 2048 / 8 + 2 * 4096 * 3 * h * 2048 / 8));
  CHECK(p.layer_at(2).forward_flops == p.layer_at(0).forward_flops);
  CHECK(p.layer_at(60).forward_flops == p.layer_at(3).forward_flops);
  // The last stage runs the MTP module beside the output layer.
  CHECK(p.edges.output_flops > 2 * 2 * 4096 * h * 129280 / 8);
}

TEST_CASE("MoE with tensor parallelism needs sequence parallelism, as Megatron-core asserts") {
  const std::string e = test::error_of([] { simulate_step(scenario(kMixtral, {"parallel.sequence_parallel=false"})); });
  CHECK(has(e, "parallel.sequence_parallel"));
  CHECK(has(e, "sequence_parallel: true"));
}

TEST_CASE("Mixtral step simulates and reports the MoE model FLOPs") {
  const StepResult a = simulate_step(scenario(kMixtral));
  CHECK(a.step_time_s.value() > 0);
  CHECK(a.model_flops_per_step == doctest::Approx(model_flops_per_step(scenario(kMixtral))));
}

TEST_CASE("A busier expert slows the MoE layer monotonically (EP 8, the busiest rank sets the pace)") {
  const Scenario s = scenario(kMixtral);
  MoeShape moe;
  moe.ep = 8;
  moe.etp = 1;
  LayerKind k;
  k.moe = true;
  const ActivationShape sh = activation_shape(s);
  double last = 0;
  for (double skew : {1.0, 1.5, 2.0, 3.0, 4.0, 6.0, 8.0}) {
    CAPTURE(skew);
    moe.skew = skew;
    const LayerTimes t = layer_times(s.model, sh, s.cluster.node.gpu, 0, false, k, moe);
    CHECK(t.mlp_forward + t.mlp_backward > last);
    last = t.mlp_forward + t.mlp_backward;
  }
}

const char* kMixtralEp = R"(model: mixtral-8x7b
cluster: dgx-h100-80gb
nodes: 8
parallel: {tp: 1, pp: 1, ep: 8, zero_stage: 1}
training: {seq_len: 4096, micro_batch: 1, global_batch: 128, recompute: none}
)";

double comm_of(const StepResult& r, const std::string& key) {
  auto it = r.comm_bytes_per_gpu.find(key);
  return it == r.comm_bytes_per_gpu.end() ? 0.0 : it->second.value();
}

TEST_CASE("All-to-all bytes per GPU in the step: the closed form of uniform routing") {
  const Scenario s = scenario(kMixtralEp);
  const StepResult r = simulate_step(s);
  // Per MoE layer and micro-batch: dispatch and combine in forward and again
  // in backward, each sending the GPU's s x top-k token copies of h bf16
  // values, (ep - 1) / ep of them to other GPUs.
  const double m = s.num_micro_batches(), L = 32, seq = 4096, k = 2, h = 4096, ep = 8;
  CHECK(m == 2);
  CHECK(comm_of(r, "ep.all_to_all") == doctest::Approx(m * L * 4 * (ep - 1) / ep * seq * k * h * 2));
}

TEST_CASE("Load skew slows the EP step monotonically") {
  double last = 0;
  for (const char* skew : {"1", "1.5", "2", "4", "8"}) {
    CAPTURE(skew);
    const double t =
        simulate_step(scenario(kMixtralEp, {std::string("training.moe_load_skew=") + skew})).step_time_s.value();
    CHECK(t > last);
    last = t;
  }
}

TEST_CASE("EP inside a node dispatches faster than EP across nodes, for the same bytes per GPU") {
  // Qwen3-30B-A3B (128 experts) on 2 DGX H100: EP 8 keeps each EP group in a
  // node (NVLink); EP 16 spans both nodes (NICs). Each GPU sends the same s x
  // top-k token copies either way.
  const char* yaml = R"(model: qwen3-30b-a3b
cluster: dgx-h100-80gb
nodes: 2
parallel: {tp: 1, pp: 1, ep: 8, zero_stage: 1}
training: {seq_len: 4096, micro_batch: 1, global_batch: 16, recompute: none}
)";
  const Scenario in = scenario(yaml), across = scenario(yaml, {"parallel.ep=16"});
  CommCost c1(in.cluster, false, in.network.algorithm, in.network.protocol);
  CommCost c2(across.cluster, false, across.network.algorithm, across.network.protocol);
  const StepPlan a = make_step_plan(in, c1), b = make_step_plan(across, c2);
  REQUIRE(a.ep_group.nodes == 1);
  REQUIRE(b.ep_group.nodes == 2);
  REQUIRE(a.moe_forward.size() == 2);
  REQUIRE(b.moe_forward.size() == 2);
  CHECK(a.moe_forward.front().bytes.value() == doctest::Approx(4096 * 8 * 2048 * 2));
  CHECK(a.moe_forward.front().bytes.value() == doctest::Approx(b.moe_forward.front().bytes.value()));
  CHECK(a.moe_forward.front().seconds < b.moe_forward.front().seconds);
}
