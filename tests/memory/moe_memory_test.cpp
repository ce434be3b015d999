// Mixture-of-experts memory per GPU (sim/memory/moe_memory.hpp,
// sim/model/moe_params.hpp): expert parameters per GPU under EP x ETP x PP
// against hand-computed closed forms, the two sharding groups of the model
// states, routed-token activations and load skew.
#include <doctest/doctest.h>

#include "sim/load/model_loader.hpp"
#include "sim/memory/memory_model.hpp"
#include "sim/memory/moe_memory.hpp"
#include "sim/model/params.hpp"

#include "tests/test_util.hpp"

using namespace trainsim;

namespace {

ModelSpec zoo_model(const std::string& name) {
  return load_model((test::zoo().root() / "models" / (name + ".yaml")).string());
}

// A scenario on `gpus` DGX-H100 GPUs with the MoE card `model` put in before
// the layout check (`sets` as --set; the loader refuses MoE simulation, so
// the card is swapped in through load_scenario_string's adjust hook).
Scenario moe_scenario(const std::string& model, int gpus, const std::vector<std::string>& sets) {
  const ModelSpec m = zoo_model(model);
  const std::string yaml = "model: llama-2-7b\ncluster: dgx-h100-80gb\ngpus: " + std::to_string(gpus) +
                           "\ntraining: {global_batch: 1024, seq_len: 4096}\n";
  return load_scenario_string(yaml, "moe.yaml", sets, test::zoo(), {}, [&](Scenario& s) { s.model = m; });
}

RankParams stage(const Scenario& s, int i) {
  const ParallelPlan& p = s.parallel;
  return moe_stage_params(s, split_layers(s.model.layers, p.pp, p.vp, p.embedding_in_pp_split), i);
}

// Mixtral 8x7B: h 4096, 32 heads of 128, 8 KV heads, SwiGLU experts of 14336,
// 8 experts, vocabulary 32000, untied, RMSNorm, no biases.
constexpr std::int64_t kExpert = 3LL * 4096 * 14336;                             // 176,160,768
constexpr std::int64_t kAttention = 4096LL * (4096 + 2 * 1024) + 4096LL * 4096;  // Q,K,V + output projection
constexpr std::int64_t kNormsRouter = 2 * 4096 + 8 * 4096;                       // two RMSNorms + router 8 x h
constexpr std::int64_t kVocab = 32000LL * 4096;

}  // namespace

TEST_CASE("per-GPU expert parameters under EP, ETP and PP: closed forms") {
  // EP 8 on one node, tp 1, pp 1: each GPU holds 1 expert of each of the 32 layers.
  Scenario s = moe_scenario("mixtral-8x7b", 8, {"parallel.ep=8"});
  RankParams r = stage(s, 0);
  CHECK(r.expert == 32 * kExpert);
  CHECK(r.dense == 32 * (kAttention + kNormsRouter) + 2 * kVocab + 4096);
  // tp 2, pp 2, ep 4, etp 2 (16 GPUs, expert-dp 1): 16 layers x 2 experts x expert / 2.
  s = moe_scenario(
      "mixtral-8x7b", 16,
      {"parallel.tp=2", "parallel.pp=2", "parallel.ep=4", "parallel.etp=2", "parallel.sequence_parallel=true"});
  CHECK(s.parallel.expert_dp() == 1);
  CHECK(stage(s, 0).expert == 16 * 2 * kExpert / 2);
  CHECK(stage(s, 0).dense == 16 * (kAttention / 2 + kNormsRouter) + kVocab / 2);
  CHECK(stage(s, 1).dense == 16 * (kAttention / 2 + kNormsRouter) + kVocab / 2 + 4096);
  // tp 2, pp 4, ep 2, etp 1 (16 GPUs, expert-dp 2): 8 layers x 4 whole experts.
  s = moe_scenario(
      "mixtral-8x7b", 16,
      {"parallel.tp=2", "parallel.pp=4", "parallel.ep=2", "parallel.etp=1", "parallel.sequence_parallel=true"});
  CHECK(s.parallel.expert_dp() == 2);
  for (int i = 0; i < 4; ++i) CHECK(stage(s, i).expert == 8 * 4 * kExpert);
  // Uneven pp 3: 11, 11 and 10 layers (the extra layers first).
  s = moe_scenario("mixtral-8x7b", 24, {"parallel.pp=3", "parallel.ep=8"});
  CHECK(stage(s, 0).expert == 11 * kExpert);
  CHECK(stage(s, 2).expert == 10 * kExpert);
}

TEST_CASE("interleaved chunks and leading dense layers: DeepSeek-V3 with PP 16, EP 64") {
  // 61 layers over 16 stages: stages 0-12 hold 4, 13-15 hold 3; layers 0-2 are
  // dense (first_k_dense_replace 3); the MTP module's MoE layer sits on the last
  // stage. 256 experts / ep 64 = 4 per GPU of 3 x 7168 x 2048 each.
  const std::int64_t expert = 3LL * 7168 * 2048;
  Scenario s = moe_scenario("deepseek-v3", 2048, {"parallel.pp=16", "parallel.ep=64"});
  CHECK(s.parallel.expert_dp() == 2);
  CHECK(stage(s, 0).expert == 1 * 4 * expert);  // layers 0-3: one MoE layer
  CHECK(stage(s, 1).expert == 4 * 4 * expert);
  CHECK(stage(s, 15).expert == (3 + 1) * 4 * expert);  // layers 58-60 + MTP
  // Interleaving: chunk c of stage i is virtual stage c x pp + i.
  const StageSplit split = split_layers(32, 2, 2, false);
  CHECK(chunk_first_layer(split, 0, 0) == 0);
  CHECK(chunk_first_layer(split, 1, 0) == 8);
  CHECK(chunk_first_layer(split, 0, 1) == 16);
  CHECK(chunk_first_layer(split, 1, 1) == 24);
}

TEST_CASE("unsharded, the per-GPU counts add up to the published totals") {
  for (const char* name : {"mixtral-8x7b", "mixtral-8x22b", "deepseek-v3", "kimi-k2", "qwen3-30b-a3b",
                           "qwen3-235b-a22b", "llama-4-scout", "llama-4-maverick", "gpt-oss-120b"}) {
    CAPTURE(name);
    const ModelSpec m = zoo_model(name);
    const ParamCounts c = count_params(m);
    RankParams all;
    for (int l = 0; l < m.layers; ++l) all += layer_params_per_rank(m, l, 1, 1, 1);
    all += mtp_params_per_rank(m, 1, 1, 1);
    const StageParams ends = stage_params(m, 1, 0, true, true, 1);
    CHECK(all.total() + ends.embedding + ends.output == c.total + c.mtp);
    CHECK(all.expert == (c.moe_layers + (m.mtp_layers > 0 && m.moe_layers.back() ? m.mtp_layers : 0)) *
                            static_cast<std::int64_t>(m.moe_experts) * c.routed_expert);
  }
}

TEST_CASE("model states: dense over dp x cp, experts over expert-dp (distributed optimizer)") {
  // Megatron convention, bf16 Adam, distributed optimizer (zero_stage 1):
  // params 2 B, fp32 main grads 4 B, optimizer 12 B / N, N = dp for the dense
  // part and expert-dp for the experts. 16 GPUs, ep 8: dp 16, expert-dp 2.
  Scenario s = moe_scenario("mixtral-8x7b", 16, {"parallel.ep=8", "parallel.zero_stage=1"});
  const double x = 32.0 * kExpert, d = 32.0 * (kAttention + kNormsRouter) + 2.0 * kVocab + 4096;
  const MemoryResult r = compute_memory(s);
  const MemoryBreakdown& b = r.stages[0].peak;
  CHECK(b.params.value() == doctest::Approx(2 * (x + d)));
  CHECK(b.grads.value() == doctest::Approx(4 * (x + d)));
  CHECK(b.optimizer_states.value() == doctest::Approx(12 * d / 16 + 12 * x / 2));
  // ZeRO-3 (megatron convention: weights and grads sharded too) over the same two groups.
  s = moe_scenario("mixtral-8x7b", 16, {"parallel.ep=8", "parallel.zero_stage=3"});
  const MemoryResult z3 = compute_memory(s);
  CHECK(z3.stages[0].params_resident == static_cast<std::int64_t>(d / 16 + x / 2));
}

TEST_CASE("routed tokens: top-k copies, ETP gather, skew, histogram and capacity") {
  // Mixtral, seq 4096, micro-batch 1, tp 1: T = 4096 tokens, top-2: 8192 copies when uniform.
  Scenario s = moe_scenario("mixtral-8x7b", 8, {"parallel.ep=8"});
  const ActivationShape shape = activation_shape(s);
  CHECK(moe_routed_tokens(s, shape) == doctest::Approx(8192));
  // The busiest expert at twice the mean: one expert per GPU, that GPU twice the mean.
  s = moe_scenario("mixtral-8x7b", 8, {"parallel.ep=8", "training.moe_load_skew=2"});
  CHECK(moe_rank_load(s) == doctest::Approx(2.0));
  CHECK(moe_routed_tokens(s, shape) == doctest::Approx(16384));
  // Two experts per GPU (ep 4): (2 + 1) / 2.
  s = moe_scenario("mixtral-8x7b", 8, {"parallel.ep=4", "training.moe_load_skew=2"});
  CHECK(moe_rank_load(s) == doctest::Approx(1.5));
  // A histogram: GPU 1 of ep 4 holds experts 2 and 3 with 0.2 + 0.3 of the tokens: 0.5 x 4.
  s = moe_scenario("mixtral-8x7b", 8,
                   {"parallel.ep=4", "training.moe_token_histogram=[0.1,0.1,0.2,0.3,0.1,0.1,0.05,0.05]"});
  CHECK(moe_rank_load(s) == doctest::Approx(2.0));
  // A capacity factor caps each expert: skew 2 with capacity 1.25 at ep 8.
  s = moe_scenario("mixtral-8x7b", 8, {"parallel.ep=8", "training.moe_load_skew=2"});
  s.model.moe_capacity_factor = 1.25;
  CHECK(moe_rank_load(s) == doctest::Approx(1.25));
  // ETP 2 gathers the tokens of the two ETP ranks: tp 2 with SP halves T, etp 2 doubles the copies.
  s = moe_scenario("mixtral-8x7b", 16,
                   {"parallel.tp=2", "parallel.ep=4", "parallel.etp=2", "parallel.sequence_parallel=true"});
  CHECK(moe_routed_tokens(s, activation_shape(s)) == doctest::Approx(4096 / 2 * 2 * 2));
}

TEST_CASE("routed-token activations: bytes per copy, and full recompute keeps the layer input only") {
  // Per routed copy (bf16): expert input h + fc1 output 2F + activation output F
  // + expert output h (2 B each) + the int64 row map: 2 (4096 + 28672 + 14336 + 4096) + 8.
  const double per_copy = 2.0 * (4096 + 2 * 14336 + 14336 + 4096) + 8;
  Scenario uniform = moe_scenario("mixtral-8x7b", 8, {"parallel.ep=8"});
  Scenario skewed = moe_scenario("mixtral-8x7b", 8, {"parallel.ep=8", "training.moe_load_skew=2"});
  const ActivationShape shape = activation_shape(uniform);
  const double delta = (moe_chunk_stored(skewed, shape, 0, 1) - moe_chunk_stored(uniform, shape, 0, 1)).value();
  CHECK(delta == doctest::Approx(8192 * per_copy));
  Scenario full = moe_scenario("mixtral-8x7b", 8, {"parallel.ep=8", "training.recompute=full"});
  CHECK(moe_chunk_stored(full, activation_shape(full), 0, 3).value() == doctest::Approx(3 * 2.0 * 4096 * 4096));
  // Dispatch buffers: the all-to-all's send and the combine's receive buffers, 2 x 2 B x T k h.
  CHECK(moe_dispatch_buffers(uniform, shape).value() == doctest::Approx(2 * 2.0 * 4096 * 2 * 4096));
}
