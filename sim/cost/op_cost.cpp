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
      double eff = efficiency::gemm(gpu, p, op.m, op.n, op.k, op.batch);
      return eff > 0 ? op.flops / (gpu.peak(p).value() * eff) : 0;
    }
    case OpKind::attention: {
      double eff = efficiency::attention(gpu, op.seq_k, op.head_dim, op.causal);
      return op.flops / (gpu.peak(Precision::bf16).value() * eff);
    }
    case OpKind::memory:
      return 0;  // vector FLOPs never bind next to the bytes they move
  }
  return 0;
}

// Adds op's `s` seconds and its FLOPs to the block and pass it belongs to.
void add_layer_op(LayerTimes& t, const Op& op, double s) {
  bool attn = op.block == Block::attention;
  if (op.pass == Pass::backward) {
    (attn ? t.attention_backward : t.mlp_backward) += s;
    t.backward_flops += op.flops;
    return;
  }
  (attn ? t.attention_forward : t.mlp_forward) += s;
  t.forward_flops += op.flops;
  if (!op.recompute) return;
  (attn ? t.attention_recompute : t.mlp_recompute) += s;
  t.recompute_flops += op.flops;
}

}  // namespace

double op_time(const Op& op, const GpuSpec& gpu, Precision precision) {
  if (op.flops <= 0 && op.bytes <= 0) return 0;
  double t = std::max(compute_time(op, gpu, precision), hbm_time(op.bytes, gpu));
  return t + efficiency::kLaunchOverheadS;
}

LayerTimes layer_times(const ModelSpec& m, const ActivationShape& shape, const GpuSpec& gpu) {
  LayerTimes t;
  for (const Op& op : layer_ops(m, shape)) add_layer_op(t, op, op_time(op, gpu, shape.precision));
  return t;
}

EdgeTimes edge_times(const ModelSpec& m, const ActivationShape& shape, const GpuSpec& gpu) {
  EdgeTimes t;
  for (const Op& op : embedding_ops(m, shape)) {
    (op.pass == Pass::forward ? t.embedding_forward : t.embedding_backward) += op_time(op, gpu, shape.precision);
    t.embedding_flops += op.flops;
  }
  for (const Op& op : output_ops(m, shape)) {
    (op.pass == Pass::forward ? t.output_forward : t.output_backward) += op_time(op, gpu, shape.precision);
    t.output_flops += op.flops;
  }
  return t;
}

double optimizer_step_time(double params, double bytes_per_param, const GpuSpec& gpu) {
  if (params <= 0 || bytes_per_param <= 0) return 0;
  return hbm_time(params * bytes_per_param, gpu) + efficiency::kLaunchOverheadS;
}

}  // namespace trainsim
