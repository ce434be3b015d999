// Activation bytes by tensor; see activations.hpp for the model and sources.
// All arithmetic is on whole byte counts held in doubles (exact below 2^53),
// so the Korthikanti formulas are reproduced to the byte.
#include "sim/model/activations.hpp"

#include <algorithm>

#include "sim/model/lora.hpp"
#include "sim/spec/framework_profile.hpp"

namespace trainsim {
namespace {

constexpr double kTokenIdBytes = 8;  // int64 token id

// Sizes of one micro-batch on one GPU, as doubles for the byte arithmetic.
struct Dims {
  double e;      // activation element bytes
  double g;      // bytes of a saved GEMM input: 1 under fp8 (Transformer Engine keeps the
                 // FP8 cast it fed the forward GEMM, for the weight-gradient GEMM), else e
  double tok;    // tokens on this GPU: (s / cp) * b
  double s;      // full sequence (keys seen by each local query)
  double s_loc;  // local queries: s / cp
  double b;
  double h;
  double q;      // query width a * d
  double kv;     // key (or value) width g * d
  double f;      // MLP inner size F
  double v;      // vocabulary
  double heads;  // query heads a
  double t;      // TP size: divides the TP-split tensors
  double sp;     // t with sequence parallelism, else 1: divides the rest
  bool dropout;
  bool flash;
  bool eager_rmsnorm;  // PyTorch eager RMSNorm (composite of element-wise ops)
  bool eager_swiglu;   // PyTorch eager SwiGLU: silu(w1 x) * (w3 x) as two kernels
};

Dims dims(const ModelSpec& m, const ActivationShape& x) {
  Dims d{};
  int head_dim = m.head_dim > 0 ? m.head_dim : m.hidden / std::max(1, m.heads);
  d.e = activation_element_bytes(x.precision);
  // NVFP4: the input X is kept as the columnwise copy the wgrad GEMM reads.
  d.g = x.precision == Precision::fp8   ? fp8_saved_element_bytes(x)
        : x.precision == Precision::fp4 ? kNvfp4ElementBytes
                                        : d.e;
  d.s = x.seq_len;
  d.s_loc = static_cast<double>(x.seq_len) / x.cp;
  d.b = x.micro_batch;
  d.tok = d.s_loc * d.b;
  d.h = m.hidden;
  d.q = static_cast<double>(m.heads) * head_dim;
  d.kv = static_cast<double>(m.kv_heads > 0 ? m.kv_heads : m.heads) * head_dim;
  d.f = m.ffn;
  d.v = m.vocab;
  d.heads = m.heads;
  d.t = x.tp;
  d.sp = x.sequence_parallel ? x.tp : 1;
  d.dropout = dropout_active(m, x);
  d.flash = x.flash_attention;
  d.eager_rmsnorm = x.eager && x.composite_rmsnorm && m.norm == NormKind::rmsnorm;
  d.eager_swiglu = x.eager && m.mlp == MlpKind::swiglu;
  return d;
}

// Tensors of s x s per head (no FlashAttention): softmax output, and with
// dropout its mask and the dropped-out probabilities. 5 a s^2 b for GPT.
double score_bytes(const Dims& d) {
  if (d.flash) return 0;
  double per_element = d.e + (d.dropout ? kMaskBytes + d.e : 0);
  return per_element * d.heads * d.s_loc * d.s * d.b / d.t;
}

// Attention block without the score tensors: 11 s b h for GPT (TP: 3 s b h
// replicated + 8 s b h / t).
double attention_bytes(const Dims& d) {
  double qkv_input = d.g * d.tok * d.h / d.sp;                      // LayerNorm output, input of the QKV GEMM
  double q_and_k = d.e * d.tok * (d.q + d.kv) / d.t;                // inputs of Q K^T
  double values = d.e * d.tok * d.kv / d.t;                         // V, input of the attention-over-values GEMM
  double proj_input = d.g * d.tok * d.q / d.t;                      // context, input of the output projection
  double mask = d.dropout ? kMaskBytes * d.tok * d.h / d.sp : 0;    // post-attention dropout
  double stats = d.flash ? kFp32Bytes * d.heads * d.tok / d.t : 0;  // FlashAttention log-sum-exp
  return qkv_input + q_and_k + values + proj_input + mask + stats;
}

// MLP block: 19 s b h for a GeLU MLP with F = 4h (TP: 3 s b h + 16 s b h / t).
double mlp_bytes(const ModelSpec& m, const Dims& d) {
  double fc1_input = d.g * d.tok * d.h / d.sp;
  double inner = d.e * d.tok * d.f / d.t;      // one s x b x F/t tensor
  double fc2_input = d.g * d.tok * d.f / d.t;  // the activation's output, saved as the fc2 GEMM input
  double kept = 0;
  switch (m.mlp) {
    case MlpKind::gelu: kept = inner + fc2_input; break;        // GeLU input (fc1 output) and output
    case MlpKind::relu: kept = fc2_input; break;                // ReLU output only (its backward uses the output)
    case MlpKind::swiglu: kept = 2 * inner + fc2_input; break;  // fc1 output (gate and up, 2F) and SwiGLU output (F)
  }
  // Eager SwiGLU (torchtitan models/llama3/model.py FeedForward.forward:
  // w2(F.silu(w1(x)) * w3(x))): silu saves its input (w1 out), the product
  // saves both factors (silu out, w3 out): the silu output is one more F
  // tensor than the fused bias_swiglu (megatron/core/fusions/fused_bias_swiglu.py
  // saves only the fc1 output).
  if (d.eager_swiglu) kept += inner;
  double mask = d.dropout ? kMaskBytes * d.tok * d.h / d.sp : 0;
  return fc1_input + kept + mask;
}

// Inputs of the two norms: 4 s b h. Eager RMSNorm (PyTorch's composite
// rms_norm, aten/src/ATen/native/layer_norm.cpp: x.to(fp32), pow, mean, add,
// rsqrt, mul, type_as, mul by the weight) keeps per element the fp32 upcast
// input (saved by pow and mul) and the 16-bit normalised value (saved by the
// weight multiply) instead of the fused kernel's input alone.
double norm_bytes(const Dims& d) {
  double per_element = d.eager_rmsnorm ? kFp32Bytes + d.e : d.e;
  return 2 * per_element * d.tok * d.h / d.sp;
}

double layer_input_bytes(const Dims& d) { return d.e * d.tok * d.h / d.sp; }  // 2 s b h

// torchtitan per-op SAC (ActivationShape::op_sac): only the outputs the policy
// MUST_SAVEs stay; checkpoint_wrapper keeps the block input to re-run the
// rest. Attention: wq out (the 1st mm), wv out (the 3rd), the SDPA output and
// its fp32 log-sum-exp; wk, wo (2nd, 4th) recomputed. MLP: w1 out (5th) and w2
// out (7th; w3, the 6th, recomputed): under TP the row-parallel w2 mm output is
// the full-width partial sum (tok x h), and with sequence parallelism the
// reduce_scatter_tensor outputs after wo and w2 (tok x h / t each) are saved.
LayerActivations op_sac_layer(const Dims& d) {
  LayerActivations a;
  const double rs = d.sp > 1 ? d.e * d.tok * d.h / d.sp : 0;
  a.checkpoint = Bytes(layer_input_bytes(d));
  a.attention = Bytes(d.e * d.tok * (2 * d.q + d.kv) / d.t + kFp32Bytes * d.heads * d.tok / d.t + rs);
  a.mlp = Bytes(d.e * d.tok * d.f / d.t + d.e * d.tok * d.h + rs);
  return a;
}

}  // namespace

ActivationShape activation_shape(const Scenario& s) {
  ActivationShape x;
  x.seq_len = s.training.seq_len;
  x.micro_batch = s.training.micro_batch;
  x.tp = s.parallel.tp;
  x.cp = s.parallel.cp;
  x.sequence_parallel = s.parallel.sequence_parallel && s.parallel.tp > 1;
  x.flash_attention = s.training.flash_attention;
  x.recompute = s.training.recompute;
  x.precision = s.training.precision;
  x.recompute_num_layers = s.training.recompute_num_layers;
  x.recompute_method = s.training.recompute_method.value_or(RecomputeMethod::block);
  if (s.training.dropout) x.dropout = *s.training.dropout > 0;
  x.eager = eager_kernels(s);
  x.fp8_recipe = s.training.fp8_recipe.value_or(Fp8Recipe::delayed);
  x.op_sac = torchtitan_op_sac(s);
  x.composite_rmsnorm = !s.training.fused_rmsnorm;
  x.finetune = s.training.finetune;
  return x;
}

bool torchtitan_op_sac(const Scenario& s) {
  return kernel_style(s.framework).op_level_sac && s.training.recompute == Recompute::selective &&
         s.training.flash_attention;
}

bool eager_kernels(const Scenario& s) { return kernel_style(s.framework).eager && !s.training.compile; }

bool dropout_active(const ModelSpec& m, const ActivationShape& shape) {
  return shape.dropout ? *shape.dropout : m.dropout;
}

double fp8_saved_element_bytes(const ActivationShape& shape) {
  constexpr double kFp8 = 1;
  switch (shape.fp8_recipe) {
    case Fp8Recipe::delayed:
    case Fp8Recipe::tensorwise: return kFp8;                      // one scale per tensor
    case Fp8Recipe::blockwise: return kFp8 + kFp32Bytes / 128.0;  // fp32 scale per 1x128 block
    case Fp8Recipe::mxfp8: return kFp8 + 1.0 / 32.0;              // E8M0 scale per 32 elements
    case Fp8Recipe::rowwise: return activation_element_bytes(Precision::bf16);
  }
  return kFp8;
}

double fp8_weight_cache_bytes(Fp8Recipe recipe) {
  switch (recipe) {
    case Fp8Recipe::delayed:
    case Fp8Recipe::tensorwise: return 2;
    case Fp8Recipe::blockwise: return 2 + 2 * kFp32Bytes / (128.0 * 128.0);
    case Fp8Recipe::mxfp8: return 2 + 2 / 32.0;
    case Fp8Recipe::rowwise: return 0;
  }
  return 0;
}

int recomputed_layers(const ActivationShape& shape, int layers) {
  if (shape.recompute != Recompute::full) return 0;
  if (shape.recompute_num_layers > 0 && shape.recompute_method == RecomputeMethod::block)
    return std::min(shape.recompute_num_layers, layers);
  return layers;
}

bool layer_recomputed(const ActivationShape& shape, int index) { return index < recomputed_layers(shape, index + 1); }

Bytes chunk_stored_activations(const ModelSpec& m, const ActivationShape& shape, int layers) {
  if (layers <= 0) return Bytes(0);
  const double n = layers;
  if (shape.recompute != Recompute::full || shape.recompute_num_layers <= 0)
    return stored_layer_activations(m, shape).total() * n;
  const Bytes checkpoint(layer_input_bytes(dims(m, shape)));
  const int group = shape.recompute_num_layers;
  if (shape.recompute_method == RecomputeMethod::uniform)
    return checkpoint * static_cast<double>((layers + group - 1) / group);
  ActivationShape kept = shape;
  kept.recompute = Recompute::none;
  const int r = recomputed_layers(shape, layers);
  return checkpoint * static_cast<double>(r) + stored_layer_activations(m, kept).total() * double(layers - r);
}

Bytes chunk_backward_working(const ModelSpec& m, const ActivationShape& shape, int layers) {
  if (layers <= 0) return Bytes(0);
  const Bytes one = layer_backward_working(m, shape);
  const bool groups = shape.recompute == Recompute::full && shape.recompute_num_layers > 1 &&
                      shape.recompute_method == RecomputeMethod::uniform;
  if (!groups) return one;
  ActivationShape kept = shape;
  kept.recompute = Recompute::none;
  const int group = std::min(shape.recompute_num_layers, layers);
  return one + stored_layer_activations(m, kept).total() * double(group - 1);  // the group's other layers
}

int activation_element_bytes(Precision p) { return p == Precision::fp32 ? 4 : 2; }

double gemm_element_bytes(Precision p) {
  if (p == Precision::fp8) return 1;
  if (p == Precision::fp4) return 0.5;
  return p == Precision::fp32 ? 4 : 2;
}

Precision attention_precision(Precision p) { return quantized_gemms(p) ? Precision::bf16 : p; }

double weight_cache_bytes(Precision p, Fp8Recipe recipe) {
  if (p == Precision::fp8) return fp8_weight_cache_bytes(recipe);
  if (p == Precision::fp4) return 2 * (0.5 + 1.0 / 256.0);
  return 0;
}

LayerActivations stored_layer_activations(const ModelSpec& m, const ActivationShape& shape) {
  Dims d = dims(m, shape);
  LayerActivations a;
  if (shape.recompute == Recompute::full) {
    a.checkpoint = Bytes(layer_input_bytes(d));
    return a;
  }
  if (shape.recompute == Recompute::selective && shape.op_sac) return op_sac_layer(d);
  double scores = shape.recompute == Recompute::selective ? 0 : score_bytes(d);
  a.attention = Bytes(attention_bytes(d) + scores);
  a.mlp = Bytes(mlp_bytes(m, d));
  a.norms = Bytes(norm_bytes(d));
  const LoraActivations lora = lora_stored(m, shape);  // adapters (lora.hpp); none without LoRA
  a.attention += Bytes(lora.attention);
  a.mlp += Bytes(lora.mlp);
  return a;
}

Bytes layer_backward_working(const ModelSpec& m, const ActivationShape& shape) {
  Dims d = dims(m, shape);
  double grads = 2 * layer_input_bytes(d);  // gradient w.r.t. the layer output and the layer input
  double mlp_inner = (m.mlp == MlpKind::swiglu ? 2 : 1) * d.e * d.tok * d.f / d.t;
  double score_grad = d.flash ? 0 : d.e * d.heads * d.s_loc * d.s * d.b / d.t;
  double working = grads + std::max(mlp_inner, score_grad);
  if (shape.recompute == Recompute::full) {
    ActivationShape none = shape;
    none.recompute = Recompute::none;
    working += stored_layer_activations(m, none).total().value();  // the rematerialised layer
  } else if (shape.recompute == Recompute::selective && shape.op_sac) {
    // checkpoint_wrapper (early_stop false) re-runs the block's forward before
    // its backward: the non-saved tensors come back, the saved ones are held.
    ActivationShape none = shape;
    none.recompute = Recompute::none;
    const LayerActivations kept = op_sac_layer(d);
    working += std::max(0.0, (stored_layer_activations(m, none).total() - kept.attention - kept.mlp).value());
  } else if (shape.recompute == Recompute::selective) {
    working += score_bytes(d);  // the recomputed attention core
  }
  return Bytes(working);
}

Bytes embedding_activations(const ModelSpec& m, const ActivationShape& shape) {
  Dims d = dims(m, shape);
  double ids = kTokenIdBytes * d.tok;
  double mask = d.dropout ? kMaskBytes * d.tok * d.h / d.sp : 0;
  double norm_input = m.embedding_norm ? d.e * d.tok * d.h / d.sp : 0;
  return Bytes(ids + mask + norm_input);
}

Bytes output_activations(const ModelSpec& m, const ActivationShape& shape) {
  Dims d = dims(m, shape);
  double final_norm_input = (d.eager_rmsnorm ? kFp32Bytes + d.e : d.e) * d.tok * d.h / d.sp;  // see norm_bytes
  double output_layer_input = d.e * d.tok * d.h / d.sp;
  double fp32_logits = kFp32Bytes * d.tok * d.v / d.t;  // softmax kept by the vocab-parallel cross entropy
  return Bytes(final_norm_input + output_layer_input + fp32_logits);
}

Bytes output_working(const ModelSpec& m, const ActivationShape& shape) {
  Dims d = dims(m, shape);
  return Bytes(d.e * d.tok * d.v / d.t);
}

}  // namespace trainsim
