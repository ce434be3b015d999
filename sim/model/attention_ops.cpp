// Attention variants of the zoo's MoE models (op_build.hpp): multi-head
// latent attention and the per-head query/key norms.
#include <algorithm>

#include "sim/model/op_build.hpp"

namespace trainsim::detail {

namespace {

// The attention core of an MLA layer: heads/t queries of nope + rope width
// against as many keys (kv_up_proj gives every head its own key; the rope
// part is shared), values of v_head_dim.
Dims mla_core_dims(const ModelSpec& m, Dims x) {
  x.attention_core = true;
  x.sac_saved = true;
  x.d = 1LL * m.qk_nope_head_dim + m.qk_rope_head_dim;
  x.dv = m.v_head_dim;
  x.kv = x.heads;
  return x;
}

// Query path: q_down_proj (h -> q_lora, duplicated on every TP rank), its
// norm, q_up_proj (column-parallel, q_lora -> heads/t x (nope + rope)); or
// q_proj (h -> heads/t x (nope + rope)) without q_lora_rank.
void mla_query(std::vector<Op>& ops, const ModelSpec& m, const Dims& x, i64 qk) {
  const bool fwd = x.pass == Pass::forward;
  if (m.q_lora_rank == 0) {
    linear(ops, x, "q_proj", x.tokens, x.heads * qk, x.h);
    return;
  }
  const double n = double(x.tokens * m.q_lora_rank);
  if (fwd) {
    linear(ops, x, "q_down", x.tokens, m.q_lora_rank, x.h);
    ops.push_back(memory_op(x, "q_norm", 2 * x.e * n));
    linear(ops, x, "q_up", x.tokens, x.heads * qk, m.q_lora_rank);
  } else {
    linear(ops, x, "q_up", x.tokens, x.heads * qk, m.q_lora_rank);
    ops.push_back(memory_op(x, "q_norm_bwd", 3 * x.e * n));
    linear(ops, x, "q_down", x.tokens, m.q_lora_rank, x.h);
  }
}

// Key/value path: kv_down_proj (h -> kv_lora + rope, duplicated), the norm of
// its kv_lora part, kv_up_proj (column-parallel, kv_lora -> heads/t x (nope + v)).
void mla_key_value(std::vector<Op>& ops, const ModelSpec& m, const Dims& x) {
  const i64 up = x.heads * (1LL * m.qk_nope_head_dim + m.v_head_dim);
  const double n = double(x.tokens * m.kv_lora_rank);
  if (x.pass == Pass::forward) {
    linear(ops, x, "kv_down", x.tokens, 1LL * m.kv_lora_rank + m.qk_rope_head_dim, x.h);
    ops.push_back(memory_op(x, "kv_norm", 2 * x.e * n));
    linear(ops, x, "kv_up", x.tokens, up, m.kv_lora_rank);
  } else {
    linear(ops, x, "kv_up", x.tokens, up, m.kv_lora_rank);
    ops.push_back(memory_op(x, "kv_norm_bwd", 3 * x.e * n));
    linear(ops, x, "kv_down", x.tokens, 1LL * m.kv_lora_rank + m.qk_rope_head_dim, x.h);
  }
}

// Fused RoPE of the rope parts: every local query head and the one shared key.
void mla_rope(std::vector<Op>& ops, const ModelSpec& m, const Dims& x) {
  const double n = double(x.tokens * (x.heads + 1) * m.qk_rope_head_dim);
  ops.push_back(memory_op(x, x.pass == Pass::forward ? "rope" : "rope_bwd", 2 * x.e * n));
}

}  // namespace

// Megatron-core MLASelfAttention (megatron/core/transformer/
// multi_latent_attention.py get_query_key_value_tensors; the down
// projections are TELinear with parallel_mode "duplicated"), DeepSeek-V3's
// DeepseekV3Attention in Hugging Face terms.
void mla_block(std::vector<Op>& ops, const ModelSpec& m, const ActivationShape& sh, Dims x) {
  x.block = Block::attention;
  const i64 qk = 1LL * m.qk_nope_head_dim + m.qk_rope_head_dim;
  const Dims core_dims = mla_core_dims(m, x);
  auto core = [&] { sh.flash_attention ? flash_core(ops, core_dims) : unfused_core(ops, core_dims); };
  if (x.pass == Pass::forward) {
    norm(ops, x, "ln1");
    mla_query(ops, m, x, qk);
    mla_key_value(ops, m, x);
    mla_rope(ops, m, x);
    core();
    linear(ops, x, "proj", x.tokens, x.h, x.heads * m.v_head_dim);
    bias_dropout_add(ops, x, "attn_bda");
    return;
  }
  bias_dropout_add(ops, x, "attn_bda_bwd");
  linear(ops, x, "proj", x.tokens, x.h, x.heads * m.v_head_dim);
  core();
  mla_rope(ops, m, x);
  mla_key_value(ops, m, x);
  mla_query(ops, m, x, qk);
  norm(ops, x, "ln1_bwd");
}

// Qwen3 q_norm / k_norm (Megatron-core qk_layernorm): an RMSNorm over each
// head's head_dim features of Q and K, after the QKV projection: forward
// reads and writes them, backward reads dy and x, writes dx.
void qk_norm(std::vector<Op>& ops, const Dims& x) {
  const double n = double(x.tokens * (x.heads + x.kv) * x.d);
  const bool fwd = x.pass == Pass::forward;
  ops.push_back(memory_op(x, fwd ? "qk_norm" : "qk_norm_bwd", (fwd ? 2 : 3) * x.e * n));
}

}  // namespace trainsim::detail
