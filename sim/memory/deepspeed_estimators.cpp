// DeepSpeed's model-state estimators (docs/reference/formulas.md §4). Each product
// is evaluated in the order DeepSpeed's Python evaluates it, and each int()
// becomes std::trunc, so results match DeepSpeed's to the byte for any Ψ below
// 2^53 / 18 (where every intermediate is exact or rounded once, as in Python).
#include "sim/memory/deepspeed_estimators.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "sim/core/error.hpp"

namespace trainsim {
namespace {

// Bytes per parameter, as DeepSpeed's comments break them down.
constexpr double kParam16 = 2.0;           // fp16/bf16 parameters on every GPU
constexpr double kLegacyParams = 4.0;      // pre-2024 ZeRO-2: params and grads at 2 + 2 bytes
constexpr double kZero2Sharded = 18.0;     // 2 fp16 grads + 4 fp32 grads + 4 fp32 params + 8 Adam states
constexpr double kLegacySharded = 16.0;    // pre-2024 ZeRO-2: 4 fp32 params + 4 fp32 grads + 8 Adam states
constexpr double kZero3Sharded = 18.0;     // ZeRO-3: same 18 bytes, all sharded
constexpr double kZero3OffloadGpu = 2.0;   // ZeRO-3, optimizer on CPU: fp16 param shard
constexpr double kLargestLayer = 4.0;      // bytes per parameter of the gathered largest layer
constexpr double kPinnedPerGpu = 4.0;      // CPU bytes per parameter per GPU of the node
constexpr double kOffloadOptimCpu = 16.0;  // ZeRO-3 CPU: optimizer states + fp32 copies per node
constexpr double kOffloadAllCpu = 18.0;    // ZeRO-3 CPU: the above + fp16 parameters

// Python's int() on a non-negative float: truncation toward zero, in bytes.
Bytes trunc_bytes(double bytes) { return Bytes(std::trunc(bytes)); }

void check_inputs(const DeepSpeedEstimateInputs& in) {
  if (in.gpus_per_node < 1 || in.nodes < 1) {
    throw ConfigError({"", 0, "gpus"}, "DeepSpeed estimators need gpus_per_node >= 1 and nodes >= 1, got " +
                                           std::to_string(in.gpus_per_node) + " and " + std::to_string(in.nodes));
  }
  if (in.total_params < 0 || in.largest_layer_params < 0) {
    throw ConfigError({"", 0, "model"}, "DeepSpeed estimators need non-negative parameter counts");
  }
}

double total_gpus(const DeepSpeedEstimateInputs& in) {
  return static_cast<double>(in.nodes) * static_cast<double>(in.gpus_per_node);
}

// int(k * total_params / total_gpus): the sharded part of a GPU's states.
double sharded(double bytes_per_param, const DeepSpeedEstimateInputs& in) {
  return std::trunc(bytes_per_param * static_cast<double>(in.total_params) / total_gpus(in));
}

// ZeRO-2 shares the offload branch and the CPU figures between both versions.
DeepSpeedEstimate zero2(const DeepSpeedEstimateInputs& in, double replicated, double per_shard) {
  check_inputs(in);
  const double psi = static_cast<double>(in.total_params);
  const double abf = in.additional_buffer_factor;
  if (in.offload_optimizer) {
    const double factor = std::max(kPinnedPerGpu * total_gpus(in), kOffloadOptimCpu);
    return {trunc_bytes(kParam16 * psi), trunc_bytes(psi * factor * abf)};
  }
  const double gpu = replicated * psi + sharded(per_shard, in);
  return {trunc_bytes(gpu), trunc_bytes(psi * kPinnedPerGpu * in.gpus_per_node * abf)};
}

// ZeRO-3 CPU bytes per node with states offloaded: `per_param` bytes spread
// over the nodes (zero_init) or, without zero.Init, at least a full fp32 copy
// of the model per GPU of the node while it loads.
double zero3_offload_cpu(const DeepSpeedEstimateInputs& in, double per_param) {
  const double psi = static_cast<double>(in.total_params);
  const double gpus_factor = 1.0 / in.nodes;
  if (in.zero_init) return psi * per_param * gpus_factor * in.additional_buffer_factor;
  const double factor = std::max(kPinnedPerGpu * in.gpus_per_node, per_param * gpus_factor);
  return psi * factor * in.additional_buffer_factor;
}

}  // namespace

DeepSpeedEstimate estimate_zero2_model_states(const DeepSpeedEstimateInputs& in) {
  return zero2(in, kParam16, kZero2Sharded);
}

DeepSpeedEstimate estimate_zero2_model_states_legacy(const DeepSpeedEstimateInputs& in) {
  return zero2(in, kLegacyParams, kLegacySharded);
}

DeepSpeedEstimate estimate_zero3_model_states(const DeepSpeedEstimateInputs& in) {
  check_inputs(in);
  const double largest = kLargestLayer * static_cast<double>(in.largest_layer_params);
  const double abf = in.additional_buffer_factor;
  if (in.offload_optimizer && in.offload_params) {
    return {trunc_bytes(largest), trunc_bytes(zero3_offload_cpu(in, kOffloadAllCpu))};
  }
  if (in.offload_optimizer) {
    return {trunc_bytes(largest + sharded(kZero3OffloadGpu, in)), trunc_bytes(zero3_offload_cpu(in, kOffloadOptimCpu))};
  }
  const double loaded =
      in.zero_init ? static_cast<double>(in.largest_layer_params) : static_cast<double>(in.total_params);
  return {trunc_bytes(largest + sharded(kZero3Sharded, in)),
          trunc_bytes(loaded * kPinnedPerGpu * in.gpus_per_node * abf)};
}

}  // namespace trainsim
