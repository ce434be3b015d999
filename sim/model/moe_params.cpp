// Per-rank parameters of MoE models (moe_params.hpp).
#include "sim/model/moe_params.hpp"

namespace trainsim {
namespace {

using i64 = std::int64_t;

i64 div_up(i64 n, int d) { return (n + d - 1) / d; }
i64 norm_of(const ModelSpec& m, i64 width) { return m.norm == NormKind::layernorm ? 2 * width : width; }

// One FFN of inner size f split over `ways` ranks: the column-parallel fc1
// (gate and up for SwiGLU) with its bias and the row-parallel fc2 weight
// split, the fc2 bias replicated.
i64 ffn_per_rank(const ModelSpec& m, i64 f, int ways) {
  const i64 in = m.mlp == MlpKind::swiglu ? 2 * f : f;
  return div_up(m.hidden * in + (m.bias ? in : 0) + f * m.hidden, ways) + (m.bias ? m.hidden : 0);
}

i64 mla_per_tp_rank(const ModelSpec& m, int tp) {
  const i64 h = m.hidden, a = m.heads, qk = 1LL * m.qk_nope_head_dim + m.qk_rope_head_dim;
  i64 duplicated = h * (1LL * m.kv_lora_rank + m.qk_rope_head_dim) + norm_of(m, m.kv_lora_rank);
  i64 split = 1LL * m.kv_lora_rank * a * (1LL * m.qk_nope_head_dim + m.v_head_dim) + a * m.v_head_dim * h;
  if (m.q_lora_rank > 0) {
    duplicated += h * m.q_lora_rank + norm_of(m, m.q_lora_rank);
    split += 1LL * m.q_lora_rank * a * qk;
  } else {
    split += h * a * qk;
  }
  return duplicated + div_up(split, tp);
}

}  // namespace

std::int64_t attention_params_per_tp_rank(const ModelSpec& m, int tp) {
  const i64 norms = 2 * norm_of(m, m.hidden);
  if (m.is_mla()) return mla_per_tp_rank(m, tp) + norms;
  const i64 q = 1LL * m.heads * m.head_dim, kv = 1LL * m.kv_heads * m.head_dim;
  i64 split = m.hidden * (q + 2 * kv) + q * m.hidden;
  if (m.bias || m.add_qkv_bias) split += q + 2 * kv;
  if (m.attention_sinks) split += m.heads;
  i64 replicated = norms + (m.bias ? m.hidden : 0);
  if (m.qk_layernorm) replicated += 2 * norm_of(m, m.head_dim);
  return div_up(split, tp) + replicated;
}

RankParams layer_params_per_rank(const ModelSpec& m, int layer, int tp, int etp, int ep) {
  RankParams r;
  r.dense = attention_params_per_tp_rank(m, tp);
  const bool moe = m.is_moe() && layer >= 0 && layer < static_cast<int>(m.moe_layers.size()) && m.moe_layers[layer];
  if (!moe) {
    r.dense += ffn_per_rank(m, m.ffn, tp);
    return r;
  }
  const i64 e = m.moe_experts;
  r.dense += e * m.hidden + (m.bias ? e : 0) + (m.moe_router_expert_bias ? e : 0);
  if (m.moe_shared_ffn > 0) r.dense += ffn_per_rank(m, m.moe_shared_ffn, tp) + (m.moe_shared_gate ? m.hidden : 0);
  r.expert = e / ep * ffn_per_rank(m, m.moe_ffn, etp);
  return r;
}

RankParams mtp_params_per_rank(const ModelSpec& m, int tp, int etp, int ep) {
  RankParams r;
  for (int i = 0; i < m.mtp_layers; ++i) {
    r += layer_params_per_rank(m, m.layers - 1, tp, etp, ep);
    r.dense += 3 * norm_of(m, m.hidden) + div_up(2LL * m.hidden * m.hidden, tp);
  }
  return r;
}

}  // namespace trainsim
