// Durations of operations on a GPU: a roofline with measured efficiencies.
//
//   time = max(FLOPs / (peak x efficiency), bytes / (HBM bandwidth x hbm efficiency))
//          + launch overhead
//
// The efficiency tables (efficiency.hpp) come from docs/reference/hardware.md §4;
// each cites its table. FP8 GEMMs use the FP8 peak and their own efficiency.
#pragma once

#include "sim/model/layer_ops.hpp"
#include "sim/spec/gpu_spec.hpp"

namespace trainsim {

// Seconds one op takes on `gpu` when the GEMMs run in `precision`.
double op_time(const Op& op, const GpuSpec& gpu, Precision precision);

// Compute time of one transformer layer for one micro-batch on one GPU, by
// block and pass, in seconds, and the FLOPs behind them. TP communication is
// not included (the workload puts it between the blocks).
struct LayerTimes {
  double attention_forward = 0;
  double mlp_forward = 0;
  double attention_backward = 0;   // without recompute
  double mlp_backward = 0;         // without recompute
  double attention_recompute = 0;  // forward ops re-run in backward (recompute policy)
  double mlp_recompute = 0;
  // FLOPs this GPU executes for the layer and micro-batch: forward ops,
  // backward ops (without recompute), and the forward ops with `recompute`
  // set (re-run in backward). A measured profile (apply_profile) replaces the
  // times only; these stay the model's.
  double forward_flops = 0, backward_flops = 0, recompute_flops = 0;
  // The same by block, [0] attention and [1] MLP (the trace's "L12 attn fwd" spans).
  double forward_block_flops[2] = {0, 0}, backward_block_flops[2] = {0, 0}, recompute_block_flops[2] = {0, 0};
  double forward() const { return attention_forward + mlp_forward; }
  double backward() const { return attention_backward + mlp_backward; }
  double recompute() const { return attention_recompute + mlp_recompute; }
};
//
// Host dispatch floor: the framework (PyTorch eager, Megatron/DeepSpeed
// Python) spends `host_dispatch_s` of CPU time to issue each op, and the GPU
// cannot run ahead of the host, so each block and pass takes
// max(sum of its ops' GPU times, ops x host_dispatch_s). It binds for small
// per-GPU work (short sequences, small hidden sizes, large TP); 0 disables it
// (CUDA graphs). The figure is the scenario key training.host_dispatch_time.
// With `launch_blocking` (CUDA_LAUNCH_BLOCKING=1, training.cuda_launch_blocking)
// every launch waits for its kernel, so a block takes the sum instead:
// GPU times + ops x host_dispatch_s.
LayerTimes layer_times(const ModelSpec& m, const ActivationShape& shape, const GpuSpec& gpu, double host_dispatch_s = 0,
                       bool launch_blocking = false);
// The same for a layer of kind `kind` under the MoE placement `moe` (layer_ops.hpp).
LayerTimes layer_times(const ModelSpec& m, const ActivationShape& shape, const GpuSpec& gpu, double host_dispatch_s,
                       bool launch_blocking, LayerKind kind, const MoeShape& moe);

// Embedding (first stage) and output layer + loss (last stage), seconds per
// micro-batch, and the FLOPs this GPU executes for them, forward + backward
// (never recomputed; apply_profile keeps them).
struct EdgeTimes {
  double embedding_forward = 0;
  double embedding_backward = 0;
  double output_forward = 0;
  double output_backward = 0;
  double embedding_flops = 0, output_flops = 0;
};
// The output side includes the MTP modules (layer_ops.hpp mtp_ops) under `moe`.
EdgeTimes edge_times(const ModelSpec& m, const ActivationShape& shape, const GpuSpec& gpu, double host_dispatch_s = 0,
                     bool launch_blocking = false, const MoeShape& moe = {});

// Optimizer step over `params` local parameters: memory-bound, `bytes_per_param`
// of HBM traffic each (Adam with fp32 master weights: read grad, param, m, v;
// write param, m, v, and the 16-bit copy), at the GPU's achieved HBM bandwidth.
double optimizer_step_time(double params, double bytes_per_param, const GpuSpec& gpu);

}  // namespace trainsim
