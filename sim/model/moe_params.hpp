// Parameters one GPU holds of a mixture-of-experts model's layers, as
// Megatron-core shards them (issue 21): the dense part (attention, norms,
// router, shared experts, dense MLPs, embedding and output layer) over the
// tensor-parallel group and replicated over data parallelism; the routed
// experts split over expert parallelism (E / ep experts per rank) and each
// expert over expert tensor parallelism, replicated over the expert-data-
// parallel group. The distributed optimizer then shards the two parts over
// different groups (sim/memory/moe_memory.hpp).
//
// Per layer, on one rank (t = tp, u = etp):
//   attention, standard: Q, K, V weights and biases / t (column-parallel), the
//     output projection's weight / t, its bias replicated; Qwen2 Q/K/V biases
//     / t; q/k norms and GPT-OSS sinks (one per head) as the heads, / t for the
//     sinks, replicated for the norms.
//   attention, MLA (megatron/core/transformer/multi_latent_attention.py
//     MLASelfAttention): linear_q_down_proj and linear_kv_down_proj are built
//     with parallel_mode 'duplicated' (every TP rank holds them), with
//     q_layernorm and kv_layernorm; linear_q_up_proj (or linear_q_proj),
//     linear_kv_up_proj (column-parallel) and linear_proj (row-parallel) / t.
//   norms: the two layer norms, replicated.
//   dense MLP: matrices / t, the fc2 bias replicated.
//   MoE layer (megatron/core/transformer/moe/moe_layer.py MoELayer): the
//     router's weight E x h (+ biases, + expert bias) replicated on every rank
//     (router.py TopKRouter holds the full weight); the shared experts
//     (shared_experts.py SharedExpertMLP, a dense MLP over TP) / t, their gate
//     replicated; routed experts (experts.py TEGroupedMLP / SequentialMLP):
//     E / ep experts of the rank, each expert's matrices and fc1 bias / u, the
//     fc2 bias replicated over u.
// MTP (DeepSeek-V3, Megatron-core multi_token_prediction.py, on the last
// pipeline stage): enorm, hnorm and the final norm replicated, eh_proj
// (2h -> h) / t, and one transformer layer of the last layer's kind.
#pragma once

#include <cstdint>

#include "sim/spec/model_spec.hpp"

namespace trainsim {

struct RankParams {
  std::int64_t dense = 0;   // replicated over dp x cp, sharded over TP
  std::int64_t expert = 0;  // the rank's routed experts, replicated over expert-dp
  std::int64_t total() const { return dense + expert; }
  RankParams& operator+=(const RankParams& o) {
    dense += o.dense;
    expert += o.expert;
    return *this;
  }
};

// Attention and the two norms of one layer on one TP rank (see above).
std::int64_t attention_params_per_tp_rank(const ModelSpec& m, int tp);

// One transformer layer (index `layer`, 0-based) on one rank: dense when
// m.moe_layers[layer] is false (or the model is dense), else an MoE layer.
RankParams layer_params_per_rank(const ModelSpec& m, int layer, int tp, int etp, int ep);

// The MTP modules on one rank of the last stage (0 without MTP).
RankParams mtp_params_per_rank(const ModelSpec& m, int tp, int etp, int ep);

}  // namespace trainsim
