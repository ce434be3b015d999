// The mixture-of-experts layer as Megatron-core runs it (megatron/core/
// transformer/moe/): router (router.py TopKRouter: a GEMM to one logit per
// expert, softmax or sigmoid, top-k), token permutation (moe_utils.py
// permute / unpermute, memory-bound gathers and scatters), the token
// dispatcher's all-to-all or all-gather over the expert-parallel group
// (token_dispatcher.py; the collectives are sim/workload's), the local
// experts' FFNs as one grouped GEMM per matrix (experts.py TEGroupedMLP /
// GroupedMLP, moe_grouped_gemm) or one GEMM per expert (SequentialMLP), and
// the shared experts (shared_experts.py) as a dense MLP beside them.
//
// Routing is dropless unless the card gives a capacity factor; the busiest
// EP rank sets the pace (every rank waits for it at the combine), so the
// ops describe that rank: its local experts' rows under the load given by
// training.moe_load_skew or training.moe_token_histogram.
#pragma once

#include <vector>

#include "sim/model/activations.hpp"
#include "sim/spec/model_spec.hpp"

namespace trainsim {

// Expert placement and routing of a step (parallel.ep / parallel.etp,
// training.moe_*).
struct MoeShape {
  int ep = 1;                     // expert-parallel size: experts / ep local experts per GPU
  int etp = 1;                    // expert tensor-parallel size: each expert's FFN split over etp
  bool grouped_gemm = true;       // moe_grouped_gemm: one grouped GEMM per matrix, else one GEMM per expert
  double skew = 1;                // busiest expert's tokens over the mean (1 = uniform)
  std::vector<double> histogram;  // per-expert token shares (any scale); overrides skew when non-empty
};

// The routed rows of one MoE layer and micro-batch.
struct ExpertLoad {
  double sent_rows = 0;      // token copies each GPU dispatches: tokens x top-k (its MoE input tokens)
  int local_experts = 1;     // experts / ep
  std::vector<double> rows;  // rows each local expert of the busiest EP rank computes (after the ETP gather)
  double busiest_share = 0;  // that rank's share of all the routed copies (1 / ep when uniform)
  double total_rows() const;
};

// Each expert's share of the routed tokens (sums to 1): the histogram, or
// under skew s the busiest expert s / E and the others (1 - s / E) / (E - 1).
std::vector<double> expert_shares(const ModelSpec& m, const MoeShape& moe);

// The load of the busiest EP rank, experts placed contiguously (rank r holds
// experts r E/ep .. (r+1) E/ep - 1, Megatron-core local_expert_indices). With
// a capacity factor cf each rank keeps at most cf x (its copies) / E rows per
// expert (router.py apply_input_jitter aside: moe_utils.py topk_softmax_with_capacity).
ExpertLoad busiest_rank_load(const ModelSpec& m, const ActivationShape& shape, const MoeShape& moe);

}  // namespace trainsim
