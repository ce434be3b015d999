// MoE placement of a step (moe_plan.hpp).
#include "sim/workload/moe_plan.hpp"

#include <algorithm>
#include <string>
#include <vector>

#include "sim/core/error.hpp"
#include "sim/model/activations.hpp"

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

MoeShape moe_shape(const Scenario& s) {
  MoeShape moe;
  if (!s.model.is_moe()) return moe;
  if (s.parallel.tp > 1 && !s.parallel.sequence_parallel)
    throw ConfigError({"", 0, "parallel.sequence_parallel"},
                      "model " + s.model.name +
                          " is a mixture of experts: with tp > 1 Megatron-core needs sequence_parallel: true "
                          "(moe_layer.py MoELayer.forward raises without it in training)");
  if (s.training.moe.a2a_overlap)
    throw ConfigError({"", 0, "training.moe_a2a_overlap"},
                      "not modelled yet: Megatron-core's --overlap-moe-expert-parallel-comm runs the forward of "
                      "one micro-batch beside the backward of another (combined 1F1B), a schedule trainsim does "
                      "not simulate; give false (dispatch and combine on the compute stream)");
  moe.ep = s.parallel.ep;
  moe.etp = s.parallel.expert_tp();
  moe.grouped_gemm = s.training.moe.grouped_gemm;
  moe.skew = s.training.moe.load_skew;
  moe.histogram = s.training.moe.token_histogram;
  if (moe.histogram.empty() && moe.skew > s.model.moe_experts)
    throw ConfigError({"", 0, "training.moe_load_skew"},
                      "the busiest expert cannot take more than all the tokens: at most num_moe_experts (" +
                          std::to_string(s.model.moe_experts) + ")");
  return moe;
}

void plan_moe(const Scenario& s, const ActivationShape& shape, CommCost& comm, StepPlan& p) {
  if (!s.model.is_moe()) return;
  const Layout& lay = p.layout;
  p.ep_group = lay.placement(lay.ep_group(0));
  p.etp_group = lay.placement(lay.etp_group(0));
  p.ep_tp_group = lay.placement(lay.expert_tp_ep_group(0));
  p.expert_dp_group = lay.placement(lay.expert_dp_group(0));
  p.moe_block_tp = s.model.moe_shared_ffn > 0;
  const ExpertLoad l = busiest_rank_load(s.model, shape, p.moe);
  const double row = s.model.hidden * activation_element_bytes(shape.precision);
  using MC = StepPlan::MoeCollective;
  auto coll = [&](GroupKind g, const GroupPlacement& at, CollectiveOp op, double bytes) {
    return MC{g, op, Bytes(bytes), comm.time(op, Bytes(bytes), at)};
  };
  std::vector<MC> f, b;
  if (s.training.moe.dispatcher == MoeDispatcher::allgather) {
    // MoEAllGatherTokenDispatcher: every rank of the tp-ep group gathers all
    // their tokens (and routing) and keeps its experts' ones; the experts'
    // output is reduce-scattered back. Backward: the reverse.
    if (p.ep_tp_group.ranks > 1) {
      const double all = double(p.ep_tp_group.ranks) * shape.micro_batch * shape.seq_len / shape.cp /
                         (shape.sequence_parallel ? shape.tp : 1) * row;
      f = {coll(GroupKind::ep_tp, p.ep_tp_group, CollectiveOp::all_gather, all),
           coll(GroupKind::ep_tp, p.ep_tp_group, CollectiveOp::reduce_scatter, all)};
    }
    p.moe_forward = f;
    p.moe_backward = f;
    return;
  }
  // MoEAlltoAllTokenDispatcher: dispatch all-to-all over EP (each rank sends
  // its routed copies, the busiest receives busiest_share x ep x them), the
  // ETP all-gather, experts, the ETP reduce-scatter, combine all-to-all.
  const double a2a = std::max(l.sent_rows, l.busiest_share * p.moe.ep * l.sent_rows) * row;
  const double etp = l.total_rows() * row;
  if (p.moe.ep > 1) f.push_back(coll(GroupKind::ep, p.ep_group, CollectiveOp::all_to_all, a2a));
  if (p.moe.etp > 1) f.push_back(coll(GroupKind::etp, p.etp_group, CollectiveOp::all_gather, etp));
  if (p.moe.etp > 1) f.push_back(coll(GroupKind::etp, p.etp_group, CollectiveOp::reduce_scatter, etp));
  if (p.moe.ep > 1) f.push_back(coll(GroupKind::ep, p.ep_group, CollectiveOp::all_to_all, a2a));
  p.moe_forward = f;
  p.moe_backward = f;  // the combine's backward is an all-to-all, the reduce-scatter's an all-gather, ...
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

}  // namespace trainsim
