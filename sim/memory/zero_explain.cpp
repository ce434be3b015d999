// ZeRO memory and communication by stage (docs/reference/formulas.md §3).
#include "sim/memory/zero_explain.hpp"

#include <algorithm>
#include <array>
#include <stdexcept>
#include <string>

#include "sim/core/error.hpp"
#include "sim/memory/model_states.hpp"

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

// The textbook's 14 B/param (zero_explain.hpp): unsharded bytes at each stage.
constexpr double kTextbookTotal = 14.0;
constexpr double kTextbookUnsharded[kZeroStageCount] = {14.0, 6.0, 4.0, 0.0};

Bytes convention_bytes(ZeroConvention c, std::int64_t params, int gpus, int stage, Precision precision) {
  const double psi = static_cast<double>(params);
  const double n = gpus;
  if (c == ZeroConvention::paper) return zero_model_state_bytes(params, gpus, stage);
  if (c == ZeroConvention::textbook) {
    const double kept = kTextbookUnsharded[stage];
    return Bytes(kept * psi + (kTextbookTotal - kept) * psi / n);
  }
  ModelStateOptions o;
  o.convention = c == ZeroConvention::deepspeed ? MemoryConvention::deepspeed : MemoryConvention::megatron;
  o.precision = precision;
  o.zero_stage = stage;
  o.shard_group = n;
  return Bytes(model_state_bytes_per_param(o).on_gpu() * psi);
}

// Traffic of one micro-batch and of the step with K micro-batches (zero_explain.hpp).
void accumulate(ZeroExplainRow& r, int k) {
  const ZeroCommBytes& c = r.comm_bytes_per_gpu;
  const double kk = k;
  if (r.stage <= 1) {
    r.per_step = c;  // reduced once, at the accumulation boundary
  } else if (r.stage == 2) {
    r.per_micro_batch.reduce_scatter = c.reduce_scatter;
    r.per_step = {Bytes(0), kk * c.reduce_scatter, c.all_gather};
  } else {
    r.per_micro_batch = c;
    r.per_step = {Bytes(0), kk * c.reduce_scatter, kk * c.all_gather};
  }
}

void add_offload_rows(ZeroExplanation& e, int gpus) {
  DeepSpeedEstimateInputs in;
  in.total_params = e.params;
  in.largest_layer_params = e.largest_layer_params;
  in.gpus_per_node = std::min(gpus, e.gpus_per_node);
  in.nodes = (gpus + in.gpus_per_node - 1) / in.gpus_per_node;
  in.offload_optimizer = true;
  e.offload.push_back({gpus, 2, false, estimate_zero2_model_states(in)});
  e.offload.push_back({gpus, 3, false, estimate_zero3_model_states(in)});
  in.offload_params = true;
  e.offload.push_back({gpus, 3, true, estimate_zero3_model_states(in)});
}

}  // namespace

ZeroExplanation explain_zero(std::int64_t params, const std::vector<int>& gpus, const ZeroExplainOptions& o) {
  if (o.grad_accum < 1)
    throw ConfigError({"", 0, "grad_accum"},
                      "needs at least 1 micro-batch per step, got " + std::to_string(o.grad_accum));
  if (o.gpus_per_node < 1)
    throw ConfigError({"", 0, "gpus_per_node"}, "needs gpus_per_node >= 1, got " + std::to_string(o.gpus_per_node));
  ZeroExplanation e;
  e.params = params;
  for (int n : gpus)
    for (int stage = 0; stage < kZeroStageCount; ++stage) {
      ZeroExplainRow r;
      r.gpus = n;
      r.stage = stage;
      r.model_state_bytes_per_gpu = zero_model_state_bytes(params, n, stage);
      r.comm_bytes_per_gpu = zero_comm_bytes(params, n, stage);
      e.rows.push_back(r);
    }
  e.largest_layer_params = o.largest_layer_params;
  e.grad_accum = o.grad_accum;
  e.gpus_per_node = o.gpus_per_node;
  for (ZeroExplainRow& r : e.rows) {
    for (int c = 0; c < kZeroConventionCount; ++c)
      r.by_convention[c] = convention_bytes(static_cast<ZeroConvention>(c), params, r.gpus, r.stage, o.precision);
    accumulate(r, o.grad_accum);
  }
  for (int n : gpus) add_offload_rows(e, n);
  return e;
}

std::string_view zero_convention_name(ZeroConvention c) {
  static constexpr std::array<std::string_view, kZeroConventionCount> names{"paper", "deepspeed", "megatron",
                                                                            "textbook"};
  return names[static_cast<size_t>(c)];
}

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
  return explain_zero(params, gpus, ZeroExplainOptions{});
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
