// ZeRO memory and communication by stage (docs/reference/formulas.md §3).
#include "sim/memory/zero_explain.hpp"

#include <array>
#include <stdexcept>
#include <string>

#include "sim/core/error.hpp"

namespace trainsim {
namespace {

// Bytes per parameter, mixed-precision Adam (ZeRO paper §3.1).
constexpr double kParamBytes = 2.0;       // fp16 parameters
constexpr double kGradBytes = 2.0;        // fp16 gradients
constexpr double kOptimizerBytes = 12.0;  // K: fp32 master weights, momentum, variance (4 + 4 + 4)

// Bytes per communicated element: gradients and parameters travel in fp16/bf16.
constexpr double kElementBytes = 2.0;

void check(int gpus, int stage) {
  if (gpus < 1) throw ConfigError({"", 0, "gpus"}, "ZeRO analysis needs gpus >= 1, got " + std::to_string(gpus));
  if (stage < 0 || stage >= kZeroStageCount) {
    throw ConfigError({"", 0, "zero_stage"}, "ZeRO stage must be 0..3, got " + std::to_string(stage));
  }
}

// Bytes one GPU sends in a ring reduce-scatter or all-gather of Ψ elements:
// (N−1) chunks of Ψ/N elements.
Bytes ring_pass_bytes(double psi, int gpus) {
  const double n = gpus;
  return Bytes(kElementBytes * psi * (n - 1.0) / n);
}

}  // namespace

Bytes zero_model_state_bytes(std::int64_t params, int gpus, int stage) {
  check(gpus, stage);
  const double psi = static_cast<double>(params);
  const double n = gpus;
  switch (stage) {
    case 0: return Bytes((kParamBytes + kGradBytes + kOptimizerBytes) * psi);
    case 1: return Bytes((kParamBytes + kGradBytes) * psi + kOptimizerBytes * psi / n);
    case 2: return Bytes(kParamBytes * psi + (kGradBytes + kOptimizerBytes) * psi / n);
    default: return Bytes((kParamBytes + kGradBytes + kOptimizerBytes) * psi / n);
  }
}

ZeroCommBytes zero_comm_bytes(std::int64_t params, int gpus, int stage) {
  check(gpus, stage);
  const Bytes pass = ring_pass_bytes(static_cast<double>(params), gpus);
  ZeroCommBytes c;
  switch (stage) {
    case 0: c.all_reduce = 2.0 * pass; break;  // ring all-reduce = reduce-scatter + all-gather
    case 1:
    case 2:
      c.reduce_scatter = pass;  // gradients, each GPU keeps its shard
      c.all_gather = pass;      // updated parameters after the optimizer step
      break;
    default:
      c.reduce_scatter = pass;    // gradients
      c.all_gather = 2.0 * pass;  // parameters, gathered in forward and again in backward
      break;
  }
  return c;
}

ZeroExplanation explain_zero(std::int64_t params, const std::vector<int>& gpus) {
  ZeroExplanation out;
  out.params = params;
  for (int n : gpus) {
    for (int stage = 0; stage < kZeroStageCount; ++stage) {
      out.rows.push_back({n, stage, zero_model_state_bytes(params, n, stage), zero_comm_bytes(params, n, stage)});
    }
  }
  return out;
}

std::string_view zero_stage_name(int stage) {
  static constexpr std::array<std::string_view, kZeroStageCount> names{"DP", "ZeRO-1", "ZeRO-2", "ZeRO-3"};
  check(1, stage);
  return names[static_cast<size_t>(stage)];
}

std::string_view zero_stage_why(int stage) {
  static constexpr std::array<std::string_view, kZeroStageCount> why{
      "DP replicates all 16 bytes per parameter on every GPU; gradients are all-reduced (2Ψ elements).",
      "ZeRO-1 shards the 12-byte optimizer states; gradients reduce-scattered and updated parameters "
      "all-gathered: same volume as DP.",
      "ZeRO-2 also shards gradients: reduce-scatter replaces all-reduce, same volume as DP.",
      "ZeRO-3 also shards parameters: they are all-gathered in forward and again in backward, "
      "1.5x DP's volume.",
  };
  check(1, stage);
  return why[static_cast<size_t>(stage)];
}

}  // namespace trainsim
