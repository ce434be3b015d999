// MoE placement of a step (moe_plan.hpp).
#include "sim/workload/moe_plan.hpp"

#include "sim/core/error.hpp"

namespace trainsim {

namespace {

// GEMM weights a token passes through in layer `l`.
double layer_gemm_weights(const ModelSpec& m, int l) {
  const double h = m.hidden, a = m.heads;
  const double glu = m.mlp == MlpKind::swiglu ? 3 : 2;
  double attn = 0;
  if (m.is_mla()) {
    const double qk = 1.0 * m.qk_nope_head_dim + m.qk_rope_head_dim;
    attn = (m.q_lora_rank > 0 ? h * m.q_lora_rank + m.q_lora_rank * a * qk : h * a * qk) +
           h * (1.0 * m.kv_lora_rank + m.qk_rope_head_dim) +
           m.kv_lora_rank * a * (1.0 * m.qk_nope_head_dim + m.v_head_dim) + a * m.v_head_dim * h;
  } else {
    attn = h * (a + 2.0 * m.kv_heads) * m.head_dim + a * m.head_dim * h;
  }
  if (!layer_kind(m, l).moe) return attn + glu * h * m.ffn;
  double moe = m.moe_experts * h + m.moe_topk * glu * h * m.moe_ffn;
  if (m.moe_shared_ffn > 0) moe += glu * h * m.moe_shared_ffn + (m.moe_shared_gate ? h : 0);
  return attn + moe;
}

}  // namespace

void plan_moe(const Scenario& s, const ActivationShape& shape, CommCost& comm, StepPlan& p) {
  if (!s.model.is_moe()) return;
  p.moe_block_tp = s.model.moe_shared_ffn > 0;
  if (p.moe.etp <= 1 || !shape.sequence_parallel) return;
  const ExpertLoad l = busiest_rank_load(s.model, shape, p.moe);
  const Bytes bytes(l.total_rows() * s.model.hidden * activation_element_bytes(shape.precision));
  const GroupPlacement& g = p.tp_group;  // the ETP group: etp = tp while ep = 1
  const Seconds ag = comm.time(CollectiveOp::all_gather, bytes, g),
                rs = comm.time(CollectiveOp::reduce_scatter, bytes, g);
  p.moe_forward = {{GroupKind::tp, CollectiveOp::all_gather, bytes, ag},
                   {GroupKind::tp, CollectiveOp::reduce_scatter, bytes, rs}};
  p.moe_backward = {{GroupKind::tp, CollectiveOp::all_gather, bytes, ag},
                    {GroupKind::tp, CollectiveOp::reduce_scatter, bytes, rs}};
}

double sparse_model_flops_per_step(const Scenario& s) {
  const ModelSpec& m = s.model;
  const double B = s.training.global_batch, seq = s.training.seq_len, h = m.hidden;
  const double qk = m.is_mla() ? 1.0 * m.qk_nope_head_dim + m.qk_rope_head_dim : m.head_dim;
  const double v = m.is_mla() ? m.v_head_dim : m.head_dim;
  const double core = 6.0 * B * seq * seq * m.heads * (qk + v);  // per layer
  double w = 1.0 * m.vocab * h;
  for (int l = 0; l < m.layers; ++l) w += layer_gemm_weights(m, l);
  const double mtp = m.mtp_layers * (2.0 * h * h + layer_gemm_weights(m, m.layers - 1) + 1.0 * m.vocab * h);
  return 6.0 * B * seq * (w + mtp) + core * (m.layers + m.mtp_layers);
}

MoeShape moe_shape(const Scenario& s) {
  MoeShape moe;
  if (!s.model.is_moe()) return moe;
  if (s.parallel.tp > 1 && !s.parallel.sequence_parallel)
    throw ConfigError({"", 0, "parallel.sequence_parallel"},
                      "model " + s.model.name +
                          " is a mixture of experts: with tp > 1 Megatron-core needs sequence_parallel: true "
                          "(arguments.py: MoE with tensor parallelism must use sequence parallelism)");
  moe.ep = 1;
  moe.etp = s.parallel.tp;
  moe.grouped_gemm = true;
  moe.skew = 1;
  return moe;
}

}  // namespace trainsim
