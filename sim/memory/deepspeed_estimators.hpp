// DeepSpeed's own model-state memory estimators, modelled on
// deepspeed/runtime/zero/stage_1_and_2.py estimate_zero2_model_states_mem_needs and
// deepspeed/runtime/zero/stage3.py estimate_zero3_model_states_mem_needs
// (docs/reference/formulas.md §4). They count model states only (parameters,
// gradients, optimizer states; no activations, buffers or CUDA context), and
// they reproduce DeepSpeed's arithmetic: the same evaluation order in doubles
// and the same int() truncations, so the results equal DeepSpeed's to the byte.
// DeepSpeed prints these in GiB (2^30 bytes) with the label "GB".
#pragma once

#include <cstdint>

#include "sim/core/quantity.hpp"

namespace trainsim {

// Inputs of the estimators, named after DeepSpeed's arguments.
struct DeepSpeedEstimateInputs {
  std::int64_t total_params = 0;          // Ψ: all unique parameters (total_params)
  std::int64_t largest_layer_params = 0;  // Ψ_L: largest layer (largest_layer_params); ZeRO-3 only
  int gpus_per_node = 1;                  // num_gpus_per_node, default 1, must be >= 1
  int nodes = 1;                          // num_nodes, default 1, must be >= 1
  bool offload_optimizer = false;         // cpu_offload: "offload_optimizer": {"device": "cpu"}
  bool offload_params = false;            // cpu_offload_params (ZeRO-3 only); DeepSpeed ignores
                                          // it unless offload_optimizer is set too
  bool zero_init = true;                  // ZeRO-3 only: model built under deepspeed.zero.Init
  double additional_buffer_factor = 1.5;  // DeepSpeed's default headroom factor on CPU memory
};

// One estimate, as DeepSpeed returns it (both already truncated to whole bytes).
struct DeepSpeedEstimate {
  Bytes gpu_per_gpu;   // model states on each GPU
  Bytes cpu_per_node;  // host memory each node needs (pinned buffers, offloaded states)
};

// ZeRO-2, current DeepSpeed (since PR #5099, June 2024):
//   no offload:        GPU = 2Ψ + int(18Ψ/n)         CPU = Ψ·4·gpus_per_node·1.5
//   optimizer on CPU:  GPU = 2Ψ                      CPU = Ψ·max(4n, 16)·1.5
// with n = nodes·gpus_per_node. Throws std::invalid_argument on counts < 1.
DeepSpeedEstimate estimate_zero2_model_states(const DeepSpeedEstimateInputs& in);

// ZeRO-2 as DeepSpeed had it from June 2021 to June 2024, and as its memory
// docs (docs/code-docs/source/memory.rst) still show it: no offload
// GPU = 4Ψ + int(16Ψ/n); the offload branch and all CPU figures are unchanged.
DeepSpeedEstimate estimate_zero2_model_states_legacy(const DeepSpeedEstimateInputs& in);

// ZeRO-3 (unchanged since June 2021), with 4Ψ_L for the gathered largest layer:
//   no offload:               GPU = 4Ψ_L + int(18Ψ/n)
//                             CPU = Ψ_L·4·gpus_per_node·1.5 (zero_init) | Ψ·4·gpus_per_node·1.5
//   optimizer on CPU:         GPU = 4Ψ_L + int(2Ψ/n)
//                             CPU = Ψ·16/nodes·1.5 (zero_init) | Ψ·max(4·gpus_per_node, 16/nodes)·1.5
//   optimizer + params on CPU: GPU = 4Ψ_L
//                             CPU = Ψ·18/nodes·1.5 (zero_init) | Ψ·max(4·gpus_per_node, 18/nodes)·1.5
// Throws std::invalid_argument on counts < 1.
DeepSpeedEstimate estimate_zero3_model_states(const DeepSpeedEstimateInputs& in);

}  // namespace trainsim
