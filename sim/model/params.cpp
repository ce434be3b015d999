// Parameter counting from the architecture (Megatron-LM layer structure).
// Per layer: Q (h x a·d), K and V (h x g·d each), output projection (a·d x h),
// the MLP (two h x F matrices, or three for SwiGLU) and two norms. SC21 Eq. 2
// (Narayanan et al. 2021) is the special case a·d = h, g = a, F = 4h, GeLU,
// LayerNorm, biases, learned positions, tied embeddings, minus the final norm.
#include "sim/model/params.hpp"

#include <algorithm>

namespace trainsim {
namespace {

using i64 = std::int64_t;

i64 norm_params(const ModelSpec& m) { return m.norm == NormKind::layernorm ? 2LL * m.hidden : m.hidden; }

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

}  // namespace

ParamCounts count_params(const ModelSpec& m) {
  ParamCounts c;
  c.attention = attention_column(m) + attention_row_weight(m) + row_bias(m);
  c.mlp = mlp_column(m) + mlp_row_weight(m) + row_bias(m);
  c.layer_norms = 2 * norm_params(m);
  c.per_layer = c.attention + c.mlp + c.layer_norms;
  c.word_embedding = 1LL * m.vocab * m.hidden;
  c.position_embedding = m.position == PositionKind::learned ? 1LL * m.max_position * m.hidden : 0;
  c.embedding_norm = m.embedding_norm ? norm_params(m) : 0;
  c.final_norm = norm_params(m);
  c.output_layer = m.tied_embeddings ? 0 : c.word_embedding;
  c.total = c.per_layer * m.layers + c.word_embedding + c.position_embedding + c.embedding_norm + c.final_norm +
            c.output_layer;
  c.largest_layer = c.per_layer > c.word_embedding ? c.per_layer : c.word_embedding;
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
