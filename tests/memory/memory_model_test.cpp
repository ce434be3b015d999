// The per-GPU memory model (sim/memory/*): accounting conventions, ZeRO
// stages, pipeline stages and schedules, offload, and the fit verdict.
#include <doctest/doctest.h>

#include <algorithm>

#include "sim/core/error.hpp"
#include "sim/memory/deepspeed_estimators.hpp"
#include "sim/memory/inflight.hpp"
#include "sim/memory/memory_model.hpp"
#include "sim/memory/model_states.hpp"
#include "sim/memory/zero3_gathers.hpp"
#include "sim/model/activations.hpp"
#include "sim/model/params.hpp"
#include "sim/model/stage_split.hpp"
#include "sim/report/memory_report.hpp"

using namespace trainsim;

namespace {

ModelSpec gpt3_175b() {
  ModelSpec m;
  m.name = "gpt3-175b";
  m.layers = 96;
  m.hidden = 12288;
  m.heads = 96;
  m.kv_heads = 96;
  m.head_dim = 128;
  m.ffn = 4 * 12288;
  m.vocab = 51200;
  m.max_position = 2048;
  m.mlp = MlpKind::gelu;
  m.position = PositionKind::learned;
  m.tied_embeddings = true;
  return m;
}

ModelSpec small_gpt() {
  ModelSpec m = gpt3_175b();
  m.name = "gpt-1.3b";
  m.layers = 24;
  m.hidden = 2048;
  m.heads = 16;
  m.kv_heads = 16;
  m.ffn = 8192;
  return m;
}

// A DGX A100 80GB cluster in code: 8 GPUs of 80 GiB per node, 1 TB host memory.
ClusterSpec dgx_a100() {
  ClusterSpec c;
  c.name = "dgx-a100-80gb";
  c.nodes = 512;
  c.node.gpus = 8;
  c.node.gpu.name = "a100-sxm4-80gb";
  c.node.gpu.hbm = Bytes(80 * kGiB);
  c.node.host_memory = Bytes(1e12);
  return c;
}

Scenario scenario(ModelSpec m, int tp, int pp, int dp, int micro_batch, int global_batch) {
  Scenario s;
  s.model = std::move(m);
  s.cluster = dgx_a100();
  s.parallel.tp = tp;
  s.parallel.pp = pp;
  s.parallel.dp = dp;
  s.gpus = tp * pp * dp;
  s.nodes = (s.gpus + 7) / 8;
  s.training.micro_batch = micro_batch;
  s.training.global_batch = global_batch;
  s.training.recompute = Recompute::full;
  // memory.* at the key table's defaults (tests/config/scenario_defaults_test.cpp), except
  // that DeepSpeed's estimators and the gather-window arithmetic below count every
  // ZeRO-3 parameter as sharded and released after use: no persistent small
  // parameters, no layer kept gathered into the next pass.
  s.memory.param_persistence_threshold = 0;
  s.memory.max_reuse_distance = 0;
  return s;
}

double states_on_gpu(const StageMemory& st) {
  return (st.peak.params + st.peak.grads + st.peak.optimizer_states).value();
}

ModelStateOptions opts(MemoryConvention c, Precision p, int zero, double n) {
  ModelStateOptions o;
  o.convention = c;
  o.precision = p;
  o.zero_stage = zero;
  o.shard_group = n;
  return o;
}

}  // namespace

TEST_CASE("Megatron convention: 18 B per parameter, 6 + 12/DP with the distributed optimizer") {
  CHECK(model_state_bytes_per_param(opts(MemoryConvention::megatron, Precision::bf16, 0, 64)).on_gpu() == 18);
  CHECK(model_state_bytes_per_param(opts(MemoryConvention::megatron, Precision::fp16, 0, 64)).on_gpu() == 18);
  for (double dp : {1.0, 2.0, 8.0, 16.0, 64.0})
    CHECK(model_state_bytes_per_param(opts(MemoryConvention::megatron, Precision::bf16, 1, dp)).on_gpu() ==
          6 + 12 / dp);
  // fp8 keeps bf16 weights (its FP8 weight cache is the memory model's, per recipe:
  // tests/workload/fp8_recipes_test.cpp); fp32 has no master copy
  CHECK(model_state_bytes_per_param(opts(MemoryConvention::megatron, Precision::fp8, 0, 8)).on_gpu() == 18);
  CHECK(model_state_bytes_per_param(opts(MemoryConvention::megatron, Precision::fp32, 0, 8)).on_gpu() == 16);
  ModelStateOptions sgd = opts(MemoryConvention::megatron, Precision::bf16, 0, 8);
  sgd.optimizer = OptimizerKind::sgd;
  CHECK(model_state_bytes_per_param(sgd).on_gpu() == 14);  // 2 + 4 + master 4 + momentum 4

  // the whole model on one stage: states = 18 B x the stage's parameters
  Scenario s = scenario(small_gpt(), 1, 1, 8, 1, 8);
  MemoryResult r = compute_memory(s);
  REQUIRE(r.stages.size() == 1);
  CHECK(r.stages[0].params == count_params(s.model).total);
  CHECK(states_on_gpu(r.stages[0]) == doctest::Approx(18.0 * static_cast<double>(r.stages[0].params)));
  s.parallel.zero_stage = 1;
  r = compute_memory(s);
  CHECK(states_on_gpu(r.stages[0]) == doctest::Approx((6 + 12.0 / 8) * static_cast<double>(r.stages[0].params)));
}

TEST_CASE("DeepSpeed convention: 16 B per parameter and the ZeRO stages") {
  const double n = 64;
  auto ds = [&](Precision p, int zero) {
    return model_state_bytes_per_param(opts(MemoryConvention::deepspeed, p, zero, n)).on_gpu();
  };
  CHECK(ds(Precision::fp16, 0) == 16);                       // 2 + 2 + 12 (ZeRO paper baseline)
  CHECK(ds(Precision::fp16, 1) == 4 + 16 / n);               // stage_1_and_2: + fp32 gradient partition
  CHECK(ds(Precision::bf16, 1) == 8 + 12 / n);               // BF16_Optimizer: + unsharded fp32 grad accumulation
  CHECK(ds(Precision::bf16, 2) == 2 + 18 / n);               // estimate_zero2 (current DeepSpeed)
  CHECK(ds(Precision::bf16, 3) == doctest::Approx(18 / n));  // estimate_zero3, without 4 Psi_L

  // ZeRO-3 states + the gathered largest layer equal DeepSpeed's estimator (t5-3b-like shapes are
  // not needed: any model with tp = pp = 1 has P_stage = Psi)
  Scenario s = scenario(small_gpt(), 1, 1, 8, 1, 8);
  s.parallel.zero_stage = 3;
  s.memory.convention = MemoryConvention::deepspeed;
  MemoryResult r = compute_memory(s);
  ParamCounts pc = count_params(s.model);
  DeepSpeedEstimateInputs in;
  in.total_params = pc.total;
  in.largest_layer_params = pc.largest_layer;
  in.gpus_per_node = 8;
  DeepSpeedEstimate est = estimate_zero3_model_states(in);
  CHECK(states_on_gpu(r.stages[0]) + 4.0 * static_cast<double>(pc.largest_layer) ==
        doctest::Approx(est.gpu_per_gpu.value()).epsilon(1e-9));
  CHECK(r.params_per_gpu == pc.total / 8);
}

// FSDP2 (model_states.hpp fsdp): the fp32 shard is the parameter the
// optimizer updates (FSDPParam._sharded_param_data), fp32 gradients in
// reduce_dtype, Adam's two fp32 moments: 4 + 4 + 8 = 16 B, all split over N at
// ZeRO-3; the bf16 copies exist only gathered.
TEST_CASE("FSDP convention: 16 B per parameter, sharded fp32 params, grads and Adam states") {
  const double n = 8;
  auto fs = [&](int zero, int grad_bytes) {
    ModelStateOptions o = opts(MemoryConvention::fsdp, Precision::bf16, zero, n);
    o.grad_bytes = grad_bytes;
    return model_state_bytes_per_param(o);
  };
  CHECK(fs(3, 0).params == 4 / n);
  CHECK(fs(3, 0).grads == 4 / n);
  CHECK(fs(3, 0).optimizer == 8 / n);
  CHECK(fs(3, 0).on_gpu() == doctest::Approx(16 / n));
  CHECK(fs(3, 2).grads == 2 / n);  // reduce_dtype bf16 (training.grad_dtype)
  CHECK(fs(0, 0).on_gpu() == 16);  // unsharded: DDP keeps fp32 params, grads and moments
  CHECK(fs(1, 0).on_gpu() == 8 + 8 / n);
  // One byte fewer per shard than DeepSpeed's and Megatron's ZeRO-3 18 B (no
  // separate 16-bit shard next to an fp32 master).
  CHECK(model_state_bytes_per_param(opts(MemoryConvention::megatron, Precision::bf16, 3, n)).on_gpu() -
            fs(3, 0).on_gpu() ==
        doctest::Approx(2 / n));
}

TEST_CASE("ZeRO-3 with reshard_after_forward false holds every unit of the stage at the backward's start") {
  Scenario s = scenario(small_gpt(), 1, 1, 8, 1, 8);
  s.parallel.zero_stage = 3;
  s.memory.convention = MemoryConvention::fsdp;
  s.parallel.reshard_after_forward = 1;
  const Bytes freed = compute_memory(s).stages[0].peak.zero3_gathered;
  s.parallel.reshard_after_forward = 0;
  const MemoryResult kept = compute_memory(s);
  // All units, 2 bytes per parameter (bf16), nothing persistent under FSDP.
  CHECK(kept.stages[0].peak.zero3_gathered.value() == doctest::Approx(2.0 * kept.stages[0].params).epsilon(1e-12));
  CHECK(freed < kept.stages[0].peak.zero3_gathered);
}

TEST_CASE("offload moves optimizer states and parameters to host memory / NVMe") {
  Scenario s = scenario(small_gpt(), 1, 1, 8, 1, 8);
  s.parallel.zero_stage = 3;
  s.memory.convention = MemoryConvention::deepspeed;
  const double p = static_cast<double>(count_params(s.model).total);
  double on_gpu = states_on_gpu(compute_memory(s).stages[0]);

  s.offload.optimizer = OffloadDevice::cpu;
  MemoryResult r = compute_memory(s);
  CHECK(r.stages[0].peak.optimizer_states.value() == 0);
  CHECK(states_on_gpu(r.stages[0]) == doctest::Approx(2 * p / 8));  // estimate_zero3: 4 Psi_L + 2 Psi / n
  CHECK(states_on_gpu(r.stages[0]) < on_gpu);
  CHECK(r.host_peak_per_node.value() == doctest::Approx(16 * p / 8 * 8));  // 16 B/param over the node's 8 GPUs
  CHECK(r.nvme_peak_per_node.value() == 0);

  s.offload.params = OffloadDevice::cpu;
  r = compute_memory(s);
  CHECK(states_on_gpu(r.stages[0]) == 0);  // estimate_zero3 with both offloaded: GPU holds 4 Psi_L only
  CHECK(r.host_peak_per_node.value() == doctest::Approx(18 * p));

  s.offload.optimizer = OffloadDevice::nvme;
  s.offload.params = OffloadDevice::nvme;
  // DeepSpeed's default offload_param.max_in_cpu (1e9) keeps this small partition in host memory.
  const MemoryResult cached = compute_memory(s);
  s.offload.max_in_cpu_elements = 0;  // every parameter on NVMe
  r = compute_memory(s);
  CHECK((r.nvme_peak_per_node - cached.nvme_peak_per_node).value() == doctest::Approx(2 * std::min(1e9, p / 8) * 8));
  CHECK((cached.host_peak_per_node - r.host_peak_per_node).value() == doctest::Approx(2 * std::min(1e9, p / 8) * 8));
  CHECK(r.nvme_peak_per_node.value() == doctest::Approx(14 * p));  // Adam 12 + weights 2, per node
  // fp32 gradient partition for the optimizer, plus per GPU the pinned swap buffers: 4 optimizer
  // buffers of one sub-group (capped at the partition) in fp32, 5 parameter buffers of 1e8 16-bit elements
  const double buffers = 4 * std::min(s.memory.sub_group_size, p / 8) * 4 + 5 * 1e8 * 2;
  CHECK(r.host_peak_per_node.value() == doctest::Approx(4 * p + 8 * buffers));
  CHECK(r.verdict.host_fits);
  // A sub-group smaller than a tensor's partition: DeepSpeed closes groups at a tensor's end
  // (stage3.py _create_fp16_sub_groups), so each buffer holds the largest tensor's partition
  // (largest_numel), here the word embedding's V x h over the 8 GPUs.
  s.memory.sub_group_size = 1e6;
  const double embedding = static_cast<double>(s.model.vocab) * s.model.hidden / 8;
  REQUIRE(embedding > 1e6);
  CHECK(compute_memory(s).host_peak_per_node.value() == doctest::Approx(4 * p + 8 * (4 * embedding * 4 + 5 * 1e8 * 2)));
  s.memory.sub_group_size = 2e7;  // larger than every tensor's partition: the sub-group sets it
  CHECK(compute_memory(s).host_peak_per_node.value() == doctest::Approx(4 * p + 8 * (4 * 2e7 * 4 + 5 * 1e8 * 2)));
}

TEST_CASE("layers per stage: even, uneven, embedding in the split, interleaved chunks") {
  StageSplit even = split_layers(96, 8, 1, false);
  for (int i = 0; i < 8; ++i) CHECK(even.layers(i) == 12);
  StageSplit uneven = split_layers(10, 4, 1, false);  // remainder on the first stages
  CHECK(uneven.layers(0) == 3);
  CHECK(uneven.layers(1) == 3);
  CHECK(uneven.layers(2) == 2);
  CHECK(uneven.layers(3) == 2);
  StageSplit bloom = split_layers(70, 12, 1, true);  // 72 items, 6 each
  CHECK(bloom.layers(0) == 5);
  CHECK(bloom.layers(5) == 6);
  CHECK(bloom.layers(11) == 5);
  StageSplit inter = split_layers(96, 8, 3, false);  // 24 virtual stages of 4
  CHECK(inter.chunks() == 3);
  CHECK(inter.chunk_layers(0, 2) == 4);
  CHECK(inter.layers(7) == 12);
  StageSplit one = split_layers(24, 1, 1, true);
  CHECK(one.layers(0) == 24);
  // Too few layers for the stages is the user's to fix: ConfigError naming the key.
  CHECK_THROWS_AS(split_layers(4, 8, 1, false), ConfigError);
}

TEST_CASE("in-flight micro-batches: 1F1B min(p - i, m), GPipe m, interleaved factor") {
  CHECK(in_flight_per_chunk(Schedule::one_f_one_b, 8, 1, 0, 64)[0] == 8);
  CHECK(in_flight_per_chunk(Schedule::one_f_one_b, 8, 1, 7, 64)[0] == 1);
  CHECK(in_flight_per_chunk(Schedule::one_f_one_b, 8, 1, 0, 3)[0] == 3);
  CHECK(in_flight_per_chunk(Schedule::gpipe, 8, 1, 5, 64)[0] == 64);
  CHECK(in_flight_per_chunk(Schedule::gpipe, 1, 1, 0, 64)[0] == 1);
  // interleaved: stage 0 holds L (1 + (p - 1)/(p vp)) layers' worth
  const int p = 8, vp = 3, layers = 96, per_chunk = layers / (p * vp);
  std::vector<int> held = in_flight_per_chunk(Schedule::interleaved_1f1b, p, vp, 0, 64);
  int layers_worth = 0;
  for (int c : held) layers_worth += c * per_chunk;
  CHECK(layers_worth * p * vp == layers * (p * vp + p - 1));  // 96 x (1 + 7/24) = 124
  CHECK(layers_worth == 124);
  // the last stage holds vp warm-up chunks less than stage 0 (2 per stage)
  std::vector<int> last = in_flight_per_chunk(Schedule::interleaved_1f1b, p, vp, p - 1, 64);
  CHECK(last[0] + last[1] + last[2] == (vp - 1) * p + 1);
}

TEST_CASE("pipeline stages differ: embedding first, output last, activations by in-flight count") {
  Scenario s = scenario(gpt3_175b(), 8, 8, 16, 1, 1536);
  s.parallel.zero_stage = 1;
  MemoryResult r = compute_memory(s);
  REQUIRE(r.stages.size() == 8);
  CHECK(r.stages[0].has_embedding);
  CHECK(r.stages[7].has_output);
  ParamCounts pc = count_params(s.model);
  std::int64_t layer = layer_params_per_tp_rank(s.model, 8);
  std::int64_t vocab = vocab_params_per_tp_rank(s.model, 8);
  CHECK(r.stages[3].params == 12 * layer);
  CHECK(r.stages[0].params == 12 * layer + vocab + pc.position_embedding);
  CHECK(r.stages[7].params == 12 * layer + vocab + pc.final_norm);  // tied: the last stage's own copy
  CHECK(r.stages[0].in_flight == 8);
  CHECK(r.stages[7].in_flight == 1);
  for (int i = 1; i < 7; ++i) CHECK(r.stages[i].peak.activations > r.stages[i + 1].peak.activations);
  // stage 0 stores L layers' worth of layer inputs plus embedding and working memory
  ActivationShape x = activation_shape(s);
  double stored = 96 * stored_layer_activations(s.model, x).total().value() +
                  8 * embedding_activations(s.model, x).value() + layer_backward_working(s.model, x).value();
  CHECK(r.stages[0].peak.activations.value() == doctest::Approx(stored));
  CHECK(r.peak_stage == 0);
  CHECK(r.fits());
  CHECK(r.params_total == pc.total);
  CHECK(r.params_per_gpu == r.stages[0].params);
}

TEST_CASE("fits against the GPU's memory; other = CUDA context + allocator overhead") {
  Scenario s = scenario(gpt3_175b(), 8, 8, 16, 1, 1536);
  MemoryResult ok = compute_memory(s);
  CHECK(ok.fits());
  CHECK(ok.gpu_memory.value() == 80 * kGiB);
  CHECK(ok.at_peak.other.value() == doctest::Approx(kGiB + 0.1 * ok.at_peak.activations.value()));
  s.training.recompute = Recompute::none;
  s.training.micro_batch = 64;
  s.training.global_batch = 64 * 16;
  MemoryResult oom = compute_memory(s);
  CHECK_FALSE(oom.fits());
  CHECK(oom.peak > oom.gpu_memory);
}

TEST_CASE("BF16_Optimizer peaks at the gradient reduction when activations are small") {
  Scenario s = scenario(small_gpt(), 1, 1, 8, 1, 8);
  s.parallel.zero_stage = 1;
  s.memory.convention = MemoryConvention::deepspeed;
  MemoryResult r = compute_memory(s);
  const double p = static_cast<double>(r.stages[0].params);
  CHECK(r.stages[0].peak_phase == MemoryPhase::step);
  CHECK(r.at_peak.activations.value() == 0);
  CHECK(r.at_peak.comm_buffers.value() == doctest::Approx(4 * p));  // flattened copy of the fp32 gradients
}

TEST_CASE("summary JSON carries the docs/design.md keys and the layout") {
  Scenario s = scenario(gpt3_175b(), 8, 8, 16, 1, 1536);
  MemoryResult r = compute_memory(s);
  nlohmann::json j = memory_json(s, r);
  for (const char* k : {"schema_version", "params_total", "params_per_gpu", "peak_memory_bytes", "gpu_memory_bytes",
                        "fits", "gpu_fits", "host_fits", "nvme_fits", "host_memory_fits", "memory_at_peak_bytes",
                        "host_memory_peak_bytes_per_node", "nvme_peak_bytes_per_node", "stages", "layout"})
    CHECK(j.contains(k));
  for (const char* k : {"params", "grads", "optimizer_states", "activations", "comm_buffers", "other"})
    CHECK(j["memory_at_peak_bytes"].contains(k));
  for (const char* k :
       {"tp", "pp", "dp", "cp", "vp", "sequence_parallel", "zero_stage", "schedule", "micro_batch", "global_batch",
        "num_micro_batches", "seq_len", "precision", "recompute", "convention", "gpus", "nodes"})
    CHECK(j["layout"].contains(k));
  CHECK(j["stages"].size() == 8);
  CHECK(j["layout"]["num_micro_batches"] == 96);
  std::string table = memory_table(s, r);
  CHECK(table.find("activations [GiB]") != std::string::npos);
  CHECK(table.find("fits:           yes") != std::string::npos);
}

TEST_CASE("ZeRO-3 gathers: unit j, at least one ahead, more while under the prefetch bucket, all under max_live") {
  const std::vector<double> u(6, 5.0);
  MemoryOptions m;
  m.prefetch_bucket_elements = 8;  // fewer than two units ahead: the loop stops once 10 are ahead
  m.max_live_parameters = 100;
  CHECK(zero3_gather_end(u, 0, 0, m) == 3);  // unit 0, unit 1 (always), unit 2 (5 ahead < 8)
  CHECK(zero3_gather_end(u, 1, 3, m) == 4);  // unit 2 ahead (5 < 8): unit 3
  CHECK(zero3_gather_end(u, 5, 6, m) == 6);  // nothing past the pass
  m.prefetch_bucket_elements = 0;
  CHECK(zero3_gather_end(u, 0, 0, m) == 2);  // the next unit only
  CHECK(zero3_gather_end(u, 1, 2, m) == 3);
  m.prefetch_bucket_elements = 1e9;
  m.max_live_parameters = 12;  // unit j + one ahead fit, a third does not
  CHECK(zero3_gather_end(u, 0, 0, m) == 2);
  m.max_live_parameters = 7;  // no room ahead: unit j alone
  CHECK(zero3_gather_end(u, 0, 0, m) == 1);
  CHECK(zero3_gather_end(u, 3, 3, m) == 4);
  m.max_live_parameters = 0;  // no cap: the whole pass
  CHECK(zero3_gather_end(u, 0, 0, m) == 6);
}

TEST_CASE("ZeRO-3 analytic peak: the gathered window grows with the prefetch bucket and shrinks with max_live") {
  Scenario s = scenario(small_gpt(), 1, 1, 8, 1, 8);
  s.parallel.zero_stage = 3;
  s.memory.convention = MemoryConvention::deepspeed;
  s.memory.max_live_parameters = 0;
  const StageSplit split = split_layers(s.model.layers, 1, 1, false);
  const double layer = static_cast<double>(layer_params_per_tp_rank(s.model, 1));
  s.memory.prefetch_bucket_elements = 0;
  const Zero3Peak narrow = zero3_backward_peak(s, split, 0);
  s.memory.prefetch_bucket_elements = 3 * layer;
  const Zero3Peak wide = zero3_backward_peak(s, split, 0);
  CHECK(wide.gathered.value() - narrow.gathered.value() == doctest::Approx(3 * 2 * layer).epsilon(0.01));
  s.memory.max_live_parameters = 1.5 * layer;  // the running unit, nothing ahead
  CHECK(zero3_backward_peak(s, split, 0).gathered <= narrow.gathered);
  CHECK(zero3_backward_peak(s, split, 0).gathered < wide.gathered);
  const MemoryResult r = compute_memory(s);
  CHECK(r.stages[0].peak.zero3_gathered == zero3_backward_peak(s, split, 0).gathered);
  CHECK(r.at_peak.comm_buffers >= r.at_peak.zero3_gathered);
  CHECK(memory_table(s, r).find("ZeRO-3 gathered: ") != std::string::npos);
  s.parallel.dp = 1;  // one GPU holds the whole model: nothing to gather
  CHECK(zero3_backward_peak(s, split, 0).total().value() == 0);
}
