// DeepSpeed's model-state estimators against DeepSpeed's own published output
// (docs/code-docs/source/memory.rst, t5-3b, "all_cold" run with
// total_params=2851e6, largest_layer_params=32e6, 1 node x 8 GPUs; figures in
// GiB) and against values computed by DeepSpeed's Python functions.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "sim/core/error.hpp"
#include "sim/memory/deepspeed_estimators.hpp"

using namespace trainsim;

namespace {

constexpr std::int64_t kT5Params = 2'851'000'000;  // Ψ, t5-3b
constexpr std::int64_t kT5Largest = 32'000'000;    // Ψ_L, t5-3b
constexpr double kTolerance = 0.01;                // 1 %

DeepSpeedEstimateInputs t5(bool offload_optimizer, bool offload_params, bool zero_init) {
  DeepSpeedEstimateInputs in;
  in.total_params = kT5Params;
  in.largest_layer_params = kT5Largest;
  in.gpus_per_node = 8;
  in.nodes = 1;
  in.offload_optimizer = offload_optimizer;
  in.offload_params = offload_params;
  in.zero_init = zero_init;
  return in;
}

// Checks `got` against DeepSpeed's printed GiB figure within 1 % and prints the comparison.
void check_gib(const std::string& what, Bytes got, double published_gib) {
  const double gib = got.value() / kGiB;
  const double rel = std::fabs(gib - published_gib) / published_gib;
  MESSAGE(what << ": trainsim " << gib << " GiB, DeepSpeed prints " << published_gib << " GiB, difference "
               << rel * 100.0 << " %");
  CHECK(rel <= kTolerance);
}

}  // namespace

TEST_CASE("ZeRO-3 estimator reproduces DeepSpeed's t5-3b table") {
  // Rows of memory.rst, "per CPU | per GPU | Options".
  struct Row {
    const char* what;
    bool optim, params, zero_init;
    double cpu_gib, gpu_gib;
  };
  const Row rows[] = {
      {"ZeRO-3 offload params+optimizer, zero_init=1", true, true, true, 71.69, 0.12},
      {"ZeRO-3 offload params+optimizer, zero_init=0", true, true, false, 127.45, 0.12},
      {"ZeRO-3 offload optimizer, zero_init=1", true, false, true, 63.72, 0.78},
      {"ZeRO-3 offload optimizer, zero_init=0", true, false, false, 127.45, 0.78},
      {"ZeRO-3 no offload, zero_init=1", false, false, true, 1.43, 6.09},
      {"ZeRO-3 no offload, zero_init=0", false, false, false, 127.45, 6.09},
  };
  for (const Row& r : rows) {
    const DeepSpeedEstimate e = estimate_zero3_model_states(t5(r.optim, r.params, r.zero_init));
    check_gib(std::string(r.what) + ", GPU", e.gpu_per_gpu, r.gpu_gib);
    check_gib(std::string(r.what) + ", CPU per node", e.cpu_per_node, r.cpu_gib);
  }
}

TEST_CASE("ZeRO-3 estimator matches DeepSpeed's Python to the byte") {
  // Values from DeepSpeed's estimate_zero3_model_states_mem_needs run in Python.
  CHECK(estimate_zero3_model_states(t5(false, false, true)).gpu_per_gpu.value() == 6'542'750'000.0);
  CHECK(estimate_zero3_model_states(t5(true, false, true)).gpu_per_gpu.value() == 840'750'000.0);
  CHECK(estimate_zero3_model_states(t5(true, true, true)).gpu_per_gpu.value() == 128'000'000.0);
  CHECK(estimate_zero3_model_states(t5(true, true, true)).cpu_per_node.value() == 76'977'000'000.0);
  CHECK(estimate_zero3_model_states(t5(true, false, true)).cpu_per_node.value() == 68'424'000'000.0);
  CHECK(estimate_zero3_model_states(t5(false, false, true)).cpu_per_node.value() == 1'536'000'000.0);
  CHECK(estimate_zero3_model_states(t5(false, false, false)).cpu_per_node.value() == 136'848'000'000.0);

  // int() truncation and the 1/nodes factor: Ψ = 1000003, Ψ_L = 777, 3 nodes x 2 GPUs.
  DeepSpeedEstimateInputs odd;
  odd.total_params = 1'000'003;
  odd.largest_layer_params = 777;
  odd.gpus_per_node = 2;
  odd.nodes = 3;
  odd.offload_optimizer = true;
  odd.offload_params = true;
  CHECK(estimate_zero3_model_states(odd).gpu_per_gpu.value() == 3108.0);
  CHECK(estimate_zero3_model_states(odd).cpu_per_node.value() == 9'000'027.0);
  odd.zero_init = false;  // max(4 x 2, 18 / 3) = 8 bytes per parameter
  CHECK(estimate_zero3_model_states(odd).cpu_per_node.value() == 12'000'036.0);
  odd.offload_params = false;
  odd.zero_init = true;
  CHECK(estimate_zero3_model_states(odd).gpu_per_gpu.value() == 336'442.0);  // 3108 + int(2000006 / 6)
  CHECK(estimate_zero3_model_states(odd).cpu_per_node.value() == 8'000'024.0);
  odd.offload_optimizer = false;
  CHECK(estimate_zero3_model_states(odd).gpu_per_gpu.value() == 3'003'117.0);  // 3108 + int(18000054 / 6)
  CHECK(estimate_zero3_model_states(odd).cpu_per_node.value() == 9'324.0);

  // Python's left-to-right float order: 7000000001 * 16 * (1/7) * 1.5 = 24000000003.4 -> 24000000003.
  DeepSpeedEstimateInputs big;
  big.total_params = 7'000'000'001;
  big.largest_layer_params = 123'456'789;
  big.gpus_per_node = 8;
  big.nodes = 7;
  big.offload_optimizer = true;
  const DeepSpeedEstimate e = estimate_zero3_model_states(big);
  CHECK(e.cpu_per_node.value() == 24'000'000'003.0);
  CHECK(e.gpu_per_gpu.value() == 743'827'156.0);
}

TEST_CASE("ZeRO-3 ignores params offload without optimizer offload, as DeepSpeed does") {
  const DeepSpeedEstimate a = estimate_zero3_model_states(t5(false, true, true));
  const DeepSpeedEstimate b = estimate_zero3_model_states(t5(false, false, true));
  CHECK(a.gpu_per_gpu == b.gpu_per_gpu);
  CHECK(a.cpu_per_node == b.cpu_per_node);
}

TEST_CASE("ZeRO-2 estimator: current and legacy formulas") {
  const DeepSpeedEstimate offload = estimate_zero2_model_states(t5(true, false, true));
  const DeepSpeedEstimate none = estimate_zero2_model_states(t5(false, false, true));
  const DeepSpeedEstimate legacy = estimate_zero2_model_states_legacy(t5(false, false, true));

  // memory.rst (written with the legacy formula): 127.45 | 5.31 offload, 127.45 | 15.93 none.
  check_gib("ZeRO-2 offload optimizer, GPU (2Psi)", offload.gpu_per_gpu, 5.31);
  check_gib("ZeRO-2 offload optimizer, CPU per node (Psi*max(4n,16)*1.5)", offload.cpu_per_node, 127.45);
  check_gib("ZeRO-2 legacy no offload, GPU (4Psi + 16Psi/n)", legacy.gpu_per_gpu, 15.93);
  check_gib("ZeRO-2 no offload, CPU per node (Psi*4*gpus_per_node*1.5)", none.cpu_per_node, 127.45);
  // Current code (PR #5099): 2Psi + int(18Psi/8) = 5702000000 + 6414750000 bytes = 11.28 GiB.
  check_gib("ZeRO-2 current no offload, GPU (2Psi + 18Psi/n)", none.gpu_per_gpu, 11.28);

  CHECK(offload.gpu_per_gpu.value() == 5'702'000'000.0);
  CHECK(offload.cpu_per_node.value() == 136'848'000'000.0);
  CHECK(none.gpu_per_gpu.value() == 12'116'750'000.0);
  CHECK(none.cpu_per_node.value() == 136'848'000'000.0);
  CHECK(legacy.gpu_per_gpu.value() == 17'106'000'000.0);
  CHECK(legacy.cpu_per_node.value() == offload.cpu_per_node.value());
}

TEST_CASE("ZeRO-2 estimator: truncation and the CPU floor of 16 bytes per parameter") {
  DeepSpeedEstimateInputs in;
  in.total_params = 1001;
  in.gpus_per_node = 8;
  CHECK(estimate_zero2_model_states(in).gpu_per_gpu.value() == 4254.0);  // 2002 + int(18018 / 8)
  CHECK(estimate_zero2_model_states(in).cpu_per_node.value() == 48'048.0);
  in.gpus_per_node = 3;
  in.offload_optimizer = true;  // max(4 x 3, 16) = 16 bytes per parameter
  CHECK(estimate_zero2_model_states(in).cpu_per_node.value() == 24'024.0);
  CHECK(estimate_zero2_model_states(in).gpu_per_gpu.value() == 2002.0);
  in.nodes = 2;  // ZeRO-2 CPU uses all GPUs, not the node's: max(4 x 6, 16) = 24
  CHECK(estimate_zero2_model_states(in).cpu_per_node.value() == 36'036.0);
}

TEST_CASE("DeepSpeed estimators reject GPU counts below one") {
  DeepSpeedEstimateInputs in;
  in.total_params = 1000;
  in.gpus_per_node = 0;
  CHECK_THROWS_AS(estimate_zero2_model_states(in), ConfigError);
  CHECK_THROWS_AS(estimate_zero3_model_states(in), ConfigError);
}
