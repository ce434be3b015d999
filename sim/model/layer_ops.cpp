// Ops of a transformer layer, embedding and output layer (layer_ops.hpp).
//
// Byte counts are HBM reads + writes of each kernel's tensors (e = activation
// element size, kMaskBytes per dropout-mask element, kFp32Bytes per fp32
// element); FLOPs of memory-bound kernels are not counted (they never bind on
// tensor-core GPUs). GEMM inputs are gemm_element_bytes (1 byte in FP8:
// Transformer Engine casts them), outputs stay at the activation size.
#include "sim/model/layer_ops.hpp"

#include <algorithm>

#include "sim/model/kernel_sets.hpp"
#include "sim/model/lora.hpp"

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

using i64 = std::int64_t;

i64 ceil_div(i64 a, i64 b) { return (a + b - 1) / b; }

// The per-GPU dimensions of one micro-batch.
struct Dims {
  i64 tokens = 0;     // b * s / cp: rows of every GEMM
  i64 tokens_sp = 0;  // tokens seen by norms and dropouts (/ t with SP)
  i64 b = 0, s_q = 0, s_k = 0;
  i64 h = 0, d = 0, heads = 0, kv = 0, ffn = 0, vocab = 0;
  double e = 2;   // activation element bytes
  double ge = 2;  // GEMM input element bytes
  double ae = 2;  // attention bmm input element bytes (bf16 under FP8: attention_precision)
  bool dropout = true;
  bool eager = false;    // PyTorch eager: unfused element-wise kernels (kernel_sets.hpp)
  bool rmsnorm = false;  // an RMSNorm that eager PyTorch runs as its composite (ActivationShape::composite_rmsnorm)
  Fp8Recipe recipe = Fp8Recipe::delayed;
  Pass pass = Pass::forward;
  Block block = Block::attention;
  // The recompute policy of the ops being built (layer ops only; embedding and
  // output ops are never recomputed), and whether they are the attention core
  // that selective recompute re-runs.
  Recompute recompute = Recompute::none;
  bool attention_core = false;
  // torchtitan per-op SAC (ActivationShape::op_sac): every forward op is
  // re-run except those whose outputs the policy saves (sac_saved).
  bool op_sac = false;
  bool sac_saved = false;
  bool frozen = false;                     // LoRA: base weights frozen, no wgrad GEMMs (lora.hpp)
  i64 pack = 0;                            // packed sequences: sum s_i^2 / sum s_i, 0 = not packed
  const ActivationShape* shape = nullptr;  // for the adapters' ops
};

// Whether an op built with `x` is re-run in backward: every forward op under
// full recompute, the attention core's forward ops under selective.
bool recomputed(const Dims& x) {
  if (x.pass != Pass::forward) return false;
  if (x.recompute == Recompute::selective && x.op_sac) return !x.sac_saved;
  return x.recompute == Recompute::full || (x.recompute == Recompute::selective && x.attention_core);
}

Dims dims_of(const ModelSpec& m, const ActivationShape& sh) {
  Dims x;
  i64 t = std::max(sh.tp, 1), cp = std::max(sh.cp, 1);
  x.b = sh.micro_batch;
  x.s_q = ceil_div(sh.seq_len, cp);
  x.s_k = sh.seq_len;
  x.tokens = x.b * x.s_q;
  x.tokens_sp = sh.sequence_parallel ? ceil_div(x.tokens, t) : x.tokens;
  x.h = m.hidden;
  // The loaders set head_dim and kv_heads; layout_check requires t to divide
  // both heads and kv_heads.
  x.d = m.head_dim;
  x.heads = m.heads / t;
  x.kv = m.kv_heads / t;
  x.ffn = ceil_div(m.ffn, t);
  x.vocab = ceil_div(m.vocab, t);
  x.e = activation_element_bytes(sh.precision);
  x.ge = gemm_element_bytes(sh.precision);
  x.ae = gemm_element_bytes(attention_precision(sh.precision));
  x.dropout = dropout_active(m, sh);
  x.eager = sh.eager;
  x.rmsnorm = m.norm == NormKind::rmsnorm && sh.composite_rmsnorm;
  x.recipe = sh.fp8_recipe;
  x.op_sac = sh.op_sac;
  x.frozen = sh.finetune.lora();
  x.pack = sh.finetune.packed ? std::min<i64>(sh.finetune.pack_mean_seq_len, x.s_k) : 0;
  x.shape = &sh;
  return x;
}

Op memory_op(const Dims& x, const char* name, double bytes) {
  Op op;
  op.name = name;
  op.kind = OpKind::memory;
  op.pass = x.pass;
  op.block = x.block;
  op.bytes = bytes;
  op.recompute = recomputed(x);
  return op;
}

// One memory op per kernel of `ks`, named `name` + the kernel's suffix.
void push_kernels(std::vector<Op>& ops, const Dims& x, const std::string& name, const std::vector<Kernel>& ks) {
  for (const Kernel& k : ks) ops.push_back(memory_op(x, (name + k.suffix).c_str(), k.bytes));
}

// C[m x n] = A[m x k] B[k x n], `batch` times.
Op gemm_op(const Dims& x, std::string name, OpKind kind, i64 m, i64 n, i64 k, i64 batch = 1) {
  Op op;
  op.name = std::move(name);
  op.kind = kind;
  op.pass = x.pass;
  op.block = x.block;
  op.recompute = recomputed(x);
  op.m = m, op.n = n, op.k = k, op.batch = batch;
  op.flops = 2.0 * double(m) * double(n) * double(k) * double(batch);
  const double in = kind == OpKind::batched_gemm ? x.ae : x.ge;  // the unfused attention runs in 16 bits
  op.bytes = double(batch) * (in * double(m * k + k * n) + x.e * double(m * n));
  return op;
}

// A linear layer Y[M x N] = X[M x K] W[K x N]: forward, or backward as the
// data gradient dX = dY W^T and the weight gradient dW = X^T dY.
// Under FP8, the GEMM's 16-bit operands are cast first, as the recipe does
// (kernel_sets.hpp fp8_casts; delayed scaling, the default: the input X in
// forward, the output gradient dY in backward, each cast in both layouts, as
// Hopper FP8 GEMMs take only the TN layout: x.e read and 2 x x.ge written per
// element). fprop, dgrad and wgrad all run in FP8 under every recipe (TE
// Megatron --fp8-wgrad default; torchao rowwise).
void linear(std::vector<Op>& ops, const Dims& x, const std::string& name, i64 M, i64 N, i64 K) {
  const bool fp8 = x.ge < x.e;  // or fp4: quantized_casts
  if (fp8) push_kernels(ops, x, name, quantized_casts(x.recipe, x.pass, double(M), double(N), double(K), x.e, x.ge));
  if (x.pass == Pass::forward) {
    ops.push_back(gemm_op(x, name, OpKind::gemm, M, N, K));
    return;
  }
  ops.push_back(gemm_op(x, name + "_dgrad", OpKind::gemm, M, K, N));
  // A frozen weight gets no wgrad (autograd asks mm for dX only; TE Linear: ctx.requires_wgrad false).
  if (!x.frozen) ops.push_back(gemm_op(x, name + "_wgrad", OpKind::gemm, K, N, M));
}

// The LoRA adapter of layer projection `site` (lora_sites order) next to its base linear.
void lora(std::vector<Op>& ops, const Dims& x, const ModelSpec& m, int site) {
  if (x.shape) add_lora_ops(ops, *x.shape, lora_sites(m)[site], x.tokens, x.pass, x.block, recomputed(x));
}

// Fused LayerNorm/RMSNorm, named `name` in x.pass: forward reads x, writes y;
// backward reads dy, x and the residual gradient, writes dx. Eager RMSNorm is
// PyTorch's composite (kernel_sets.hpp eager_rmsnorm); eager LayerNorm is one
// native kernel (native_layer_norm) like the fused one.
void norm(std::vector<Op>& ops, const Dims& x, const char* name) {
  double n = double(x.tokens_sp * x.h);
  if (x.eager && x.rmsnorm) {
    std::string base = name;
    if (x.pass == Pass::backward && base.size() > 4) base.resize(base.size() - 4);  // "ln1_bwd" -> "ln1"
    push_kernels(ops, x, base, eager_rmsnorm(x.pass, n, double(x.tokens_sp), x.e));
    return;
  }
  ops.push_back(memory_op(x, name, (x.pass == Pass::forward ? 2 : 4) * x.e * n));
}

// Fused bias-dropout-add (residual), named `name` in x.pass: forward reads the
// branch and the residual, writes the sum and the mask; backward (only with
// dropout) reads dy and the mask, writes d(branch).
// Eager PyTorch runs the dropout (reads x, writes y and the mask) and the
// residual add (reads two, writes one) as two kernels.
void bias_dropout_add(std::vector<Op>& ops, const Dims& x, const char* name) {
  double n = double(x.tokens_sp * x.h), mask = x.dropout ? kMaskBytes : 0;
  if (x.pass == Pass::forward && x.eager && x.dropout) {
    ops.push_back(memory_op(x, (std::string(name) + "_dropout").c_str(), (2 * x.e + mask) * n));
    ops.push_back(memory_op(x, (std::string(name) + "_add").c_str(), 3 * x.e * n));
  } else if (x.pass == Pass::forward)
    ops.push_back(memory_op(x, name, (3 * x.e + mask) * n));
  else if (x.dropout)
    ops.push_back(memory_op(x, name, (2 * x.e + mask) * n));
}

// Unfused core attention (Megatron without FlashAttention): baddbmm scores,
// fused scale-mask-softmax, dropout, bmm with V, on (b a/t) x s_q x s_k.
// x.attention_core is set: selective recompute re-runs these forward ops.
void unfused_core(std::vector<Op>& ops, const Dims& x) {
  i64 batch = x.b * x.heads;
  double S = double(batch * x.s_q * x.s_k), mask = x.dropout ? kMaskBytes : 0;
  if (x.pass == Pass::forward) {
    ops.push_back(gemm_op(x, "attn_scores", OpKind::batched_gemm, x.s_q, x.s_k, x.d, batch));
    ops.push_back(memory_op(x, "attn_softmax", 2 * x.e * S));
    if (x.dropout) ops.push_back(memory_op(x, "attn_dropout", (2 * x.e + mask) * S));
    ops.push_back(gemm_op(x, "attn_context", OpKind::batched_gemm, x.s_q, x.d, x.s_k, batch));
    return;
  }
  ops.push_back(gemm_op(x, "attn_context_dgrad", OpKind::batched_gemm, x.s_q, x.s_k, x.d, batch));
  ops.push_back(gemm_op(x, "attn_context_vgrad", OpKind::batched_gemm, x.s_k, x.d, x.s_q, batch));
  if (x.dropout) ops.push_back(memory_op(x, "attn_dropout_bwd", (2 * x.e + mask) * S));
  ops.push_back(memory_op(x, "attn_softmax_bwd", 3 * x.e * S));
  ops.push_back(gemm_op(x, "attn_scores_qgrad", OpKind::batched_gemm, x.s_q, x.d, x.s_k, batch));
  ops.push_back(gemm_op(x, "attn_scores_kgrad", OpKind::batched_gemm, x.s_k, x.d, x.s_q, batch));
}

// FlashAttention: forward 4 s_q s_k d FLOP per head (halved when causal),
// backward 2.5x (docs/reference/hardware.md §4b convention). Reads Q, K, V, writes O (and
// the fp32 log-sum-exp); backward also reads O, dO and writes dQ, dK, dV.
// x.attention_core is set: selective recompute re-runs the forward op.
void flash_core(std::vector<Op>& ops, const Dims& x) {
  Op op;
  op.name = x.pass == Pass::forward ? "attn_core" : "attn_core_bwd";
  op.kind = OpKind::attention;
  op.pass = x.pass;
  op.block = x.block;
  op.recompute = recomputed(x);
  op.seq_q = x.s_q, op.seq_k = x.pack > 0 ? x.pack : x.s_k, op.head_dim = x.d, op.batch = x.b * x.heads;
  op.causal = true;
  // Packed sequences: each query sees the keys of its own sub-sequence only,
  // on average x.pack (sum s_i^2 / sum s_i) of them.
  double fwd = 4.0 * double(x.b * x.heads * x.s_q * op.seq_k * x.d) * 0.5;
  double q = double(x.b * x.s_q * x.heads * x.d), kv = double(x.b * x.s_k * x.kv * x.d);
  double lse = kFp32Bytes * double(x.b * x.heads * x.s_q);
  if (x.pass == Pass::forward) {
    op.flops = fwd;
    op.bytes = x.e * (2 * q + 2 * kv) + lse;
  } else {
    op.flops = 2.5 * fwd;
    op.bytes = x.e * (5 * q + 4 * kv) + lse;
  }
  ops.push_back(op);
}

// Rotary embedding of Q and K: fused (Megatron apply_rope_fusion / TE fused
// RoPE) reads and writes each once; eager torchtitan: kernel_sets.hpp eager_rope.
void add_rope(std::vector<Op>& ops, const Dims& x) {
  const double q = double(x.tokens * x.heads * x.d), k = double(x.tokens * x.kv * x.d);
  const char* name = x.pass == Pass::forward ? "rope" : "rope_bwd";
  if (x.eager)
    push_kernels(ops, x, name, eager_rope(x.pass, q, k, x.e));
  else
    ops.push_back(memory_op(x, name, 2 * x.e * (q + k)));
}

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
  linear(ops, x, "qkv", x.tokens, qkv_n, x.h);
  lora(ops, x, m, 0);
  norm(ops, x, "ln1_bwd");
}

// Fused bias-activation: GeLU/ReLU read and write F; SwiGLU reads gate and up
// (2F) and writes F. Backward reads dy and the input, writes dx.
void activation(std::vector<Op>& ops, const ModelSpec& m, const Dims& x) {
  double f = double(x.tokens * x.ffn);
  bool glu = m.mlp == MlpKind::swiglu;
  if (glu && x.eager) {
    push_kernels(ops, x, x.pass == Pass::forward ? "act" : "act_bwd", eager_swiglu(x.pass, f, x.e));
    return;
  }
  if (x.pass == Pass::forward)
    ops.push_back(memory_op(x, "act", (glu ? 3 : 2) * x.e * f));
  else
    ops.push_back(memory_op(x, "act_bwd", (glu ? 5 : 3) * x.e * f));
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
    activation(ops, m, x);
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
  activation(ops, m, x);
  linear(ops, x, "fc1", x.tokens, fc1_n, x.h);
  lora(ops, x, m, 2);
  norm(ops, x, "ln2_bwd");
}

}  // namespace

std::vector<Op> layer_ops(const ModelSpec& m, const ActivationShape& shape) {
  std::vector<Op> ops;
  Dims x = dims_of(m, shape);
  x.recompute = shape.recompute;
  attention_block(ops, m, shape, x);
  mlp_block(ops, m, x);
  x.pass = Pass::backward;
  mlp_block(ops, m, x);
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

}  // namespace trainsim
