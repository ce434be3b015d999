// Roofline with measured efficiencies (op_cost.hpp); tables in efficiency.cpp.
#include "sim/cost/op_cost.hpp"

#include <algorithm>

#include "sim/cost/efficiency.hpp"
#include "sim/model/activations.hpp"

namespace trainsim {
namespace {

// Seconds to move `bytes` through HBM at the achieved bandwidth.
double hbm_time(double bytes, const GpuSpec& gpu) {
  if (bytes <= 0) return 0;
  return bytes / (gpu.hbm_bandwidth.value() * efficiency::hbm(gpu, bytes));
}

double compute_time(const Op& op, const GpuSpec& gpu, Precision precision) {
  if (op.flops <= 0) return 0;
  switch (op.kind) {
    case OpKind::gemm:
    case OpKind::batched_gemm: {
      // The unfused attention bmm runs in attention_precision; fp32 runs on TF32.
      Precision p = op.kind == OpKind::gemm ? precision : attention_precision(precision);
      double eff =
          efficiency::gemm(gpu, p, op.m, op.n, op.k, op.batch) * efficiency::sustained_in_training(gpu, precision);
      return eff > 0 ? op.flops / (gpu.peak(p).value() * eff) : 0;
    }
    case OpKind::attention: {
      double eff = efficiency::attention(gpu, op.seq_k, op.head_dim, op.causal) *
                   efficiency::sustained_in_training(gpu, precision);
      return op.flops / (gpu.peak(Precision::bf16).value() * eff);
    }
    case OpKind::memory: return 0;  // vector FLOPs never bind next to the bytes they move
  }
  return 0;
}

// GPU seconds and op count of one block and pass, before the host floor.
struct BlockSum {
  double gpu_s = 0;
  int ops = 0;
  void add(double s) {
    gpu_s += s;
    ++ops;
  }
  // Asynchronous launches: the host runs ahead and binds only when it is the
  // slower side. CUDA_LAUNCH_BLOCKING=1: each launch returns when its kernel
  // ends, so the host's time per op and the GPU's time add up.
  double time(double host_dispatch_s, bool blocking) const {
    return blocking ? gpu_s + ops * host_dispatch_s : std::max(gpu_s, ops * host_dispatch_s);
  }
};

// Per block (attention, mlp) and pass (forward, backward, recompute).
struct LayerSums {
  BlockSum forward[2], backward[2], recompute[2];
};

// Adds op's `s` seconds and its FLOPs to the block and pass it belongs to.
void add_layer_op(LayerSums& sums, LayerTimes& t, const Op& op, double s) {
  const int b = op.block == Block::attention ? 0 : 1;
  if (op.pass == Pass::backward) {
    sums.backward[b].add(s);
    t.backward_flops += op.flops;
    t.backward_block_flops[b] += op.flops;
    return;
  }
  sums.forward[b].add(s);
  t.forward_flops += op.flops;
  t.forward_block_flops[b] += op.flops;
  if (!op.recompute) return;
  sums.recompute[b].add(s);
  t.recompute_flops += op.flops;
  t.recompute_block_flops[b] += op.flops;
}

}  // namespace

double op_time(const Op& op, const GpuSpec& gpu, Precision precision) {
  if (op.flops <= 0 && op.bytes <= 0) return 0;
  double t = std::max(compute_time(op, gpu, precision), hbm_time(op.bytes, gpu));
  return t + efficiency::kLaunchOverheadS;
}

LayerTimes layer_times(const ModelSpec& m, const ActivationShape& shape, const GpuSpec& gpu, double host_dispatch_s,
                       bool launch_blocking) {
  return layer_times(m, shape, gpu, host_dispatch_s, launch_blocking, layer_kind(m, 0), MoeShape{});
}

LayerTimes layer_times(const ModelSpec& m, const ActivationShape& shape, const GpuSpec& gpu, double host_dispatch_s,
                       bool launch_blocking, LayerKind kind, const MoeShape& moe) {
  LayerTimes t;
  LayerSums sums;
  for (const Op& op : layer_ops(m, shape, kind, moe)) add_layer_op(sums, t, op, op_time(op, gpu, shape.precision));
  const double h = host_dispatch_s;
  const bool b = launch_blocking;
  t.attention_forward = sums.forward[0].time(h, b);
  t.mlp_forward = sums.forward[1].time(h, b);
  t.attention_backward = sums.backward[0].time(h, b);
  t.mlp_backward = sums.backward[1].time(h, b);
  t.attention_recompute = sums.recompute[0].time(h, b);
  t.mlp_recompute = sums.recompute[1].time(h, b);
  return t;
}

EdgeTimes edge_times(const ModelSpec& m, const ActivationShape& shape, const GpuSpec& gpu, double host_dispatch_s,
                     bool launch_blocking, const MoeShape& moe) {
  EdgeTimes t;
  BlockSum emb[2], out[2];  // [forward, backward]
  for (const Op& op : embedding_ops(m, shape)) {
    emb[op.pass == Pass::forward ? 0 : 1].add(op_time(op, gpu, shape.precision));
    t.embedding_flops += op.flops;
  }
  std::vector<Op> out_ops = output_ops(m, shape);
  for (const Op& op : mtp_ops(m, shape, moe)) out_ops.push_back(op);
  for (const Op& op : out_ops) {
    out[op.pass == Pass::forward ? 0 : 1].add(op_time(op, gpu, shape.precision));
    t.output_flops += op.flops;
  }
  t.embedding_forward = emb[0].time(host_dispatch_s, launch_blocking);
  t.embedding_backward = emb[1].time(host_dispatch_s, launch_blocking);
  t.output_forward = out[0].time(host_dispatch_s, launch_blocking);
  t.output_backward = out[1].time(host_dispatch_s, launch_blocking);
  return t;
}

double optimizer_step_time(double params, double bytes_per_param, const GpuSpec& gpu) {
  if (params <= 0 || bytes_per_param <= 0) return 0;
  return hbm_time(params * bytes_per_param, gpu) + efficiency::kLaunchOverheadS;
}

}  // namespace trainsim
