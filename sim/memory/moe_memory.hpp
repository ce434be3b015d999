// Mixture-of-experts memory per GPU (issue 21), the parts memory_model.cpp
// adds for an MoE model (ModelSpec::is_moe()).
//
// Model states. A stage's parameters on one GPU split in two
// (sim/model/moe_params.hpp): the dense part (attention, norms, router,
// shared experts, dense MLPs, embedding, output layer, MTP's dense part) and
// the rank's routed experts, E / ep experts each split over etp. Megatron-core
// keeps them in separate buffers and shards them over different groups
// (megatron/core/distributed/distributed_data_parallel.py builds
// expert_parallel_buffers for params with allreduce = False, reduced over
// the expert-data-parallel group; megatron/core/optimizer/__init__.py
// get_megatron_optimizer builds a second DistributedOptimizer over
// parallel_state.get_expert_data_parallel_group()): the dense states
// per parameter as the convention says with N = dp x cp, the expert states
// with N = expert-dp = tp x cp x dp / (etp x ep) (model_states.hpp, the same
// bytes per parameter with that N). ZeRO-1/2/3 and the deepspeed and fsdp
// conventions take the same two groups (DeepSpeed-MoE reduces expert
// gradients over its expert-data-parallel group too, runtime/engine.py
// _reduce_expert_gradients).
//
// Activations of an MoE layer, per micro-batch, on one GPU (no recompute;
// full recompute keeps only the layer input, as a dense layer). T = s/cp x b
// tokens, / tp with sequence parallelism (Megatron-core requires it with
// TP and EP); the layer's attention, norms and the shared experts' MLP as a
// dense layer of FFN moe_shared_ffn (0: none), whose pre-MLP norm output is
// also the router's and the dispatcher's input; plus
//   router: the fp32 routing probabilities T x E (router.py: the score
//     function's output is kept for its backward) and the top-k indices
//     (int64) T x k;
//   routed tokens: N = T x k x etp x f copies on the GPU after dispatch
//     (token_dispatcher.py MoEAlltoAllTokenDispatcher: all-to-all over the EP
//     group, then an all-gather over the expert-tensor-parallel group; the
//     allgather dispatcher keeps the same local copies), each keeping the
//     expert FFN's input (h, the GEMM input element), its fc1 output (2F'/etp
//     SwiGLU or F'/etp, 16-bit) and the activation's output (F'/etp, GEMM
//     input element) (experts.py TEGroupedMLP: linear_fc1, activation_func,
//     linear_fc2 inputs) and the expert output (h, 16-bit), kept by the
//     probability-weighted combine (moe_utils.py unpermute multiplies the
//     expert outputs by their probabilities), with the permutation's int64
//     row map (moe_utils.py permute: sorted_indices);
//   f, the busiest GPU's routed load over the mean: its local experts (a
//     contiguous block of E / ep) at their loads relative to the mean,
//     averaged; a measured histogram (training.moe_token_histogram, shares x E)
//     or the busiest expert at moe_load_skew with the others of its GPU at the
//     mean; a capacity factor c > 0 caps each expert at c (tokens beyond
//     capacity dropped: moe_utils.py topk_routing_with_score_function with
//     capacity_factor); dropless (c = 0) takes the whole load.
// MLA (DeepSeek): the attention terms of activations.hpp with heads of
// qk_nope + qk_rope for queries and keys (one per query head), plus the
// compressed latents kept as the up-projections' inputs, e (s/cp) b
// (q_lora_rank + kv_lora_rank) per layer on every TP rank (the down
// projections are duplicated over TP, multi_latent_attention.py); the same for
// the dense layers of an MLA model.
// Working memory of the MoE backward: the gradients of the N routed copies
// (fc1 output width and h) next to the layer-gradient pair.
// Dispatch buffers (comm_buffers): the all-to-all's send buffer of the
// T x k permuted tokens and the combine's receive buffer (2 x e T k h), or
// for the allgather dispatcher the gathered tokens of the etp x ep group
// (e T etp ep h) and their routing map, live while one MoE layer runs.
#pragma once

#include <vector>

#include "sim/core/quantity.hpp"
#include "sim/model/activations.hpp"
#include "sim/model/moe_params.hpp"
#include "sim/model/stage_split.hpp"
#include "sim/spec/scenario.hpp"

namespace trainsim {

// The global index of the first layer of model chunk `chunk` of `stage`
// (virtual stage chunk x pp + stage, layers dealt in order).
int chunk_first_layer(const StageSplit& split, int stage, int chunk);

// Parameters one GPU of `stage` holds: its layers, the embedding (first
// stage), the output layer and the MTP modules (last stage).
RankParams moe_stage_params(const Scenario& s, const StageSplit& split, int stage);

// The busiest GPU's routed tokens over the mean (f above).
double moe_rank_load(const Scenario& s);

// Stored bytes of layers [first, first + count) for one micro-batch (MoE and
// dense layers alike), honouring recomputation.
Bytes moe_chunk_stored(const Scenario& s, const ActivationShape& shape, int first, int count);

// Transient bytes of the running backward of a chunk of `count` layers from `first`.
Bytes moe_chunk_working(const Scenario& s, const ActivationShape& shape, int first, int count);

// Dispatch buffers live while one MoE layer runs (0 when the stage has none).
Bytes moe_dispatch_buffers(const Scenario& s, const ActivationShape& shape);

// Routed token copies on the busiest GPU per MoE layer and micro-batch (N above).
double moe_routed_tokens(const Scenario& s, const ActivationShape& shape);

}  // namespace trainsim
