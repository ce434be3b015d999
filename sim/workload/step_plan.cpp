#include "sim/workload/step_plan.hpp"

#include <algorithm>

#include "sim/cost/compute_profile.hpp"
#include "sim/memory/model_states.hpp"
#include "sim/model/activations.hpp"
#include "sim/model/params.hpp"
#include "sim/spec/framework_profile.hpp"
#include "sim/spec/sharding.hpp"
#include "sim/workload/moe_plan.hpp"

namespace trainsim {
namespace {

// HBM bytes the optimizer touches per local parameter. Mixed-precision Adam
// reads the fp32 gradient, master weight and two moments (16 B), writes master
// and moments (12 B) and the 16-bit working copy (2 B); fp32 Adam has no copy
// (28 B); SGD with momentum reads g, p, m (12 B), writes p, m (8 B) + copy.
double optimizer_traffic(const TrainingPlan& t) {
  const bool fp32 = t.precision == Precision::fp32;
  if (t.optimizer == OptimizerKind::sgd) return fp32 ? 20 : 22;
  return fp32 ? 28 : 30;
}

// CUDA graphs (training.cuda_graphs): Megatron-core captures each
// TransformerLayer's forward and backward (megatron/core/transformer/
// cuda_graphs.py CudaGraphManager, --enable-cuda-graph; TE
// make_graphed_callables for --external-cuda-graph), so the layers replay
// without per-op host dispatch; the embedding, the loss, the collectives
// between stages and the optimizer step stay outside the graphs.
// training.cuda_graph_scope (--cuda-graph-scope) narrows or widens what is
// captured: attn / mlp only that block of each layer (TransformerLayer.
// _forward_attention / _forward_mlp), the other block dispatched op by op;
// full_iteration the whole forward-backward with the embedding and the loss.
// Layers of different kinds (layer_ops.hpp LayerKind) are costed once per
// kind present; a measured profile gives every layer its per-layer times.
LayerTimes scoped_layer_times(const Scenario& s, const ActivationShape& shape, LayerKind k, const MoeShape& moe) {
  const GpuSpec& gpu = s.cluster.node.gpu;
  const double host_s = s.training.host_dispatch_s;
  const bool blocking = s.training.launch_blocking;
  const CudaGraphScope scope = s.training.cuda_graph_scope;
  const bool graphs = s.training.cuda_graphs;
  LayerTimes t = layer_times(s.model, shape, gpu, graphs ? 0 : host_s, blocking, k, moe);
  if (graphs && (scope == CudaGraphScope::attn || scope == CudaGraphScope::mlp)) {
    const LayerTimes eager = layer_times(s.model, shape, gpu, host_s, blocking, k, moe);
    if (scope == CudaGraphScope::attn) {
      t.mlp_forward = eager.mlp_forward;
      t.mlp_backward = eager.mlp_backward;
      t.mlp_recompute = eager.mlp_recompute;
    } else {
      t.attention_forward = eager.attention_forward;
      t.attention_backward = eager.attention_backward;
      t.attention_recompute = eager.attention_recompute;
    }
  }
  return t;
}

void plan_compute(const Scenario& s, const ActivationShape& shape, StepPlan& p) {
  const GpuSpec& gpu = s.cluster.node.gpu;
  const bool whole = s.training.cuda_graphs && s.training.cuda_graph_scope == CudaGraphScope::full_iteration;
  p.layer = scoped_layer_times(s, shape, layer_kind(s.model, 0), p.moe);
  p.edges = edge_times(s.model, shape, gpu, whole ? 0 : s.training.host_dispatch_s, s.training.launch_blocking, p.moe);
  bool present[kLayerKinds] = {false, false, false, false};
  p.layer_kind.resize(static_cast<std::size_t>(s.model.layers));
  for (int l = 0; l < s.model.layers; ++l) {
    const LayerKind k = layer_kind(s.model, l);
    p.layer_kind[static_cast<std::size_t>(l)] = static_cast<std::uint8_t>(k.index());
    if (!present[k.index()]) p.kinds[k.index()] = scoped_layer_times(s, shape, k, p.moe);
    present[k.index()] = true;
  }
  if (!s.training.compute_profile.empty()) {
    ComputeProfile prof = load_compute_profile(s.training.compute_profile);
    p.layer = apply_profile(prof, p.layer);
    p.edges = apply_profile(prof, p.edges);
    for (LayerTimes& t : p.kinds) t = p.layer;
  }
}

// Seconds of one collective on the compute stream: the network model's time,
// plus one op's host time when launches block (CUDA_LAUNCH_BLOCKING=1: the
// host issues the next op only once the collective has ended).
Seconds stream_collective_s(const Scenario& s, CommCost& comm, CollectiveOp op, Bytes bytes, const GroupPlacement& g) {
  return comm.time(op, bytes, g) + Seconds(s.training.launch_blocking ? s.training.host_dispatch_s : 0);
}

// What runs beside compute: the scenario's overlap options, none of them with
// blocking launches (each launch returns only when its kernel has ended).
void plan_overlap(const Scenario& s, StepPlan& p) {
  p.overlap = s.training.overlap;
  if (!s.training.launch_blocking) return;
  p.overlap.tp_comm = p.overlap.param_gather = p.overlap.p2p = false;
  p.cp_overlapped = false;
}

// When the gradients are reduced, from the frameworks' code.
//  Megatron DDP / distributed optimizer: in buckets during the last
//  micro-batch's backward with overlap_grad_reduce, else all of them after it
//  (finalize_model_grads).
//  DeepSpeed (v0.19.5, runtime/engine.py allreduce_gradients and
//  zero/stage_1_and_2.py, zero/stage3.py):
//  - ZeRO-0 and BF16_Optimizer: the engine all-reduces at the accumulation
//    boundary after the backward (buffered_allreduce_fallback), overlap_comm
//    unused.
//  - ZeRO-1: gradient hooks exist only with overlap_comm (process_gradients:
//    partition_gradients or overlap_comm) and reduce only at the boundary
//    (reduce_ready_partitions_and_remove_grads); without it reduce_gradients
//    reduces them after the boundary's backward.
//  - ZeRO-2/3: the hooks reduce every micro-batch's gradients in
//    reduce_bucket_size buckets (partition_gradients; stage3.py always);
//    overlap_comm only picks the stream: the side reduction_stream /
//    reduce_and_partition_stream, or without it the current (compute) stream,
//    which waits for each reduction (average_tensor, stage3 __init__).
//  FSDP2 (fsdp convention; torch/distributed/fsdp/_fully_shard/_fsdp_state.py
//  _post_backward hook, _fsdp_param_group.py post_backward): each parameter
//  group's gradients are reduce-scattered as its backward ends, on FSDP's
//  reduce-scatter stream, in every micro-batch: torchtitan's train_step runs
//  the micro-batches' forward_backward_step without no_sync or
//  set_requires_gradient_sync(False) (torchtitan/train.py); its DDP path
//  (replicate) all-reduces in every backward too.
//  With pipeline parallelism and sharded gradients every framework defers
//  the reduction to each chunk's last backward (pipeline_defers_reduction).
void fsdp_grad_reduction(const Scenario& s, StepPlan::GradReduction& g) {
  g.in_backward = true;
  g.every_micro_batch = s.parallel.pp == 1;
  g.blocking = false;
}

void plan_grad_reduction(const Scenario& s, StepPlan& p) {
  StepPlan::GradReduction& g = p.grad_reduction;
  const int zero = s.parallel.zero_stage;
  const bool on = s.training.overlap.grad_reduce;
  if (s.memory.convention == MemoryConvention::deepspeed) {
    g.in_backward = zero >= 2 || (zero == 1 && on && !p.grads_all_reduced);
    g.every_micro_batch = zero >= 2;
    g.blocking = zero >= 2 && !on;
  } else if (s.memory.convention == MemoryConvention::fsdp) {
    fsdp_grad_reduction(s, g);
  } else {
    g.in_backward = on;
    g.every_micro_batch = on && zero >= 2;
  }
  if (pipeline_defers_reduction(s)) {
    g.in_backward = true;
    g.every_micro_batch = false;
    g.after_pass = true;
  }
  if (s.training.launch_blocking) g.blocking = true;
}

void plan_groups(const Scenario& s, const ActivationShape& shape, CommCost& comm, StepPlan& p) {
  const double e = activation_element_bytes(shape.precision);
  const double tokens = static_cast<double>(shape.seq_len) / shape.cp * shape.micro_batch;
  p.tp_group = p.layout.placement(p.layout.group(Dim::tp, 0));
  p.cp_group = p.layout.placement(p.layout.group(Dim::cp, 0));
  p.shard_group = p.layout.placement(p.layout.shard_group(0));
  p.replicate_group = p.layout.placement(p.layout.replicate_group(0));
  p.reshard_group = p.layout.placement(p.layout.reshard_group(0));
  const std::vector<int> stages = p.layout.group(Dim::pp, 0);
  p.embedding_group = p.layout.placement({stages.front(), stages.back()});
  // Ranks are node-major and dense: every node but possibly the last is full.
  p.world_group = {p.layout.world(), p.layout.node(p.layout.world() - 1) + 1,
                   std::min(p.layout.world(), p.layout.gpus_per_node())};
  p.tp_bytes = Bytes(tokens * s.model.hidden * e);
  p.tp_ar_s = stream_collective_s(s, comm, CollectiveOp::all_reduce, p.tp_bytes, p.tp_group);
  p.tp_ag_s = stream_collective_s(s, comm, CollectiveOp::all_gather, p.tp_bytes, p.tp_group);
  p.tp_rs_s = stream_collective_s(s, comm, CollectiveOp::reduce_scatter, p.tp_bytes, p.tp_group);
  const double kv_per_rank = 2.0 * tokens * s.model.kv_heads * s.model.head_dim * e / s.parallel.tp;
  p.cp_bytes = Bytes(kv_per_rank * s.parallel.cp);
  p.cp_ag_s = stream_collective_s(s, comm, CollectiveOp::all_gather, p.cp_bytes, p.cp_group);
  p.cp_rs_s = stream_collective_s(s, comm, CollectiveOp::reduce_scatter, p.cp_bytes, p.cp_group);
}

// LoRA adapters on TP-sharded projections (training.peft: lora, tp > 1), as
// Megatron-Bridge builds them (src/megatron/bridge/peft/utils.py
// ParallelLinearAdapter, with Megatron-core's ColumnParallelLinear /
// RowParallelLinear): y += B A x with T tokens of the micro-batch (the full
// sequence: the adapter reads the gathered layernorm output), rank r, e bytes
// per element, hidden h, each collective on the TP group:
//  column-parallel targets (linear_qkv, linear_fc1): A is ColumnParallel with
//   gather_output: forward all-gather of A x (T r); B is ColumnParallel on the
//   replicated A x: backward all-reduce of its input gradient (T r); A's own
//   input-gradient all-reduce (T h) unless sequence parallel
//   (disable_grad_reduce = sequence_parallel);
//  row-parallel targets (linear_proj, linear_fc2): A is RowParallel: forward
//   all-reduce of A x (T r); B is ColumnParallel with gather_output: forward
//   all-gather of its output (T h; with SP then split, no traffic); backward
//   all-reduce of B's input gradient (T r).
void plan_lora_tp(const Scenario& s, const ActivationShape& shape, CommCost& comm, StepPlan& p) {
  const FineTuning& f = s.training.finetune;
  if (!f.lora() || s.parallel.tp < 2) return;
  const double e = activation_element_bytes(shape.precision);
  const double tokens = static_cast<double>(shape.seq_len) / shape.cp * shape.micro_batch;
  const Bytes low(tokens * f.lora_rank * e), wide(tokens * s.model.hidden * e);
  const auto add = [&comm, &p](int block, int pass, CollectiveOp op, Bytes b) {
    p.lora_tp[block][pass].push_back({op, b, comm.time(op, b, p.tp_group)});
  };
  const unsigned column[2] = {kLoraQkv, kLoraFc1}, row[2] = {kLoraProj, kLoraFc2};
  for (int block = 0; block < 2; ++block) {
    if (f.targets(column[block])) {
      add(block, 0, CollectiveOp::all_gather, low);
      add(block, 1, CollectiveOp::all_reduce, low);
      if (!s.parallel.sequence_parallel) add(block, 1, CollectiveOp::all_reduce, wide);
    }
    if (f.targets(row[block])) {
      add(block, 0, CollectiveOp::all_reduce, low);
      add(block, 0, CollectiveOp::all_gather, wide);
      add(block, 1, CollectiveOp::all_reduce, low);
    }
  }
}

void plan_p2p(const Scenario& s, const ActivationShape& shape, CommCost& comm, StepPlan& p) {
  const double e = activation_element_bytes(shape.precision);
  // Megatron sends b (s/cp) h per micro-batch, split over TP (scatter-gather, or already split by SP);
  // DeepSpeed's PipelineEngine sends the whole tensor from every TP rank (pipe/engine.py _exec_send_activations).
  const int split =
      s.parallel.pipeline_engine == PipelineEngine::deepspeed && !s.parallel.sequence_parallel ? 1 : s.parallel.tp;
  p.p2p_bytes = Bytes(e * shape.seq_len / shape.cp * shape.micro_batch * s.model.hidden / split);
  // Megatron's p2p_communication waits for each send and receive (req.wait(),
  // and torch.cuda.synchronize() after batch_isend_irecv) unless the
  // interleaved schedule runs with --overlap-p2p-communication; DeepSpeed's
  // PipelineEngine always blocks.
  const bool overlapped = p.overlap.p2p && s.parallel.vp > 1;
  p.p2p_blocking = s.parallel.pipeline_engine == PipelineEngine::deepspeed || !overlapped;
  if (split > 1 && !s.parallel.sequence_parallel && s.parallel.pp > 1) {
    p.p2p_gather_bytes = p.p2p_bytes * split;
    p.p2p_gather_s = stream_collective_s(s, comm, CollectiveOp::all_gather, p.p2p_gather_bytes, p.tp_group);
  }
  const int pp = s.parallel.pp;
  p.p2p_s.assign(pp, Seconds(0));
  RankCoord c = p.layout.coord(0);
  for (int i = 0; i < pp && pp > 1; ++i) {
    RankCoord a = c, b = c;
    a.pp = i;
    b.pp = (i + 1) % pp;
    bool same = p.layout.node(p.layout.rank(a)) == p.layout.node(p.layout.rank(b));
    p.p2p_s[i] = comm.send_time(p.p2p_bytes, same);
  }
}

// Gradient reduction dtype under the deepspeed convention: the engine's
// communication_data_type (deepspeed/runtime/engine.py: the config's
// communication_data_type, else fp16 under fp16, bf16 under bf16, else fp32).
// Every path casts to it before reducing: engine.allreduce_bucket (ZeRO-0 and
// BF16_Optimizer, whose fp32 gradient buffers get_grads_for_reduction hands
// over, bf16_optimizer.py), stage_1_and_2.py gradient_reduction_w_predivide and
// its ipg buckets keyed by communication_data_type (ZeRO-1/2, CPU offload
// included), stage3.py __avg_scatter_grads (ZeRO-3). A ds_config's own
// communication_data_type is not modelled yet: the default applies.
void plan_dp(const Scenario& s, StepPlan& p) {
  ModelStateOptions o = model_state_options(s);
  const Precision prec = s.training.precision;
  const bool fp32 = prec == Precision::fp32;
  if (s.memory.convention != MemoryConvention::deepspeed && s.training.grad_bytes > 0)
    p.grad_bytes_per_param = s.training.grad_bytes;  // training.grad_dtype
  else if (s.memory.convention == MemoryConvention::fsdp)
    p.grad_bytes_per_param = 4;  // torchtitan mixed_precision_reduce "float32": MixedPrecisionPolicy reduce_dtype
  else if (s.memory.convention == MemoryConvention::megatron)
    p.grad_bytes_per_param = prec == Precision::fp16 ? 2 : 4;  // bf16 forces fp32 grad reduction (arguments.py)
  else  // DeepSpeed reduces in communication_data_type at every stage, offload or not (see above)
    p.grad_bytes_per_param = fp32 ? 4 : 2;
  p.grads_all_reduced = s.memory.convention == MemoryConvention::deepspeed && uses_bf16_optimizer(o);
  p.grad_accum_bytes_per_param = p.grads_all_reduced ? 2 + 4 + 4 : 0;
  p.weight_bytes_per_param = fp32 ? 4 : 2;
  const double shard = static_cast<double>(s.parallel.dp) * s.parallel.cp;
  // The megatron convention's buckets follow the framework profile's DDP rule
  // (ddp_bucket_rule); a framework without one that runs the megatron
  // convention takes Megatron-core's.
  DdpBucketRule rule = ddp_bucket_rule(s.framework);
  if (rule.empty()) rule = ddp_bucket_rule(Framework::megatron_core);
  p.bucket_params = s.memory.convention == MemoryConvention::megatron ? rule.elements(static_cast<int>(shard))
                                                                      : s.memory.reduce_bucket_elements;
  p.param_gather_bucket =
      s.memory.convention == MemoryConvention::megatron ? p.bucket_params : s.memory.allgather_bucket_elements;
  p.vocab_params = vocab_params_per_tp_rank(s.model, s.parallel.tp);
  p.optimizer_bytes_per_param = optimizer_traffic(s.training);
}

// FP8 amax reductions and weight casts (StepPlan).
//  delayed: Transformer Engine's reduce_and_update_fp8_tensors
//  (transformer_engine/pytorch/quantization.py FP8GlobalStateManager; fp8.py
//  before TE 2.2) concatenates the amaxes of an autocast region and
//  all-reduces them (ReduceOp.MAX, async_op=False) over the region's
//  fp8_group at the outermost autocast exit (forward) and in the backward of
//  its first module (backward). Megatron-core opens one autocast per
//  TransformerBlock forward (megatron/core/transformer/transformer_block.py)
//  with fp8_group = parallel_state.get_amax_reduction_group(
//  with_context_parallel=True), the tensor-and-data-parallel group with CP.
//  A GEMM's forward records 3 amaxes (input, weight, output), its backward 2
//  (grad output, grad input); 4 GEMMs a layer; fp32 each.
//  tensorwise (TE Float8CurrentScaling): a sequence-parallel input of a
//  column-parallel GEMM (QKV, FC1) and the grad output of a row-parallel one
//  (projection, FC2) are all-gathered in FP8, so their amax is all-reduced
//  over TP first (module/linear.py, layernorm_linear.py, layernorm_mlp.py
//  _customize_quantizers_float8_current_scaling: with_amax_reduction over
//  tp_group; torchao/float8/float8_tensor_parallel.py Float8ColwiseParallel
//  likewise): one per block and pass.
//  rowwise, blockwise, mxfp8: local scales, no reduction.
//  TE recipes cast each layer's weights in the first micro-batch (read the
//  16-bit weight, write the cache; tensorwise reads it once more for its
//  amax) and reuse them (activations.hpp fp8_weight_cache_bytes).
void plan_fp8(const Scenario& s, const ActivationShape& shape, CommCost& comm, StepPlan& p) {
  if (shape.precision == Precision::fp4) {
    // NVFP4 weights: the amax read, the read of the cast and the cache write
    // (weight_cache_bytes), once per step in the first micro-batch. The
    // per-tensor amax is local (no delayed-scaling reduction is modelled).
    const double w = static_cast<double>(linear_weights_per_tp_rank(s.model, s.parallel.tp));
    const double cache = weight_cache_bytes(Precision::fp4, shape.fp8_recipe);
    p.fp8_weight_cast_layer_s = Seconds(optimizer_step_time(w, 4 + cache, s.cluster.node.gpu));
    return;
  }
  if (shape.precision != Precision::fp8) return;
  constexpr double kAmax = 4, kGemms = 4;
  const Fp8Recipe r = shape.fp8_recipe;
  p.amax_group = p.layout.placement(p.layout.stage_group(0));
  if (r == Fp8Recipe::delayed && p.amax_group.ranks > 1) {
    p.amax_forward_bytes_per_layer = 3 * kGemms * kAmax;
    p.amax_backward_bytes_per_layer = 2 * kGemms * kAmax;
  }
  if (r == Fp8Recipe::tensorwise && shape.sequence_parallel)
    p.amax_tp_s = stream_collective_s(s, comm, CollectiveOp::all_reduce, Bytes(kAmax), p.tp_group);
  const double cache = fp8_weight_cache_bytes(r);
  if (cache <= 0) return;
  const double w = static_cast<double>(linear_weights_per_tp_rank(s.model, s.parallel.tp));
  const double read = r == Fp8Recipe::tensorwise ? 4 : 2;
  p.fp8_weight_cast_layer_s = Seconds(optimizer_step_time(w, read + cache, s.cluster.node.gpu));
}

void plan_memory(const Scenario& s, const ActivationShape& shape, StepPlan& p) {
  p.memory = compute_memory(s);
  p.layer_stored = stored_layer_activations(s.model, shape).total();
  p.layer_working = layer_backward_working(s.model, shape);
  p.embedding_stored = embedding_activations(s.model, shape);
  p.output_stored = output_activations(s.model, shape);
  p.output_working = output_working(s.model, shape);
  p.allocator_overhead = s.memory.allocator_overhead;
  if (s.memory.convention == MemoryConvention::deepspeed) {
    const double e = activation_element_bytes(shape.precision);
    const double sp = shape.sequence_parallel ? shape.tp : 1;
    p.stage_output_buffer = Bytes(e * shape.seq_len / shape.cp * shape.micro_batch * s.model.hidden / sp);
  }
}

}  // namespace

StepPlan make_step_plan(const Scenario& s, CommCost& comm) {
  StepPlan p(Layout(s.parallel, s.cluster.node.gpus, s.parallel.order),
             split_layers(s.model.layers, s.parallel.pp, s.parallel.vp, s.parallel.embedding_in_pp_split));
  p.micro_batches = s.num_micro_batches();
  const ActivationShape shape = activation_shape(s);
  p.shape = shape;
  p.moe = moe_shape(s);
  plan_compute(s, shape, p);
  plan_overlap(s, p);
  plan_groups(s, shape, comm, p);
  plan_moe(s, shape, comm, p);
  plan_p2p(s, shape, comm, p);
  plan_lora_tp(s, shape, comm, p);
  plan_fp8(s, shape, comm, p);
  plan_dp(s, p);
  plan_grad_reduction(s, p);
  p.offload = plan_offload(s, p.shard_group.nodes > 1);
  for (int i = 0; i < s.parallel.pp; ++i)
    p.offload.stage_tensors.push_back(static_cast<double>(
        stage_param_tensors(s.model, p.split.layers(i), i == 0, i == s.parallel.pp - 1, s.parallel.pp)));
  plan_memory(s, shape, p);
  return p;
}

}  // namespace trainsim
