// The MoE part of a step plan (step_plan.hpp): the expert placement and load
// the layer ops are costed under, and the token dispatcher's collectives of
// one MoE layer on the expert-parallel group.
#pragma once

#include "sim/model/moe_ops.hpp"
#include "sim/spec/scenario.hpp"
#include "sim/workload/comm_cost.hpp"
#include "sim/workload/step_plan.hpp"

namespace trainsim {

// Placement and routing of the scenario's MoE layers (moe_ops.hpp MoeShape)
// from parallel.ep / parallel.etp (default tp, as Megatron-core's
// expert_tensor_parallel_size) and training.moe_*. Throws ConfigError for
// what Megatron-core refuses, MoE with tp > 1 and no sequence parallelism
// (moe_layer.py MoELayer.forward raises in training), and for what is not
// modelled: training.moe_a2a_overlap (--overlap-moe-expert-parallel-comm
// needs the combined 1F1B schedule of one micro-batch's forward beside
// another's backward).
MoeShape moe_shape(const Scenario& s);

// The token dispatcher's collectives of one MoE layer (StepPlan::moe_forward,
// moe_backward, moe_block_tp). Megatron-core MoEAlltoAllTokenDispatcher
// (token_dispatcher.py) with expert tensor parallelism > 1 all-gathers the
// permuted tokens over the ETP group after the dispatch
// (gather_from_sequence_parallel_region, dispatch_postprocess) and
// reduce-scatters the experts' output before the combine
// (reduce_scatter_to_sequence_parallel_region, combine_preprocess); the
// backward runs the reverse (a reduce-scatter, then an all-gather). Each
// carries etp x the GPU's routed copies x h (nccl-tests size), the busiest
// rank's rows under skew. The shared experts gather and scatter their own
// input over TP as a dense MLP does; a layer without them has no dense TP
// collective. The all-to-all dispatch and combine run over the EP group
// (ep > 1), sized by the busiest receiver; MoEAllGatherTokenDispatcher
// (training.moe_dispatcher allgather) all-gathers every rank's tokens over
// the tp x ep group and reduce-scatters the output instead.
void plan_moe(const Scenario& s, const ActivationShape& shape, CommCost& comm, StepPlan& p);

// Model FLOPs of one step of an MoE or MLA model, Megatron-LM's convention
// generalised as its num_floating_point_operations does for them
// (megatron/training/training.py: MoE layers count top-k routed experts and
// the shared ones, MLA its down and up projections, MTP its modules): 6 x
// tokens x the GEMM weights one token passes through (each layer's attention
// projections, the dense MLP or the router, top-k experts and shared experts;
// the output layer; each MTP module's eh_proj, layer and output layer) plus
// the attention scores and context, 6 x B s^2 x heads x (qk + v head width)
// per layer, counted without the causal or sliding-window saving as
// step_sim.hpp model_flops_per_step does for dense models.
double sparse_model_flops_per_step(const Scenario& s);

}  // namespace trainsim
