// Building blocks shared by the layer-op files of sim/model (layer_ops.cpp,
// attention_ops.cpp, moe_ops.cpp): the per-GPU dimensions of one
// micro-batch and the builders of GEMM, memory-bound and attention-core ops.
// Private to sim/model (no other folder includes it); layer_ops.hpp states
// the kernel set and the conventions these follow.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/model/kernel_sets.hpp"
#include "sim/model/layer_ops.hpp"
#include "sim/model/moe_ops.hpp"

namespace trainsim::detail {

using i64 = std::int64_t;

i64 ceil_div(i64 a, i64 b);

// The per-GPU dimensions of one micro-batch.
struct Dims {
  i64 tokens = 0;     // b * s / cp: rows of every GEMM
  i64 tokens_sp = 0;  // tokens seen by norms and dropouts (/ t with SP)
  i64 b = 0, s_q = 0, s_k = 0;
  i64 h = 0, d = 0, heads = 0, kv = 0, ffn = 0, vocab = 0;
  i64 dv = 0;      // value (and output) head width of the attention core; = d except under MLA
  i64 window = 0;  // sliding-window layer: keys each query sees at most; 0 = full causal
  double e = 2;    // activation element bytes
  double ge = 2;   // GEMM input element bytes
  double ae = 2;   // attention bmm input element bytes (bf16 under FP8: attention_precision)
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
bool recomputed(const Dims& x);
Dims dims_of(const ModelSpec& m, const ActivationShape& sh);
Op memory_op(const Dims& x, const char* name, double bytes);
// One memory op per kernel of `ks`, named `name` + the kernel's suffix.
void push_kernels(std::vector<Op>& ops, const Dims& x, const std::string& name, const std::vector<Kernel>& ks);
// C[m x n] = A[m x k] B[k x n], `batch` times.
Op gemm_op(const Dims& x, std::string name, OpKind kind, i64 m, i64 n, i64 k, i64 batch = 1);
// A linear layer Y[M x N] = X[M x K] W[K x N] in x.pass (forward; backward:
// dgrad and, unless frozen, wgrad), with the FP8 casts of its recipe.
void linear(std::vector<Op>& ops, const Dims& x, const std::string& name, i64 M, i64 N, i64 K);
// The LoRA adapter of layer projection `site` (lora_sites order).
void lora(std::vector<Op>& ops, const Dims& x, const ModelSpec& m, int site);
// Fused LayerNorm/RMSNorm over x.tokens_sp rows of x.h.
void norm(std::vector<Op>& ops, const Dims& x, const char* name);
// Fused bias-dropout-add (residual).
void bias_dropout_add(std::vector<Op>& ops, const Dims& x, const char* name);
// Attention cores: unfused (baddbmm, softmax, dropout, bmm) and FlashAttention.
void unfused_core(std::vector<Op>& ops, const Dims& x);
void flash_core(std::vector<Op>& ops, const Dims& x);
// Rotary embedding of Q and K.
void add_rope(std::vector<Op>& ops, const Dims& x);
// Fused bias-activation over `f` elements (tokens x F).
void activation(std::vector<Op>& ops, const ModelSpec& m, const Dims& x, double f);

// Multi-head latent attention block (attention_ops.cpp).
void mla_block(std::vector<Op>& ops, const ModelSpec& m, const ActivationShape& sh, Dims x);
// Per-head query/key norms after the QKV projection (attention_ops.cpp).
void qk_norm(std::vector<Op>& ops, const Dims& x);
// The MLP block of an MoE layer on the busiest EP rank (moe_ops.cpp).
void moe_mlp_block(std::vector<Op>& ops, const ModelSpec& m, const MoeShape& moe, Dims x);

}  // namespace trainsim::detail
