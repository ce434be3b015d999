// Everything the program builder needs about one step, computed once from the
// scenario: compute times (cost model or measured profile), communication
// times on each group's placement, message and memory sizes. A value: it
// refers to neither the scenario nor the CommCost it was made with.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "sim/core/quantity.hpp"
#include "sim/spec/scenario.hpp"
#include "sim/cost/op_cost.hpp"
#include "sim/memory/memory_model.hpp"
#include "sim/model/stage_split.hpp"
#include "sim/workload/comm_cost.hpp"
#include "sim/parallel/layout.hpp"
#include "sim/workload/offload_plan.hpp"
#include "sim/workload/program.hpp"

namespace trainsim {

struct StepPlan {
  StepPlan(Layout l, StageSplit sp) : layout(std::move(l)), split(std::move(sp)) {}

  Layout layout;
  StageSplit split;
  int micro_batches = 1;
  ActivationShape shape;  // one micro-batch on one GPU (recompute policy, kernels, precision)
  LayerTimes layer;       // compute (and FLOPs) per layer and micro-batch (the kind of layer 0)
  // Models whose layers differ (MoE and dense MLPs, sliding-window and full
  // attention; layer_ops.hpp LayerKind): the times of each kind, and each
  // layer's kind. layer_at(l) is the times of layer l (0-based, model-wide).
  LayerTimes kinds[kLayerKinds];
  std::vector<std::uint8_t> layer_kind;
  const LayerTimes& layer_at(int l) const {
    return l >= 0 && static_cast<std::size_t>(l) < layer_kind.size() ? kinds[layer_kind[l]] : layer;
  }
  // FLOPs (forward, backward, recompute) of layers first .. first + count - 1 for one micro-batch.
  double layer_flops(int first, int count) const {
    double f = 0;
    for (int l = first; l < first + count; ++l)
      f += layer_at(l).forward_flops + layer_at(l).backward_flops + layer_at(l).recompute_flops;
    return f;
  }
  // MoE (moe_plan.hpp): the placement and load the MoE layers are costed
  // under; the token dispatcher's collectives of one MoE layer and
  // micro-batch in each pass, in order, on the compute stream; whether an MoE
  // layer's MLP block keeps the TP all-gather / reduce-scatter of a dense one
  // (the shared experts' own, with sequence parallelism).
  MoeShape moe;
  GroupPlacement ep_group, etp_group, ep_tp_group, expert_dp_group;  // rank 0's (layout.hpp expert mesh)
  struct MoeCollective {
    GroupKind group = GroupKind::tp;
    CollectiveOp op = CollectiveOp::all_gather;
    Bytes bytes;
    Seconds seconds;
  };
  std::vector<MoeCollective> moe_forward, moe_backward;
  bool moe_block_tp = true;
  bool moe_layer(int l) const {
    return l >= 0 && static_cast<std::size_t>(l) < layer_kind.size() &&
           (layer_kind[l] & 1) != 0;  // LayerKind::index bit 0
  }
  EdgeTimes edges;

  // Tensor-parallel collectives of one block and pass (nccl-tests size = the full
  // b (s/cp) h activation); with SP an all-gather and a reduce-scatter, else an all-reduce.
  Bytes tp_bytes;
  Seconds tp_ar_s, tp_ag_s, tp_rs_s;
  GroupPlacement tp_group, shard_group, cp_group;
  // HSDP: the gradient all-reduce across replica groups after the
  // reduce-scatter (ranks 1 without HSDP); FSDP2 reshard_after_forward = N:
  // the backward all-gather's group of N ranks.
  GroupPlacement replicate_group, reshard_group;
  GroupPlacement embedding_group;  // first and last pipeline stage (tied-embedding gradients)
  GroupPlacement world_group;      // every GPU (gradient-norm all-reduce)
  // Context parallelism: K and V of one layer gathered in forward, their
  // gradients reduce-scattered in backward (ring attention).
  Bytes cp_bytes;
  Seconds cp_ag_s, cp_rs_s;
  // LoRA with TP > 1 (step_plan.cpp plan_lora_tp): the adapters' own TP
  // collectives, by block ([0] attention, [1] MLP) and pass ([0] forward, also
  // its recompute; [1] backward), blocking on the compute stream.
  struct TpCall {
    CollectiveOp op;
    Bytes bytes;
    Seconds seconds;
  };
  std::vector<TpCall> lora_tp[2][2];
  // FP8 (step_plan.cpp plan_fp8). Delayed scaling (TE DelayedScaling)
  // all-reduces (MAX) the amaxes a model chunk's forward recorded after its
  // forward, and its backward's after its backward, on amax_group;
  // tensorwise current scaling with SP all-reduces one amax over TP in each
  // block's pass; TE recipes cast the weights in each chunk's first
  // micro-batch and reuse the casts. Zero / empty = none.
  GroupPlacement amax_group;  // every rank of a pipeline stage: tp x cp x dp
  double amax_forward_bytes_per_layer = 0, amax_backward_bytes_per_layer = 0;
  Seconds amax_tp_s;
  Seconds fp8_weight_cast_layer_s;
  // Pipeline: bytes of one activation (or gradient) send and its time, per
  // stage boundary (index i: stage i -> i+1 and back), and wrap-around (pp-1 -> 0).
  Bytes p2p_bytes;
  bool p2p_blocking = false;   // the sender's compute stream waits for its send (Megatron unless overlapped; DeepSpeed)
  std::vector<Seconds> p2p_s;  // size pp; p2p_s[i] for the pair (i, (i + 1) % pp)
  // Megatron's scatter/gather of pipeline tensors (no SP, tp > 1): each TP rank
  // sends 1/tp of the activation and the receiving stage all-gathers it over TP
  // before use (p2p_communication: gather_split_1d_tensor); 0 when not used.
  Bytes p2p_gather_bytes;
  Seconds p2p_gather_s;

  // What runs beside compute: training.overlap_*, every one off with blocking
  // launches (training.cuda_launch_blocking); grad_reduction below says when
  // the gradient reductions are issued and whether each of them waits.
  OverlapOptions overlap;
  bool cp_overlapped = true;  // context parallelism's K/V exchange hides behind the attention block
  // When and how the gradients are reduced (step_plan.cpp plan_grad_reduction
  // has each framework's rule).
  struct GradReduction {
    bool in_backward = true;         // launched in buckets as the backward produces them, else
                                     // one reduction of everything after the last backward
    bool every_micro_batch = false;  // in every micro-batch's backward, not only the last one's
    bool blocking = false;           // the compute stream waits for each reduction it launches
    // FSDP with pipeline parallelism (sharding.hpp pipeline_defers_reduction):
    // no reduction before a chunk's last backward, then all of its gradients
    // reduced after that backward (post_backward of every parameter group).
    bool after_pass = false;
  } grad_reduction;

  // Data parallel.
  double grad_bytes_per_param = 2;  // reduced gradient element
  // ZeRO-1 under DeepSpeed's BF16_Optimizer: the fp32 gradients are all-reduced
  // whole (engine buffered_allreduce_fallback over get_grads_for_reduction()),
  // not reduce-scattered; each rank then updates its partition and all-gathers
  // the bf16 parameters. DeepSpeed runtime/pipe/engine.py _bf16_reduce_grads,
  // runtime/engine.py allreduce_gradients.
  bool grads_all_reduced = false;
  // HBM bytes per local parameter of the pass that folds each micro-batch's
  // 16-bit gradients into an fp32 accumulator after its backward (DeepSpeed's
  // BF16_Optimizer update_hp_grads: read the bf16 grad 2 B, read and write the
  // fp32 grad 4 + 4 B); 0 = none (Megatron accumulates into fp32 main_grad
  // inside the weight-gradient GEMM).
  double grad_accum_bytes_per_param = 0;
  double weight_bytes_per_param = 2;     // gathered parameter element
  double bucket_params = 0;              // gradient bucket size (parameters)
  double param_gather_bucket = 0;        // ZeRO-1/2 parameter all-gather bucket after the step (parameters)
  std::int64_t vocab_params = 0;         // embedding / output layer, one TP rank
  double optimizer_bytes_per_param = 0;  // HBM traffic of the optimizer step

  OffloadStep offload;  // CPU / NVMe offload traffic and rates (offload_plan.hpp)

  // Memory.
  MemoryResult memory;  // the analytic model (static states, buffers)
  // Activations of one micro-batch kept by a model chunk of L layers and the
  // transient of its backward: chunk_stored_activations / chunk_backward_working
  // (activations.hpp) of `shape`; layer_stored is one layer's (every layer
  // alike without partial recomputation).
  Bytes layer_stored;
  Bytes layer_working;
  Bytes embedding_stored, output_stored, output_working;
  Bytes stage_output_buffer;      // deepspeed convention: pipe-engine output kept until backward
  double allocator_overhead = 0;  // memory.allocator_overhead: a fraction of the activations in use
};

// Builds the plan, costing its collectives with `comm` (whose fallback
// warnings it may add to); throws ConfigError for an unreadable compute profile.
StepPlan make_step_plan(const Scenario& s, CommCost& comm);

}  // namespace trainsim
