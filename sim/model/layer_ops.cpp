// Ops of a transformer layer, embedding and output layer (layer_ops.hpp).
//
// Byte counts are HBM reads + writes of each kernel's tensors (e = activation
// element size, kMaskBytes per dropout-mask element, kFp32Bytes per fp32
// element); FLOPs of memory-bound kernels are not counted (they never bind on
// tensor-core GPUs). GEMM inputs are gemm_element_bytes (1 byte in FP8:
// Transformer Engine casts them), outputs stay at the activation size.
#include "sim/model/layer_ops.hpp"

#include <algorithm>

#include "sim/model/op_build.hpp"

namespace trainsim {

const char* to_string(OpKind k) {
  switch (k) {
    case OpKind::gemm: return "gemm";
    case OpKind::attention: return "attention";
    case OpKind::batched_gemm: return "batched_gemm";
    case OpKind::memory: return "memory";
  }
  return "?";
}

namespace {

using namespace detail;  // op_build.hpp

// Forward linears of a torchtitan Llama block under per-op SAC, one mm each
// as eager torchtitan runs them (models/llama3/model/model.py: Attention wq,
// wk, wv; FeedForward w1, w3), with their save decisions (ActivationShape::op_sac:
// the odd-numbered mms of the block kept). `saved` flags each part.
void sac_linears(std::vector<Op>& ops, Dims x, const std::vector<const char*>& names, const std::vector<i64>& widths,
                 const std::vector<bool>& saved, i64 K) {
  for (std::size_t i = 0; i < names.size(); ++i) {
    x.sac_saved = saved[i];
    linear(ops, x, names[i], x.tokens, widths[i], K);
  }
}

void attention_block(std::vector<Op>& ops, const ModelSpec& m, const ActivationShape& sh, Dims x) {
  if (m.is_mla()) return mla_block(ops, m, sh, x);
  x.block = Block::attention;
  i64 qkv_n = (x.heads + 2 * x.kv) * x.d;
  bool rope = m.position == PositionKind::rope;
  Dims core_dims = x;
  core_dims.attention_core = true;
  core_dims.sac_saved = true;  // op SAC keeps the SDPA output
  auto core = [&] { sh.flash_attention ? flash_core(ops, core_dims) : unfused_core(ops, core_dims); };
  if (x.pass == Pass::forward) {
    norm(ops, x, "ln1");
    if (x.op_sac)
      sac_linears(ops, x, {"wq", "wk", "wv"}, {x.heads * x.d, x.kv * x.d, x.kv * x.d}, {true, false, true}, x.h);
    else
      linear(ops, x, "qkv", x.tokens, qkv_n, x.h);
    lora(ops, x, m, 0);
    if (m.qk_layernorm) qk_norm(ops, x);
    if (rope) add_rope(ops, x);
    core();
    linear(ops, x, "proj", x.tokens, x.h, x.heads * x.d);
    lora(ops, x, m, 1);
    bias_dropout_add(ops, x, "attn_bda");
    return;
  }
  bias_dropout_add(ops, x, "attn_bda_bwd");
  linear(ops, x, "proj", x.tokens, x.h, x.heads * x.d);
  lora(ops, x, m, 1);
  core();
  if (rope) add_rope(ops, x);
  if (m.qk_layernorm) qk_norm(ops, x);
  linear(ops, x, "qkv", x.tokens, qkv_n, x.h);
  lora(ops, x, m, 0);
  norm(ops, x, "ln1_bwd");
}

void mlp_block(std::vector<Op>& ops, const ModelSpec& m, Dims x) {
  x.block = Block::mlp;
  i64 fc1_n = x.ffn * (m.mlp == MlpKind::swiglu ? 2 : 1);
  if (x.pass == Pass::forward) {
    norm(ops, x, "ln2");
    if (x.op_sac && m.mlp == MlpKind::swiglu)
      sac_linears(ops, x, {"w1", "w3"}, {x.ffn, x.ffn}, {true, false}, x.h);
    else
      linear(ops, x, "fc1", x.tokens, fc1_n, x.h);
    lora(ops, x, m, 2);
    activation(ops, m, x, double(x.tokens * x.ffn));
    Dims fc2 = x;
    fc2.sac_saved = x.op_sac && m.mlp == MlpKind::swiglu;  // w2, the block's 7th mm
    linear(ops, fc2, "fc2", x.tokens, x.h, x.ffn);
    lora(ops, x, m, 3);
    bias_dropout_add(ops, x, "mlp_bda");
    return;
  }
  bias_dropout_add(ops, x, "mlp_bda_bwd");
  linear(ops, x, "fc2", x.tokens, x.h, x.ffn);
  lora(ops, x, m, 3);
  activation(ops, m, x, double(x.tokens * x.ffn));
  linear(ops, x, "fc1", x.tokens, fc1_n, x.h);
  lora(ops, x, m, 2);
  norm(ops, x, "ln2_bwd");
}

}  // namespace

LayerKind layer_kind(const ModelSpec& m, int layer) {
  LayerKind k;
  const auto at = [layer](const std::vector<bool>& v) {
    return layer >= 0 && static_cast<std::size_t>(layer) < v.size() && v[static_cast<std::size_t>(layer)];
  };
  k.moe = m.is_moe() && at(m.moe_layers);
  k.sliding = m.sliding_window > 0 && (m.sliding_layers.empty() || at(m.sliding_layers));
  return k;
}

std::vector<Op> layer_ops(const ModelSpec& m, const ActivationShape& shape) {
  return layer_ops(m, shape, layer_kind(m, 0), MoeShape{});
}

std::vector<Op> layer_ops(const ModelSpec& m, const ActivationShape& shape, LayerKind kind, const MoeShape& moe) {
  std::vector<Op> ops;
  Dims x = dims_of(m, shape);
  x.recompute = shape.recompute;
  if (kind.sliding) x.window = m.sliding_window;
  auto mlp = [&] { kind.moe ? moe_mlp_block(ops, m, moe, x) : mlp_block(ops, m, x); };
  attention_block(ops, m, shape, x);
  mlp();
  x.pass = Pass::backward;
  mlp();
  attention_block(ops, m, shape, x);
  return ops;
}

std::vector<Op> embedding_ops(const ModelSpec& m, const ActivationShape& shape) {
  Dims x = dims_of(m, shape);
  x.block = Block::embedding;
  // Vocab-parallel lookup of every token (rows outside this rank's shard are
  // zero-filled before the all-reduce): read the row, write the output; a
  // learned position table adds a read and an add; then embedding dropout
  // (reads x, writes y and the mask).
  double n = double(x.tokens * x.h);
  double pos = m.position == PositionKind::learned ? 3 * x.e : 0;
  double drop = x.dropout ? 2 * x.e + kMaskBytes : 0;
  std::vector<Op> ops;
  ops.push_back(memory_op(x, "embedding", (2 * x.e + pos + drop) * n));
  if (m.embedding_norm) norm(ops, x, "embedding_norm");
  x.pass = Pass::backward;
  if (m.embedding_norm) norm(ops, x, "embedding_norm_bwd");
  // Dropout backward reads dy and the mask, writes dx (the same bytes as the
  // forward dropout); then a scatter-add of dx into the fp32 gradient rows
  // (read dx, read-modify-write one fp32 row element) for the word table and,
  // when learned, the position table.
  double rows = (m.position == PositionKind::learned ? 2 : 1) * (x.e + 2 * kFp32Bytes) * n;
  if (!x.frozen) ops.push_back(memory_op(x, "embedding_grad", drop * n + rows));  // LoRA: the embedding is frozen
  return ops;
}

std::vector<Op> output_ops(const ModelSpec& m, const ActivationShape& shape) {
  Dims x = dims_of(m, shape);
  x.block = Block::output;
  // Megatron's vocab_parallel_cross_entropy: one read of the 16-bit logits,
  // then ~8 fp32 passes (cast, max, subtract, exp, sum, normalise, gather);
  // backward: softmax - one-hot in place (fp32 read + write) and the cast back
  // (fp32 read, 16-bit write).
  double logits = double(x.tokens * x.vocab);
  std::vector<Op> ops;
  norm(ops, x, "final_norm");
  linear(ops, x, "logits", x.tokens, x.vocab, x.h);
  // Eager PyTorch: kernel_sets.hpp eager_cross_entropy.
  const double rows = double(x.tokens);
  if (x.eager)
    push_kernels(ops, x, "cross_entropy", eager_cross_entropy(x.pass, logits, rows, x.e));
  else
    ops.push_back(memory_op(x, "cross_entropy", (x.e + 8 * kFp32Bytes) * logits));
  x.pass = Pass::backward;
  if (x.eager)
    push_kernels(ops, x, "cross_entropy", eager_cross_entropy(x.pass, logits, rows, x.e));
  else
    ops.push_back(memory_op(x, "cross_entropy_bwd", (3 * kFp32Bytes + x.e) * logits));
  linear(ops, x, "logits", x.tokens, x.vocab, x.h);
  norm(ops, x, "final_norm_bwd");
  return ops;
}

std::vector<Op> mtp_ops(const ModelSpec& m, const ActivationShape& shape, const MoeShape& moe) {
  std::vector<Op> ops;
  Dims x = dims_of(m, shape);
  x.block = Block::output;
  for (int i = 0; i < m.mtp_layers; ++i) {
    std::vector<Op> mod;
    x.pass = Pass::forward;
    norm(mod, x, "mtp_enorm");
    norm(mod, x, "mtp_hnorm");
    linear(mod, x, "mtp_eh_proj", x.tokens, x.h, 2 * x.h);
    for (const Op& op : layer_ops(m, shape, layer_kind(m, m.layers - 1), moe)) mod.push_back(op);
    for (const Op& op : output_ops(m, shape)) mod.push_back(op);
    x.pass = Pass::backward;
    linear(mod, x, "mtp_eh_proj", x.tokens, x.h, 2 * x.h);
    norm(mod, x, "mtp_hnorm_bwd");
    norm(mod, x, "mtp_enorm_bwd");
    for (Op& op : mod) {
      op.block = Block::output;
      op.recompute = false;
      op.name = "mtp_" + op.name;
      ops.push_back(op);
    }
  }
  return ops;
}

}  // namespace trainsim
