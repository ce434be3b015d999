// Fine-tuning as the frameworks run it (issue 19; sim/spec/finetune.hpp):
// LoRA's frozen base (model states, no weight-gradient GEMMs, adapters of
// rank r with Megatron's TP sharding), packed sequences (attention over
// sum s_i^2), the model-FLOPs convention, the keys' errors and MLPerf's
// Llama 2 70B LoRA reference scenario. Expected values are hand formulas from
// the model's dimensions, never a run's output.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "sim/memory/memory_model.hpp"
#include "sim/model/activations.hpp"
#include "sim/model/layer_ops.hpp"
#include "sim/model/params.hpp"
#include "sim/workload/step_sim.hpp"
#include "tests/test_util.hpp"

using namespace trainsim;

namespace {

using test::error_of;
using test::has;
using test::scenario;

// Llama 2 7B (h 4096, 32 heads of 128, MHA, FFN 11008, SwiGLU, 32 layers) on
// one DGX H100, Megatron's distributed optimizer over dp 8.
const char* kLlama7b = R"(model: llama-2-7b
cluster: dgx-h100-80gb
gpus: 8
parallel: {zero_stage: 1}
training: {seq_len: 4096, micro_batch: 1, global_batch: 8, precision: bf16}
)";

// Adapter parameters of one layer of Llama 2 7B, all ranks: (in + out) r per
// target; linear_qkv 4096 -> 3 x 4096, linear_proj 4096 -> 4096, linear_fc1
// 4096 -> 2 x 11008 (gate and up), linear_fc2 11008 -> 4096.
constexpr double kQkv = 4096 + 3 * 4096, kProj = 4096 + 4096, kFc1 = 4096 + 2 * 11008, kFc2 = 11008 + 4096;

const StageMemory& stage0(const MemoryResult& m) { return m.stages.front(); }

double gemm_flops(const std::vector<Op>& ops, Pass pass, bool adapters) {
  double f = 0;
  for (const Op& op : ops)
    if (op.pass == pass && op.kind == OpKind::gemm && has(op.name, "_lora") == adapters) f += op.flops;
  return f;
}

}  // namespace

TEST_CASE("LoRA model states: frozen weights only, adapters with grads and sharded optimizer states") {
  const Scenario full = scenario(kLlama7b);
  const Scenario lora = scenario(
      kLlama7b, {"training.peft=lora", "training.lora_rank=16", "training.lora_targets=linear_qkv,linear_proj"});
  const double base = static_cast<double>(count_params(full.model).total);
  const double adapters = 32 * 16 * (kQkv + kProj);
  CHECK(adapters == doctest::Approx(12'582'912));
  const MemoryBreakdown f = stage0(compute_memory(full)).peak, l = stage0(compute_memory(lora)).peak;
  // Megatron: bf16 weights 2 B, fp32 main grads 4 B, distributed optimizer 12 B / dp.
  CHECK(f.params.value() == doctest::Approx(2 * base));
  CHECK(f.grads.value() == doctest::Approx(4 * base));
  CHECK(f.optimizer_states.value() == doctest::Approx(12 * base / 8));
  CHECK(l.params.value() == doctest::Approx(2 * (base + adapters)));
  CHECK(l.grads.value() == doctest::Approx(4 * adapters));
  CHECK(l.optimizer_states.value() == doctest::Approx(12 * adapters / 8));
  CHECK(stage0(compute_memory(lora)).trainable == static_cast<std::int64_t>(adapters));
}

TEST_CASE("LoRA under DeepSpeed ZeRO-3: frozen weights sharded, adapters 2 + 4 + 12 bytes over N") {
  const Scenario s = scenario(kLlama7b, {"framework.name=deepspeed", "parallel.zero_stage=3", "training.peft=lora",
                                         "training.lora_rank=8", "training.lora_targets=q_proj,o_proj"});
  const double base = static_cast<double>(count_params(s.model).total);
  const double adapters = 32 * 8 * (kQkv + kProj);
  // RMSNorm weights (4096 < stage3_param_persistence_threshold) stay gathered: 7/8 of them beyond the shard.
  const double persistent = 32 * 2 * 4096 * (1 - 1.0 / 8) * 2;
  const MemoryBreakdown m = stage0(compute_memory(s)).peak;
  CHECK(m.params.value() == doctest::Approx(2 * (base + adapters) / 8 + persistent));
  CHECK(m.grads.value() == doctest::Approx(4 * adapters / 8));
  CHECK(m.optimizer_states.value() == doctest::Approx(12 * adapters / 8));
}

TEST_CASE("LoRA under TP: each rank holds (in + out) r / tp of every adapter") {
  const Scenario s = scenario(kLlama7b, {"parallel.tp=2", "parallel.zero_stage=0", "training.peft=lora",
                                         "training.lora_rank=16"});  // default targets: all four
  const double adapters_rank = 32 * 16 * (kQkv + kProj + kFc1 + kFc2) / 2;
  const MemoryBreakdown m = stage0(compute_memory(s)).peak;
  CHECK(m.grads.value() == doctest::Approx(4 * adapters_rank));
  CHECK(m.optimizer_states.value() == doctest::Approx(12 * adapters_rank));
  CHECK(s.training.finetune.lora_targets == kLoraAllTargets);  // Megatron-Bridge's default
  CHECK(scenario(kLlama7b).training.finetune.lora_rank == 32);
}

TEST_CASE("LoRA removes the weight-gradient GEMMs of the frozen layers and adds the adapters'") {
  const Scenario full = scenario(kLlama7b);
  const Scenario lora = scenario(kLlama7b, {"training.peft=lora", "training.lora_rank=16"});
  const std::vector<Op> f = layer_ops(full.model, activation_shape(full));
  const std::vector<Op> l = layer_ops(lora.model, activation_shape(lora));
  const double fwd = gemm_flops(f, Pass::forward, false);
  // Full fine-tuning: dgrad + wgrad = twice the forward; frozen: dgrad only.
  CHECK(gemm_flops(f, Pass::backward, false) == doctest::Approx(2 * fwd));
  CHECK(gemm_flops(l, Pass::forward, false) == doctest::Approx(fwd));
  CHECK(gemm_flops(l, Pass::backward, false) == doctest::Approx(fwd));
  for (const Op& op : l) CHECK_MESSAGE(!(has(op.name, "_wgrad") && !has(op.name, "_lora")), op.name);
  // Adapters: x A and (x A) B, 2 M r (in + out) forward, twice that backward.
  const double m = 4096, adapter_fwd = 2 * m * 16 * (kQkv + kProj + kFc1 + kFc2);
  CHECK(gemm_flops(l, Pass::forward, true) == doctest::Approx(adapter_fwd));
  CHECK(gemm_flops(l, Pass::backward, true) == doctest::Approx(2 * adapter_fwd));
  // The output layer is frozen too: its logits GEMM keeps only the dgrad.
  int logits = 0;
  for (const Op& op : output_ops(lora.model, activation_shape(lora))) logits += has(op.name, "logits") ? 1 : 0;
  CHECK(logits == 2);
}

TEST_CASE("LoRA dropout adds a dropout kernel per adapter and its saved input") {
  const Scenario off = scenario(kLlama7b, {"training.peft=lora", "training.lora_targets=linear_qkv"});
  const Scenario on =
      scenario(kLlama7b, {"training.peft=lora", "training.lora_targets=linear_qkv", "training.lora_dropout=0.1"});
  int kernels = 0;
  for (const Op& op : layer_ops(on.model, activation_shape(on))) kernels += has(op.name, "lora_dropout") ? 1 : 0;
  CHECK(kernels == 2);  // forward and backward
  const double extra = (stored_layer_activations(on.model, activation_shape(on)).total() -
                        stored_layer_activations(off.model, activation_shape(off)).total())
                           .value();
  CHECK(extra == doctest::Approx((2 + 1) * 4096.0 * 4096));  // bf16 dropped input + 1-byte mask, b s h
}

TEST_CASE("packed sequences: attention FLOPs over sum s_i^2, GEMMs over every token") {
  const char* yaml = R"(model: llama-2-7b
cluster: dgx-h100-80gb
gpus: 8
training: {seq_len: 8192, micro_batch: 1, global_batch: 8}
)";
  const Scenario plain = scenario(yaml);
  const Scenario packed = scenario(yaml, {"training.packed_sequences=true", "training.pack_mean_seq_len=1024"});
  auto core = [](const Scenario& s) {
    for (const Op& op : layer_ops(s.model, activation_shape(s)))
      if (op.name == "attn_core") return op.flops;
    return 0.0;
  };
  // Causal FlashAttention forward: 4 b a s s_k d / 2 with s_k the keys a query sees.
  CHECK(core(plain) == doctest::Approx(4.0 * 32 * 8192 * 8192 * 128 / 2));
  CHECK(core(packed) == doctest::Approx(4.0 * 32 * 8192 * 1024 * 128 / 2));
  const std::vector<Op> a = layer_ops(plain.model, activation_shape(plain));
  const std::vector<Op> b = layer_ops(packed.model, activation_shape(packed));
  CHECK(gemm_flops(a, Pass::forward, false) == doctest::Approx(gemm_flops(b, Pass::forward, false)));
}

TEST_CASE("model FLOPs: Megatron-Bridge's LoRA convention and packed attention") {
  // flop_utils.py (LoRA branch), with avg_seqlen2 = sum s_i^2 per row:
  // B (S L h^2 (12 + 12 g/a + 18 F/h + 6 V/(L h)) 2/3 + L h^2 12 avg_seqlen2 / h).
  const double L = 80, h = 8192, F = 28672, V = 32000, g = 8, a = 64, S = 4096, B = 16;
  auto bridge = [&](double seqlen2) {
    return B * (S * L * h * h * (12 + 12 * g / a + 18 * F / h + 6 * V / (L * h)) * 2.0 / 3.0 +
                L * h * h * 12 * seqlen2 / h);
  };
  const char* yaml = R"(model: llama-2-70b
cluster: dgx-h100-80gb
nodes: 2
parallel: {tp: 8}
training: {seq_len: 4096, micro_batch: 1, global_batch: 16, peft: lora}
)";
  CHECK(model_flops_per_step(scenario(yaml)) == doctest::Approx(bridge(S * S)));
  CHECK(model_flops_per_step(scenario(yaml, {"training.packed_sequences=true", "training.pack_mean_seq_len=512"})) ==
        doctest::Approx(bridge(S * 512)));
  // Full fine-tuning on packed rows: Megatron's formula with s in the attention term replaced.
  const double full = 12 * B * S * L * h * h * ((1 + g / a + 512 / h) + (F / h) * 1.5 + V / (2 * L * h));
  CHECK(model_flops_per_step(scenario(yaml, {"training.peft=none", "training.packed_sequences=true",
                                             "training.pack_mean_seq_len=512"})) == doctest::Approx(full));
}

TEST_CASE("fine-tuning keys: errors name the key and what would be valid") {
  CHECK(has(error_of([] {
              scenario(kLlama7b, {"training.peft=lora", "training.lora_rank=0"});
            }),
            "training.lora_rank"));
  const std::string typo = error_of([] { scenario(kLlama7b, {"training.lora_targets=linear_qkv,q_prj"}); });
  CHECK(has(typo, "training.lora_targets"));
  CHECK(has(typo, "did you mean 'q_proj'"));
  CHECK(has(error_of([] { scenario(kLlama7b, {"training.lora_targets=,"}); }), "names no projection"));
  CHECK(has(error_of([] { scenario(kLlama7b, {"training.peft=qlora"}); }), "training.peft"));
  CHECK(has(error_of([] { scenario(kLlama7b, {"training.packed_sequences=true"}); }), "training.pack_mean_seq_len"));
  CHECK(has(error_of([] { scenario(kLlama7b, {"training.pack_mean_seq_len=512"}); }), "packed_sequences: true"));
  CHECK(has(error_of([] {
              scenario(kLlama7b, {"training.packed_sequences=true", "training.pack_mean_seq_len=8192"});
            }),
            "exceeds seq_len=4096"));
  CHECK(has(error_of([] {
              scenario(kLlama7b, {"training.packed_sequences=true", "training.pack_mean_seq_len=512",
                                  "training.flash_attention=false"});
            }),
            "flash_attention"));
}

TEST_CASE("MLPerf Llama 2 70B LoRA reference: 8 x H100 80 GB, ZeRO-3, adapters on qkv and o_proj") {
  const Scenario s = load_scenario("scenarios/finetune/llama-2-70b-lora-mlperf-8xh100.yaml", {}, test::zoo());
  CHECK(s.training.finetune.lora_rank == 16);
  CHECK(s.training.finetune.lora_targets == (kLoraQkv | kLoraProj));
  // 80 layers x 16 x ((8192 + 10240) + (8192 + 8192)): HF PEFT's trainable parameters.
  const MemoryResult m = compute_memory(s);
  CHECK(stage0(m).trainable == 80LL * 16 * ((8192 + 10240) + (8192 + 8192)));
  const StepResult r = simulate_step(s);
  CHECK(r.fits());
  CHECK(r.step_time_s.value() > 0);
  CHECK(r.peak_memory_bytes.value() <= 80e9);
}

TEST_CASE("LoRA with TP 2: the adapters' own TP collectives, as Megatron-Bridge's ParallelLinearAdapter") {
  // Llama 2 7B on 8 GPUs with tp 2, no SP, no recompute: per layer and micro-batch, with T tokens,
  // rank r, h = 4096 and e = 2 bytes, the adapters add (utils.py ParallelLinearAdapter):
  //   all-gathers: A x of qkv and fc1 (T r each) and B's output of proj and fc2 (T h each);
  //   all-reduces: A x of proj and fc2 (T r each) forward; B's input gradient of all four (T r)
  //     and A's input gradient of qkv and fc1 (T h each) backward.
  // A GPU of a 2-rank group sends half of an all-gather's size and all of an all-reduce's.
  const std::vector<std::string> sets = {"parallel.tp=2", "parallel.sequence_parallel=false", "training.recompute=none",
                                         "training.global_batch=4"};
  std::vector<std::string> lora = sets;
  lora.insert(lora.end(), {"training.peft=lora", "training.lora_rank=16"});
  std::vector<std::string> frozen_full = sets;  // the base TP traffic is the same with or without adapters
  const StepResult with = simulate_step(scenario(kLlama7b, lora));
  const StepResult without = simulate_step(scenario(kLlama7b, frozen_full));
  const double T = 4096, r = 16, h = 4096, e = 2, layers = 32, micro_batches = 1;
  const auto extra = [&with, &without](const char* key) {
    return with.comm_bytes_per_gpu.at(key).value() -
           (without.comm_bytes_per_gpu.count(key) ? without.comm_bytes_per_gpu.at(key).value() : 0.0);
  };
  CHECK(extra("tp.all_gather") == doctest::Approx(layers * micro_batches * (2 * T * r + 2 * T * h) * e / 2));
  CHECK(extra("tp.all_reduce") == doctest::Approx(layers * micro_batches * (2 * T * r + 4 * T * r + 2 * T * h) * e));
  // With SP the column-parallel A's input-gradient all-reduce goes (disable_grad_reduce).
  std::vector<std::string> sp = lora;
  sp[1] = "parallel.sequence_parallel=true";
  std::vector<std::string> sp_base = frozen_full;
  sp_base[1] = "parallel.sequence_parallel=true";
  const StepResult with_sp = simulate_step(scenario(kLlama7b, sp));
  const StepResult without_sp = simulate_step(scenario(kLlama7b, sp_base));
  const double ar_sp =
      with_sp.comm_bytes_per_gpu.at("tp.all_reduce").value() -
      (without_sp.comm_bytes_per_gpu.count("tp.all_reduce") ? without_sp.comm_bytes_per_gpu.at("tp.all_reduce").value()
                                                            : 0.0);
  CHECK(ar_sp == doctest::Approx(layers * micro_batches * (2 * T * r + 4 * T * r) * e));
  // TP 1: no adapter collectives at all.
  CHECK(simulate_step(scenario(kLlama7b, {"training.peft=lora"})).comm_bytes_per_gpu.count("tp.all_gather") == 0);
}
