// Issue 18, defect 3: the memory convention follows the framework, never the
// ZeRO stage or offload, and under DeepSpeed the gradient reduction dtype is
// DeepSpeed's communication_data_type at every stage, with or without offload
// (deepspeed/runtime/engine.py communication_data_type: fp16 under fp16, bf16
// under bf16, fp32 otherwise; every reduction casts to it: engine.py
// allreduce_bucket, zero/stage_1_and_2.py gradient_reduction_w_predivide,
// zero/stage3.py __avg_scatter_grads; bf16_optimizer.py hands its fp32 buffers
// to allreduce_bucket, which casts them too).
#include <doctest/doctest.h>

#include "sim/load/scenario_loader.hpp"
#include "sim/memory/model_states.hpp"
#include "sim/model/params.hpp"
#include "sim/workload/step_sim.hpp"
#include "tests/test_util.hpp"

using namespace trainsim;
using test::has;
using test::scenario;

namespace {

Scenario ds_zero1_fp16(const std::vector<std::string>& sets = {}) {
  return load_scenario("scenarios/deepspeed/zero1-fp16.yaml", sets, test::zoo());
}

const char* kPlain = R"(model: megatron-gpt-1.7b
cluster: dgx-a100-80gb
gpus: 8
training: {seq_len: 2048, micro_batch: 1, global_batch: 16, precision: bf16}
)";

// Bytes each GPU sends reducing gradients in one step (every DP reduction kind).
double reduction_bytes(const StepResult& r) {
  double sum = 0;
  for (const auto& [kind, bytes] : r.comm_bytes_per_gpu)
    if (kind == "dp.all_reduce" || kind == "dp.reduce_scatter") sum += bytes.value();
  return sum;
}

}  // namespace

TEST_CASE("a ds_config means DeepSpeed's accounting, with and without offload") {
  Scenario plain = ds_zero1_fp16();
  Scenario offload = ds_zero1_fp16({"offload.optimizer=cpu"});
  CHECK(plain.memory.convention == MemoryConvention::deepspeed);
  CHECK(offload.memory.convention == MemoryConvention::deepspeed);
  CHECK(plain.memory.convention_source == ConventionSource::ds_config);
  CHECK(plain.framework == Framework::deepspeed);
  // ZeRO-1 fp16 under DeepSpeed: 2 + 2 + (12 + 4)/N per parameter (stage_1_and_2.py keeps an
  // fp32 gradient partition beside the fp32 master partition).
  const double n = plain.parallel.dp;
  CHECK(state_convention(plain).this_plan.on_gpu() == doctest::Approx(2 + 2 + 16 / n));
}

TEST_CASE("offload does not change DeepSpeed's gradient reduction dtype") {
  // 7B over 16 GPUs, fp16: the reduced elements are fp16 (2 bytes) either way.
  StepResult plain = simulate_step(ds_zero1_fp16());
  StepResult offload = simulate_step(ds_zero1_fp16({"offload.optimizer=cpu"}));
  CHECK(reduction_bytes(plain) > 0);
  CHECK(reduction_bytes(offload) == doctest::Approx(reduction_bytes(plain)));
}

// Bytes per reduced gradient element: a ring all-reduce of P elements sends
// 2 P (N-1)/N elements per GPU, a reduce-scatter P (N-1)/N.
double element_bytes(const StepResult& r, double params, double n) {
  double elements = 0;
  for (const auto& [kind, bytes] : r.comm_bytes_per_gpu) {
    if (kind == "dp.all_reduce") elements += 2 * params * (n - 1) / n;
    if (kind == "dp.reduce_scatter") elements += params * (n - 1) / n;
  }
  return reduction_bytes(r) / elements;
}

TEST_CASE("DeepSpeed reduces bf16 gradients in bf16 at every stage, offload or not") {
  // One micro-batch per step, so ZeRO-2's per-micro-batch reductions happen once.
  const std::string ds = std::string(kPlain) + "framework: {name: deepspeed}\n";
  const double n = 8;
  for (const char* stage : {"0", "1", "2", "3"}) {
    for (const char* off : {"none", "cpu"}) {
      if (std::string(stage) == "0" && std::string(off) == "cpu") continue;  // DeepSpeed offloads with ZeRO only
      Scenario s = scenario(ds, {std::string("parallel.zero_stage=") + stage, std::string("offload.optimizer=") + off,
                                 "training.global_batch=8"});
      INFO("stage " << stage << ", offload " << off);
      CHECK(s.memory.convention == MemoryConvention::deepspeed);
      const double params = static_cast<double>(count_params(s.model).total);
      CHECK(element_bytes(simulate_step(s), params, n) == doctest::Approx(2.0).epsilon(0.01));
    }
  }
}

TEST_CASE("the convention comes from the key, the framework, a ds_config or one stated default") {
  // No framework and no ds_config: megatron at every stage and offload, and it is said.
  for (const char* stage : {"0", "2", "3"}) {
    Scenario s = scenario(kPlain, {std::string("parallel.zero_stage=") + stage});
    CHECK(s.memory.convention == MemoryConvention::megatron);
    CHECK(s.memory.convention_source == ConventionSource::default_value);
  }
  Scenario off = scenario(kPlain, {"parallel.zero_stage=3", "offload.optimizer=cpu"});
  CHECK(off.memory.convention == MemoryConvention::megatron);
  bool said = false;
  for (const std::string& a : off.imports.assumptions) said = said || has(a, "framework.name not given");
  CHECK(said);
  // The framework decides; memory.convention overrides it.
  CHECK(scenario(kPlain, {"framework.name=megatron-deepspeed"}).memory.convention == MemoryConvention::deepspeed);
  CHECK(scenario(kPlain, {"framework.name=nemo"}).memory.convention == MemoryConvention::megatron);
  CHECK(scenario(kPlain, {"framework.name=hf-trainer"}).memory.convention == MemoryConvention::megatron);
  Scenario key = scenario(kPlain, {"framework.name=deepspeed", "memory.convention=megatron"});
  CHECK(key.memory.convention == MemoryConvention::megatron);
  CHECK(key.memory.convention_source == ConventionSource::key);
  // A ds_config with the user saying otherwise: the user wins.
  Scenario told = ds_zero1_fp16({"framework.name=megatron-lm"});
  CHECK(told.memory.convention == MemoryConvention::megatron);
  CHECK(told.memory.convention_source == ConventionSource::framework);
}

TEST_CASE("a bad framework.name names the file, line, key and the valid values") {
  const std::string e = test::error_of([] { scenario(std::string(kPlain) + "framework: {name: megatron}\n"); });
  CHECK(has(e, "framework.name"));
  CHECK(has(e, "megatron-lm"));
  CHECK(has(e, "hf-trainer"));
  CHECK(has(e, ":5"));
}
