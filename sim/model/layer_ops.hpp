// The operations one transformer layer (and the embedding and output layer)
// runs on one GPU for one micro-batch, forward and backward, with FLOPs and
// HBM bytes. Pure arithmetic on shapes; durations live in sim/cost.
//
// Megatron-LM's fused kernel set is assumed (fused LayerNorm/RMSNorm, fused
// bias-GeLU / bias-SwiGLU, fused bias-dropout-add, fused scale-mask-softmax
// when FlashAttention is off). Shapes follow the TP/SP/CP share of the GPU:
// column-parallel QKV and fc1 split their N over tp, row-parallel projection
// and fc2 split their K over tp; with sequence parallelism the norms and
// dropouts see s/tp tokens; with context parallelism every op sees s/cp
// tokens and attention sees s/cp queries against s keys.
// shape.eager (PyTorch eager: torchtitan, the HF Trainer without
// torch.compile) replaces the fused RMSNorm, RoPE, SwiGLU, dropout-add and
// cross-entropy by their unfused kernel chains (kernel_sets.hpp), one op per
// kernel; shape.dropout false removes the dropout kernels and masks; under
// fp8 the casts follow shape.fp8_recipe (kernel_sets.hpp fp8_casts).
// shape.finetune: under LoRA the frozen linears (and the logits) keep their
// dgrad but lose their wgrad GEMM, the embedding its gradient scatter, and
// each target gains its adapter's kernels (lora.hpp); packed sequences give
// the attention core pack_mean_seq_len keys per query instead of seq_len.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/model/activations.hpp"
#include "sim/model/moe_ops.hpp"
#include "sim/spec/model_spec.hpp"

namespace trainsim {

enum class OpKind {
  gemm,          // dense matrix multiply (tensor cores); m, n, k, batch set
  attention,     // fused attention core (FlashAttention); seq_q, seq_k, head_dim, batch set
  batched_gemm,  // unfused attention score / context bmm; m, n, k, batch set
  memory,        // memory-bound kernel (norm, softmax, dropout, activation, add, loss, embedding)
};
const char* to_string(OpKind k);

enum class Pass { forward, backward };

// Which part of the layer an op belongs to: a TP collective follows the
// attention block and the MLP block in forward (and precedes them in backward).
enum class Block { attention, mlp, embedding, output };

struct Op {
  std::string name;  // "qkv", "attn_core", "fc1", "fc1_dgrad", ...
  OpKind kind = OpKind::memory;
  Pass pass = Pass::forward;
  Block block = Block::attention;
  double flops = 0;  // FLOP executed on this GPU
  double bytes = 0;  // HBM bytes read + written on this GPU
  // gemm / batched_gemm: C[m x n] = A[m x k] B[k x n], `batch` independent products.
  std::int64_t m = 0, n = 0, k = 0, batch = 1;
  // attention: `batch` independent (sequence, local head) problems, each of
  // seq_q queries against seq_k keys of head_dim.
  std::int64_t seq_q = 0, seq_k = 0, head_dim = 0;
  bool causal = true;
  bool recompute = false;  // executed again in backward under the recompute policy
};

// Forward and backward ops of one transformer layer for one micro-batch on one
// GPU (shape.tp, shape.cp, shape.sequence_parallel, shape.flash_attention,
// shape.precision). Backward of a GEMM is a data-gradient and a
// weight-gradient GEMM of the same FLOPs. Ops with `recompute` set are the
// ones shape.recompute re-runs in backward: none; selective = the attention
// core (scores, softmax, dropout, context); full = every forward op.
std::vector<Op> layer_ops(const ModelSpec& m, const ActivationShape& shape);

// Which kind layer `layer` (0-based) of a model is: an MoE or a dense MLP
// (moe_layers), full causal or sliding-window attention (sliding_layers; all
// layers when the card gives sliding_window without a per-layer list).
struct LayerKind {
  bool moe = false;
  bool sliding = false;
  int index() const { return (moe ? 1 : 0) + (sliding ? 2 : 0); }  // 0..3
};
inline constexpr int kLayerKinds = 4;
LayerKind layer_kind(const ModelSpec& m, int layer);

// The ops of a layer of kind `kind`: the attention block of the model's
// attention (grouped-query heads of head_dim, or MLA; q/k norms; a sliding
// window of sliding_window keys), and the dense MLP or the MoE layer of
// moe_ops.hpp on the busiest EP rank under `moe`. Attention sinks (GPT-OSS)
// add one logit per head to the softmax inside the fused kernel: no kernel,
// no FLOPs counted. layer_ops(m, shape) is the kind of layer 0 under {}.
std::vector<Op> layer_ops(const ModelSpec& m, const ActivationShape& shape, LayerKind kind, const MoeShape& moe);

// Word (+ position) embedding lookup forward and its gradient in backward,
// first pipeline stage.
std::vector<Op> embedding_ops(const ModelSpec& m, const ActivationShape& shape);

// Final norm, output (logits) GEMM, vocab-parallel cross-entropy, forward and
// backward, last pipeline stage.
std::vector<Op> output_ops(const ModelSpec& m, const ActivationShape& shape);

// DeepSeek-V3's multi-token prediction modules on the last pipeline stage
// (Megatron-core multi_token_prediction.py MultiTokenPredictionLayer, one per
// mtp_layers): per module the norms of the hidden state and of the shifted
// tokens' embedding, eh_proj (2h -> h), one transformer layer of the kind of
// the model's last layer, and the output layer and loss again; forward and
// backward, every op in Block::output. Empty for mtp_layers = 0.
std::vector<Op> mtp_ops(const ModelSpec& m, const ActivationShape& shape, const MoeShape& moe);

}  // namespace trainsim
