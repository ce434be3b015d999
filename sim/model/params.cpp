// Parameter counting from the architecture (Megatron-LM layer structure).
// Per layer: Q (h x a·d), K and V (h x g·d each), output projection (a·d x h),
// the MLP (two h x F matrices, or three for SwiGLU) and two norms. SC21 Eq. 2
// (Narayanan et al. 2021) is the special case a·d = h, g = a, F = 4h, GeLU,
// LayerNorm, biases, learned positions, tied embeddings, minus the final norm.
// Mixture-of-experts layers, multi-head latent attention and MTP modules follow
// the Hugging Face modules (transformers' modeling_mixtral.py, modeling_qwen3_moe.py,
// DeepSeek-V3's modeling_deepseek.py, modeling_llama4.py, modeling_gpt_oss.py).
#include "sim/model/params.hpp"

#include <algorithm>

namespace trainsim {
namespace {

using i64 = std::int64_t;

// A norm over `width` features: weight (+ bias for LayerNorm).
i64 norm_of(const ModelSpec& m, i64 width) { return m.norm == NormKind::layernorm ? 2 * width : width; }
i64 norm_params(const ModelSpec& m) { return norm_of(m, m.hidden); }

i64 q_width(const ModelSpec& m) { return 1LL * m.heads * m.head_dim; }
i64 kv_width(const ModelSpec& m) { return 1LL * m.kv_heads * m.head_dim; }

// Column-parallel part of the attention (QKV weights and biases): split over TP.
i64 attention_column(const ModelSpec& m) {
  i64 out = q_width(m) + 2 * kv_width(m);
  return m.hidden * out + (m.bias ? out : 0);
}

// Row-parallel output projection: weight split over TP, bias replicated.
i64 attention_row_weight(const ModelSpec& m) { return q_width(m) * m.hidden; }

i64 mlp_in_width(const ModelSpec& m) { return m.mlp == MlpKind::swiglu ? 2LL * m.ffn : m.ffn; }

i64 mlp_column(const ModelSpec& m) { return m.hidden * mlp_in_width(m) + (m.bias ? mlp_in_width(m) : 0); }
i64 mlp_row_weight(const ModelSpec& m) { return 1LL * m.ffn * m.hidden; }
i64 row_bias(const ModelSpec& m) { return m.bias ? m.hidden : 0; }

// Multi-head latent attention (DeepseekV3Attention): q_a_proj h -> q_lora,
// q_a_layernorm, q_b_proj q_lora -> a (nope + rope) (or q_proj h -> a (nope +
// rope) without q_lora_rank); kv_a_proj_with_mqa h -> kv_lora + rope,
// kv_a_layernorm, kv_b_proj kv_lora -> a (nope + v); o_proj a v -> h.
i64 mla_params(const ModelSpec& m) {
  const i64 h = m.hidden, a = m.heads, qk = 1LL * m.qk_nope_head_dim + m.qk_rope_head_dim;
  const i64 q =
      m.q_lora_rank > 0 ? h * m.q_lora_rank + norm_of(m, m.q_lora_rank) + 1LL * m.q_lora_rank * a * qk : h * a * qk;
  const i64 kv = h * (1LL * m.kv_lora_rank + m.qk_rope_head_dim) + norm_of(m, m.kv_lora_rank) +
                 1LL * m.kv_lora_rank * a * (1LL * m.qk_nope_head_dim + m.v_head_dim);
  return q + kv + a * m.v_head_dim * h;
}

i64 attention_params(const ModelSpec& m) {
  if (m.is_mla()) return mla_params(m);
  i64 n = attention_column(m) + attention_row_weight(m) + row_bias(m);
  if (m.add_qkv_bias && !m.bias) n += q_width(m) + 2 * kv_width(m);  // Qwen2: biases on Q, K, V only
  if (m.qk_layernorm) n += 2 * norm_of(m, m.head_dim);               // q_norm, k_norm over one head
  if (m.attention_sinks) n += m.heads;                               // GPT-OSS sinks: one per head
  return n;
}

// One expert-shaped FFN of inner size f (gate, up, down for SwiGLU), with
// biases when the model's linear layers carry them (GPT-OSS experts).
i64 ffn_params(const ModelSpec& m, i64 f) {
  const i64 in = m.mlp == MlpKind::swiglu ? 2 * f : f;
  return m.hidden * in + f * m.hidden + (m.bias ? in + m.hidden : 0);
}

int count_moe_layers(const ModelSpec& m) {
  int n = 0;
  for (bool moe : m.moe_layers) n += moe ? 1 : 0;
  return m.is_moe() ? n : 0;
}

void count_moe(const ModelSpec& m, ParamCounts& c) {
  c.moe_layers = count_moe_layers(m);
  if (c.moe_layers == 0) return;
  const i64 e = m.moe_experts;
  c.router = e * m.hidden + (m.bias ? e : 0) + (m.moe_router_expert_bias ? e : 0);
  c.routed_expert = ffn_params(m, m.moe_ffn);
  c.shared_experts = m.moe_shared_ffn > 0 ? ffn_params(m, m.moe_shared_ffn) + (m.moe_shared_gate ? m.hidden : 0) : 0;
  c.moe_layer = c.attention + c.layer_norms + c.router + e * c.routed_expert + c.shared_experts;
}

// The MTP modules: enorm, hnorm, eh_proj (2h -> h), a transformer layer of
// the kind of the model's last layer, the module's final norm.
void count_mtp(const ModelSpec& m, ParamCounts& c) {
  if (m.mtp_layers == 0) return;
  const bool last_moe = c.moe_layers > 0 && m.moe_layers.back();
  const i64 layer = last_moe ? c.moe_layer : c.per_layer;
  c.mtp = m.mtp_layers * (3 * norm_params(m) + 2LL * m.hidden * m.hidden + layer);
  c.mtp_copies = m.mtp_layers * (c.word_embedding + c.output_layer);
}

}  // namespace

ParamCounts count_params(const ModelSpec& m) {
  ParamCounts c;
  c.attention = attention_params(m);
  c.mlp = mlp_column(m) + mlp_row_weight(m) + row_bias(m);
  c.layer_norms = 2 * norm_params(m);
  c.per_layer = c.attention + c.mlp + c.layer_norms;
  c.word_embedding = 1LL * m.vocab * m.hidden;
  c.position_embedding = m.position == PositionKind::learned ? 1LL * m.max_position * m.hidden : 0;
  c.embedding_norm = m.embedding_norm ? norm_params(m) : 0;
  c.final_norm = norm_params(m);
  c.output_layer = m.tied_embeddings ? 0 : c.word_embedding;
  count_moe(m, c);
  c.total = c.per_layer * (m.layers - c.moe_layers) + c.moe_layer * c.moe_layers + c.word_embedding +
            c.position_embedding + c.embedding_norm + c.final_norm + c.output_layer;
  c.largest_layer = c.per_layer > c.word_embedding ? c.per_layer : c.word_embedding;
  c.active = c.total - c.moe_layers * (1LL * m.moe_experts - m.moe_topk) * c.routed_expert;
  count_mtp(m, c);
  c.checkpoint = c.total + c.mtp + c.mtp_copies;
  return c;
}

std::int64_t layer_params_per_tp_rank(const ModelSpec& m, int tp) {
  i64 split = attention_column(m) + attention_row_weight(m) + mlp_column(m) + mlp_row_weight(m);
  i64 replicated = 2 * row_bias(m) + 2 * norm_params(m);
  return (split + tp - 1) / tp + replicated;
}

std::int64_t small_layer_params_per_tp_rank(const ModelSpec& m, int tp, double threshold) {
  i64 small = 0;
  auto add = [&](i64 n) {
    if (n > 0 && static_cast<double>(n) < threshold) small += n;
  };
  const int norm_tensors = m.norm == NormKind::layernorm ? 4 : 2;  // two norms, weight (+ bias)
  for (int i = 0; i < norm_tensors; ++i) add(m.hidden);
  if (m.bias) {
    add((q_width(m) + 2 * kv_width(m) + tp - 1) / tp);  // QKV bias, column-parallel
    add((mlp_in_width(m) + tp - 1) / tp);               // MLP-in bias, column-parallel
    add(row_bias(m));                                   // projection and MLP-out biases, replicated
    add(row_bias(m));
  }
  return small;
}

std::int64_t linear_weights_per_tp_rank(const ModelSpec& m, int tp) {
  const i64 w = m.hidden * (q_width(m) + 2 * kv_width(m)) + attention_row_weight(m) + m.hidden * mlp_in_width(m) +
                mlp_row_weight(m);
  return (w + tp - 1) / tp;
}

std::int64_t vocab_params_per_tp_rank(const ModelSpec& m, int tp) { return (1LL * m.vocab + tp - 1) / tp * m.hidden; }

StageParams stage_params(const ModelSpec& m, int tp, int layers, bool first_stage, bool last_stage, int pp) {
  const ParamCounts c = count_params(m);
  const std::int64_t vocab = vocab_params_per_tp_rank(m, tp);
  StageParams p;
  p.layers = static_cast<std::int64_t>(layers) * layer_params_per_tp_rank(m, tp);
  if (first_stage) p.embedding = vocab + c.position_embedding + c.embedding_norm;
  if (last_stage) p.output = c.final_norm + (c.output_layer > 0 || pp > 1 ? vocab : 0);
  return p;
}

std::int64_t stage_param_tensors(const ModelSpec& m, int layers, bool first_stage, bool last_stage, int pp) {
  const i64 norm = m.norm == NormKind::layernorm ? 2 : 1;
  const i64 matrices = 4 + (m.mlp == MlpKind::swiglu ? 3 : 2);
  const i64 per_layer = 2 * norm + matrices * (m.bias ? 2 : 1);
  i64 n = per_layer * layers;
  if (first_stage) n += 1 + (m.position == PositionKind::learned ? 1 : 0) + (m.embedding_norm ? norm : 0);
  if (last_stage) n += norm + (!m.tied_embeddings || pp > 1 ? 1 : 0);
  return n;
}

std::int64_t largest_param_tensor(const ModelSpec& m, int tp, bool vocab) {
  const i64 layer = std::max<i64>(1LL * m.hidden * m.ffn, q_width(m) * m.hidden);
  const i64 split = (layer + tp - 1) / tp;
  return vocab ? std::max(split, vocab_params_per_tp_rank(m, tp)) : split;
}

}  // namespace trainsim
