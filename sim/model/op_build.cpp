// Building blocks of the layer ops (layer_ops.cpp, attention_ops.cpp,
// moe_ops.cpp): the per-GPU dimensions of a micro-batch and the op builders
// they share. Private to sim/model. Byte counts are HBM reads + writes of
// each kernel's tensors (e = activation element size, kMaskBytes per
// dropout-mask element, kFp32Bytes per fp32 element); FLOPs of memory-bound
// kernels are not counted (they never bind on tensor-core GPUs). GEMM inputs
// are gemm_element_bytes (1 byte in FP8: Transformer Engine casts them),
// outputs stay at the activation size.
#include "sim/model/op_build.hpp"

#include <algorithm>

#include "sim/model/lora.hpp"

namespace trainsim::detail {

i64 ceil_div(i64 a, i64 b) { return (a + b - 1) / b; }

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
  x.dv = m.head_dim;
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
Op gemm_op(const Dims& x, std::string name, OpKind kind, i64 m, i64 n, i64 k, i64 batch) {
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
// x.attention_core is set: selective recompute re-runs these forward ops. The
// context bmm has the value width dv; a sliding window only masks scores.
void unfused_core(std::vector<Op>& ops, const Dims& x) {
  i64 batch = x.b * x.heads;
  double S = double(batch * x.s_q * x.s_k), mask = x.dropout ? kMaskBytes : 0;
  if (x.pass == Pass::forward) {
    ops.push_back(gemm_op(x, "attn_scores", OpKind::batched_gemm, x.s_q, x.s_k, x.d, batch));
    ops.push_back(memory_op(x, "attn_softmax", 2 * x.e * S));
    if (x.dropout) ops.push_back(memory_op(x, "attn_dropout", (2 * x.e + mask) * S));
    ops.push_back(gemm_op(x, "attn_context", OpKind::batched_gemm, x.s_q, x.dv, x.s_k, batch));
    return;
  }
  ops.push_back(gemm_op(x, "attn_context_dgrad", OpKind::batched_gemm, x.s_q, x.s_k, x.dv, batch));
  ops.push_back(gemm_op(x, "attn_context_vgrad", OpKind::batched_gemm, x.s_k, x.dv, x.s_q, batch));
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
  // on average x.pack (sum s_i^2 / sum s_i) of them. Q K^T takes 2 d and P V
  // 2 dv FLOP per (query, key) pair (d = dv but under MLA).
  double fwd = 2.0 * double(x.b * x.heads * x.s_q * op.seq_k * (x.d + x.dv)) * 0.5;
  if (x.window > 0 && x.window < op.seq_k) {
    // Sliding window (GPT-OSS): query i sees min(i + 1, w) keys, s w - w^2 / 2
    // pairs of the s^2 / 2 causal ones (FlashAttention's window_size skips the
    // tiles outside the band); the efficiency is looked up at w keys.
    const double s = double(op.seq_k), w = double(x.window);
    fwd *= (s * w - 0.5 * w * w) / (0.5 * s * s);
    op.seq_k = x.window;
  }
  const double q = double(x.b * x.s_q * x.heads * x.d), o = double(x.b * x.s_q * x.heads * x.dv);
  const double k = double(x.b * x.s_k * x.kv * x.d), v = double(x.b * x.s_k * x.kv * x.dv);
  double lse = kFp32Bytes * double(x.b * x.heads * x.s_q);
  if (x.pass == Pass::forward) {
    op.flops = fwd;
    op.bytes = x.e * (q + o + k + v) + lse;  // reads Q, K, V, writes O
  } else {
    op.flops = 2.5 * fwd;
    op.bytes = x.e * (2 * q + 3 * o + 2 * (k + v)) + lse;  // reads Q, K, V, O, dO; writes dQ, dK, dV
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

// Fused bias-activation: GeLU/ReLU read and write F; SwiGLU reads gate and up
// (2F) and writes F. Backward reads dy and the input, writes dx.
void activation(std::vector<Op>& ops, const ModelSpec& m, const Dims& x, double f) {
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

}  // namespace trainsim::detail
