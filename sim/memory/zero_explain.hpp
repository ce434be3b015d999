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

namespace trainsim {

inline constexpr int kZeroStageCount = 4;  // stages 0 (DP baseline), 1, 2, 3

// Bytes each GPU sends in one step, by collective kind.
struct ZeroCommBytes {
  Bytes all_reduce;      // gradient all-reduce (DP baseline)
  Bytes reduce_scatter;  // gradient reduce-scatter (ZeRO-1/2/3)
  Bytes all_gather;      // parameter all-gather (ZeRO-1/2: after the step; ZeRO-3: forward + backward)

  Bytes total() const { return all_reduce + reduce_scatter + all_gather; }
};

// One (GPU count, stage) cell of the analysis.
struct ZeroExplainRow {
  int gpus = 1;   // N: data-parallel GPUs
  int stage = 0;  // 0 = DP baseline, 1 = P_os, 2 = P_os+g, 3 = P_os+g+p
  Bytes model_state_bytes_per_gpu;
  ZeroCommBytes comm_bytes_per_gpu;
};

struct ZeroExplanation {
  std::int64_t params = 0;           // Ψ
  std::vector<ZeroExplainRow> rows;  // for each GPU count in input order, stages 0..3
};

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
