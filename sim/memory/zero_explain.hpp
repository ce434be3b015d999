// The ZeRO paper's analysis (Rajbhandari et al., "ZeRO: Memory Optimizations
// Toward Training Trillion Parameter Models", SC20; docs/reference/formulas.md §3):
// model-state bytes per GPU and per-step communication bytes per GPU for data
// parallelism (stage 0) and ZeRO stages 1-3, for Ψ parameters over N GPUs.
//
// Model states, mixed-precision Adam: 2 bytes fp16 parameters + 2 bytes fp16
// gradients + K = 12 bytes fp32 master weights, momentum and variance per
// parameter (paper §3.1). Communication: the bytes each GPU sends in one step
// with ring collectives (paper §7), 2-byte fp16/bf16 elements; a ring
// all-reduce sends 2Ψ(N−1)/N elements, a reduce-scatter or all-gather
// Ψ(N−1)/N. Activations, buffers and fragmentation are out of scope.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "sim/core/quantity.hpp"
#include "sim/memory/deepspeed_estimators.hpp"
#include "sim/spec/gpu_spec.hpp"

namespace trainsim {

inline constexpr int kZeroStageCount = 4;  // stages 0 (DP baseline), 1, 2, 3

// Bytes each GPU sends in one step, by collective kind.
struct ZeroCommBytes {
  Bytes all_reduce;      // gradient all-reduce (DP baseline)
  Bytes reduce_scatter;  // gradient reduce-scatter (ZeRO-1/2/3)
  Bytes all_gather;      // parameter all-gather (ZeRO-1/2: after the step; ZeRO-3: forward + backward)

  Bytes total() const { return all_reduce + reduce_scatter + all_gather; }
};

// The accountings a row can be counted in (`explain zero --convention`):
//  paper:     ZeRO Table 1, 2 + 2 + 12 = 16 B/param (zero_model_state_bytes);
//  deepspeed: trainsim's deepspeed convention, what `mem` counts for DeepSpeed
//             (model_states.hpp: BF16_Optimizer at ZeRO-0/1 in bf16, the fp32
//             gradient partition, 18/N at ZeRO-3);
//  megatron:  trainsim's megatron convention (18 B/param, fp32 main grads);
//  textbook:  14 B/param = 4 B fp32 weights + 2 B 16-bit grads + 8 B Adam
//             moments, no separate 16-bit weight copy: ZeRO-1 keeps 6 B
//             unsharded, ZeRO-2 4 B, ZeRO-3 none. With Ψ = 70e9 on 8 GPUs it
//             gives the 980 / 490 / 367.5 / 122.5 GB online calculators print.
enum class ZeroConvention { paper, deepspeed, megatron, textbook };
inline constexpr int kZeroConventionCount = 4;

// One (GPU count, stage) cell of the analysis.
struct ZeroExplainRow {
  int gpus = 1;                               // N: data-parallel GPUs
  int stage = 0;                              // 0 = DP baseline, 1 = P_os, 2 = P_os+g, 3 = P_os+g+p
  Bytes model_state_bytes_per_gpu;            // paper (ZeRO Table 1)
  ZeroCommBytes comm_bytes_per_gpu;           // paper §7: per step of one micro-batch
  Bytes by_convention[kZeroConventionCount];  // model states per GPU, indexed by ZeroConvention
  // With gradient accumulation over K micro-batches (DeepSpeed: ZeRO-0/1 reduce
  // at the accumulation boundary, ZeRO-2/3 reduce every micro-batch in the
  // backward hooks, stage_1_and_2.py / stage3.py; ZeRO-3 gathers parameters in
  // every forward and backward; ZeRO-1/2 all-gather updated parameters once
  // after the optimizer step):
  ZeroCommBytes per_micro_batch;  // sent during each micro-batch's forward and backward
  ZeroCommBytes per_step;         // K x per_micro_batch + the boundary's
};

// An offload row: DeepSpeed's own estimator (estimate_zero2/3_model_states),
// model states only, CPU offload (DeepSpeed's estimators have no NVMe case).
struct ZeroOffloadRow {
  int gpus = 1;
  int stage = 2;
  bool params_offloaded = false;  // ZeRO-3 offload_param cpu (with offload_optimizer cpu)
  DeepSpeedEstimate estimate;     // GPU per GPU, host per node (zero_init, 1.5 buffer factor)
};

struct ZeroExplanation {
  std::int64_t params = 0;                // Ψ
  std::int64_t largest_layer_params = 0;  // Ψ_L (0 when only a count was given)
  int grad_accum = 1;                     // K micro-batches per step
  int gpus_per_node = 8;                  // for DeepSpeed's per-node host figures
  std::vector<ZeroExplainRow> rows;       // for each GPU count in input order, stages 0..3
  std::vector<ZeroOffloadRow> offload;    // for each GPU count: ZeRO-2 opt, ZeRO-3 opt, ZeRO-3 opt + params
};

struct ZeroExplainOptions {
  Precision precision = Precision::bf16;  // for the deepspeed and megatron columns
  int grad_accum = 1;
  std::int64_t largest_layer_params = 0;
  int gpus_per_node = 8;  // nodes = ceil(N / gpus_per_node); a GPU count below it is one partial node
};

// The table with every convention, the per-micro-batch and per-step traffic
// and the offload rows. Throws ConfigError on grad_accum or gpus_per_node < 1.
ZeroExplanation explain_zero(std::int64_t params, const std::vector<int>& gpus, const ZeroExplainOptions& o);

// "paper", "deepspeed", "megatron", "textbook".
std::string_view zero_convention_name(ZeroConvention c);

// Model-state bytes per GPU (paper §5.1, Table 1):
// stage 0: 16Ψ; 1: 4Ψ + 12Ψ/N; 2: 2Ψ + 14Ψ/N; 3: 16Ψ/N.
// Throws std::invalid_argument when gpus < 1 or stage is not 0..3.
Bytes zero_model_state_bytes(std::int64_t params, int gpus, int stage);

// Communication bytes per GPU per step (paper §7): stage 0 all-reduce
// 2Ψ(N−1)/N; stages 1-2 reduce-scatter + all-gather Ψ(N−1)/N each (DP's
// total); stage 3 reduce-scatter Ψ(N−1)/N + all-gather 2Ψ(N−1)/N (1.5× DP);
// elements × 2 bytes. Zero for N = 1. Throws as zero_model_state_bytes does.
ZeroCommBytes zero_comm_bytes(std::int64_t params, int gpus, int stage);

// The whole table: for each entry of `gpus` (each >= 1), stages 0..3.
ZeroExplanation explain_zero(std::int64_t params, const std::vector<int>& gpus);

// "DP", "ZeRO-1", "ZeRO-2", "ZeRO-3".
std::string_view zero_stage_name(int stage);

// One line saying what the stage shards and what that does to communication.
std::string_view zero_stage_why(int stage);

}  // namespace trainsim
