// Activation memory of a decoder-only transformer, from first principles.
//
// Every tensor a layer keeps for its backward pass is counted by shape and
// element size. For a GPT layer (GeLU MLP with F = 4h, MHA, dropout, 16-bit
// activations, no FlashAttention) the sums reduce exactly to Korthikanti et
// al. 2022, "Reducing Activation Recomputation in Large Transformer Models"
// (docs/reference/formulas.md §2):
//   attention 11 s b h + 5 a s^2 b, MLP 19 s b h, two norms 4 s b h;
//   TP: s b h (10 + 24/t + 5 a s/(h t)); TP+SP: everything / t;
//   selective recompute drops the 5 a s^2 b term; full recompute keeps only the
//   layer input, 2 s b h (2 s b h / t with SP).
//
// Generalisations (each term in activations.cpp names the tensor it is):
//  - GQA / head_dim: Q is s b (a d), K and V are s b (g d) each.
//  - SwiGLU: the fc1 output holds gate and up (2 F), the activation output F.
//  - ReLU: only the activation output is kept (ReLU's backward needs its output).
//  - no dropout (model.dropout = false): no 1-byte masks, no dropout outputs.
//  - FlashAttention: no s^2 tensor; the softmax statistics (fp32, one per head
//    and token) are kept instead.
//  - context parallelism: each GPU holds s / cp tokens; the non-flash score
//    matrix is (s / cp) local queries x s keys per head.
//  - element size: 2 B for fp16/bf16; 4 B for fp32. Under fp8, Transformer
//    Engine keeps norms, activation functions and attention in bf16 (2 B) but
//    saves the inputs of the four linear layers (QKV and fc1: the norm
//    output; the projection: the attention context; fc2: the activation
//    output) as the 1-byte FP8 casts it fed the forward GEMMs, which the
//    weight-gradient GEMMs read (TE `Linear`/`LayerNormLinear`/`LayerNormMLP`
//    save the FP8 input for wgrad). GPT layer with SP under fp8: 27 s b h / t
//    instead of 34 s b h / t (no scores).
//    Dropout masks are 1 B (PyTorch bool); token ids 8 B (int64).
//  - training.dropout 0: as model.dropout false.
//  - eager PyTorch (shape.eager): the composite RMSNorm keeps its fp32 input
//    and 16-bit normal (4 + e per element instead of e), the unfused SwiGLU
//    one more F tensor (the silu output).
//  - FP8 recipes: block scales add to the saved 1-byte inputs; torchao
//    rowwise saves them in 16 bits (fp8_saved_element_bytes).
//  - partial recomputation: chunk_stored_activations, chunk_backward_working.
#pragma once

#include <optional>

#include "sim/spec/scenario.hpp"
#include "sim/core/quantity.hpp"
#include "sim/spec/model_spec.hpp"

namespace trainsim {

// What fixes the size of the activations one GPU stores for one micro-batch.
struct ActivationShape {
  int seq_len = 2048;              // s: tokens per sequence (before context parallelism)
  int micro_batch = 1;             // b: sequences per micro-batch
  int tp = 1;                      // t: tensor-parallel size
  int cp = 1;                      // context-parallel size (splits the sequence)
  bool sequence_parallel = false;  // Megatron SP: the non-TP-split tensors are split over t too
  bool flash_attention = false;    // fused attention: no s x s scores stored
  Recompute recompute = Recompute::none;
  Precision precision = Precision::bf16;
  // Partial recomputation under recompute full (training.recompute_num_layers,
  // training.recompute_method; Megatron-core transformer_block.py
  // _checkpointed_forward): 0 = every layer checkpointed on its own; uniform =
  // checkpoint groups of N layers (each keeps only its input); block = the
  // first N layers of each pipeline stage's model chunk checkpointed, the
  // others keep all their activations.
  int recompute_num_layers = 0;
  RecomputeMethod recompute_method = RecomputeMethod::block;
  std::optional<bool> dropout;  // dropout kernels and masks; nullopt = the model card's `dropout`
  // PyTorch eager: RMSNorm, RoPE, SwiGLU, dropout + residual add and the
  // cross-entropy run as separate element-wise kernels (eager_kernels()).
  bool eager = false;
  // Eager RMSNorm is PyTorch's composite rms_norm (PyTorch <= 2.8); PyTorch
  // 2.9 added aten::_fused_rms_norm / _fused_rms_norm_backward (one kernel
  // each way, saving the input and rstd, as the fused norm). A
  // framework-version item for the profiles: false = the fused kernel.
  bool composite_rmsnorm = true;
  Fp8Recipe fp8_recipe = Fp8Recipe::delayed;  // under precision fp8 (training.fp8_recipe)
  // torchtitan's per-op selective activation checkpointing (recompute
  // selective under framework.name torchtitan, with FlashAttention):
  // torchtitan/distributed/activation_checkpoint.py SelectiveAC._wrap_block
  // _get_custom_policy (2024: parallelisms/parallelize_llama.py _save_list,
  // _custom_policy) wraps each block in checkpoint_wrapper and MUST_SAVEs the
  // outputs of the save-list ops (aten.mm except every second one counted in
  // the block's forward, the flash/efficient SDPA, reduce_scatter_tensor,
  // max); every other op is PREFER_RECOMPUTE, re-run in the backward. In a
  // Llama block the mms run wq, wk, wv, wo, w1, w3, w2: wq, wv, w1, w2 kept,
  // wk, wo, w3 recomputed (op_sac_stored_bytes, layer_ops).
  bool op_sac = false;
  // PEFT/LoRA and packed sequences (training.peft, ...; sim/spec/finetune.hpp):
  // frozen base weights drop their weight-gradient GEMMs, adapters add theirs
  // (lora.hpp); packed sequences run attention within each sub-sequence.
  FineTuning finetune;
};

// Whether the framework runs the element-wise ops as eager PyTorch does, one
// kernel per op: torchtitan and the HF Trainer without torch.compile
// (training.compile false). Megatron (TE / apex fused kernels), DeepSpeed
// (Megatron-DeepSpeed's fused kernels) and compiled models run them fused.
// The framework profiles (issue 19) will hold this per framework and version.
bool eager_kernels(const Scenario& s);

// Whether dropout runs: training.dropout when given (0 = off), else the card's.
bool dropout_active(const ModelSpec& m, const ActivationShape& shape);

// Bytes of one saved FP8 GEMM-input element with its scales, by recipe
// (Transformer Engine transformer_engine/pytorch/tensor/: Float8Tensor keeps
// one fp32 scale per tensor; Float8BlockwiseQTensor one fp32 scale per 128
// elements; MXFP8Tensor one E8M0 byte per 32 elements). rowwise (torchao
// float8 axiswise scaling, torchao/float8/float8_linear.py
// matmul_with_hp_or_float8_args) saves the high-precision input and re-casts
// it in the backward: the activation element size.
double fp8_saved_element_bytes(const ActivationShape& shape);

// Bytes per linear-layer weight element of Transformer Engine's FP8 weight
// cache under `recipe`: TE casts the weights in the first micro-batch of a
// step and keeps the casts for the others (transformer_engine/pytorch/module/
// linear.py Linear.forward is_first_microbatch; module/base.py
// get_weight_workspace), across steps as module workspaces. Hopper's FP8
// GEMMs take only the TN layout, so the cache holds the weight and its
// transpose: delayed and tensorwise 1 + 1 B (tensor/float8_tensor.py
// Float8Tensor data and transpose), blockwise 2 B + an fp32 scale per
// 128 x 128 block of each layout (float8_blockwise_tensor.py), mxfp8 2 B + an
// E8M0 scale per 32 elements of each (mxfp8_tensor.py rowwise and columnwise
// data). rowwise (torchao) keeps no cache: 0 (its weight casts are per
// micro-batch, kernel_sets.hpp fp8_casts).
double fp8_weight_cache_bytes(Fp8Recipe recipe);

// Bytes per weight of the quantized weight cache under `p` (0 unless the
// GEMMs are quantized): fp8 as fp8_weight_cache_bytes(recipe); fp4 (TE
// NVFP4BlockScaling: weights in 2D 16 x 16 blocks, rowwise and columnwise
// data, one E4M3 scale per block each): 2 x (0.5 + 1/256).
double weight_cache_bytes(Precision p, Fp8Recipe recipe);

// NVFP4 (TE NVFP4BlockScaling): bytes per element of a tensor quantized in 1 x
// 16 blocks, E2M1 data (0.5 B) plus one E4M3 scale per 16 elements; the FP32
// per-tensor scale is negligible.
inline constexpr double kNvfp4ElementBytes = 0.5 + 1.0 / 16.0;

// The layers of a pipeline stage's model chunk of `layers` layers whose
// forward is re-run in the backward: all with recompute full (uniform or
// every layer), min(N, layers) with the block method, none otherwise
// (selective re-runs only the attention core of every layer).
int recomputed_layers(const ActivationShape& shape, int layers);

// Whether layer `index` (0-based, forward order) of a chunk is recomputed in
// full: the block method recomputes the first N layers only.
bool layer_recomputed(const ActivationShape& shape, int index);

// The shape of a scenario's micro-batch on one GPU.
ActivationShape activation_shape(const Scenario& s);

// Bytes of one activation element: 4 for fp32, else 2 (see the header comment for fp8).
int activation_element_bytes(Precision p);

// Bytes of one GEMM input element in precision p: 1 for fp8 (Transformer
// Engine casts the linear layers' inputs to FP8), 0.5 for fp4 (NVFP4's E2M1,
// two per byte; its scales are counted by the casts, kernel_sets.hpp), 4 for
// fp32, else 2.
double gemm_element_bytes(Precision p);

// The precision the attention core (FlashAttention or the unfused score and
// context bmm) runs in: fp8 and fp4 training keep it in bf16 (Transformer
// Engine casts only the linear layers; NVFP4BlockScaling fp8_dpa = False);
// other precisions run attention as they are.
Precision attention_precision(Precision p);

// Bytes of one fp32 element: softmax statistics, fp32 logits and gradients.
inline constexpr double kFp32Bytes = 4;

// Bytes of one dropout-mask element (PyTorch bool).
inline constexpr double kMaskBytes = 1;

// Bytes one GPU keeps for a model chunk of `layers` layers and one
// micro-batch, honouring partial recomputation: block = min(N, layers)
// checkpoints (layer inputs) + the other layers' full activations; uniform =
// one checkpoint (the group's input) per group of N layers, ceil(layers / N).
Bytes chunk_stored_activations(const ModelSpec& m, const ActivationShape& shape, int layers);

// Transient memory of the backward of a chunk of `layers` layers: one layer's
// (layer_backward_working), or with the uniform method the whole group of
// min(N, layers) layers rematerialised at once (tensor_parallel.checkpoint
// re-runs the group's forward before its backward).
Bytes chunk_backward_working(const ModelSpec& m, const ActivationShape& shape, int layers);

// Whether a scenario's selective recompute is torchtitan's per-op SAC
// (ActivationShape::op_sac): framework torchtitan, recompute selective,
// FlashAttention on (the save list holds the fused SDPA kernels).
bool torchtitan_op_sac(const Scenario& s);

// Bytes one GPU keeps for one transformer layer and one micro-batch, by block.
struct LayerActivations {
  Bytes attention;   // QKV input, Q, K, V, scores or softmax statistics, projection input, dropout mask
  Bytes mlp;         // fc1 input, activation-function input/output, dropout mask
  Bytes norms;       // the inputs of the two norms
  Bytes checkpoint;  // full recompute: the layer input only (the other fields are then 0)
  Bytes total() const { return attention + mlp + norms + checkpoint; }
};

// Activations stored between a layer's forward and its backward, honouring
// shape.recompute.
LayerActivations stored_layer_activations(const ModelSpec& m, const ActivationShape& shape);

// Transient memory while one layer's backward runs, for one micro-batch: the
// gradients of the layer output and input, the largest intermediate gradient
// (MLP inner activation or, without FlashAttention, the score matrix), plus
// what recomputation rematerialises: the whole layer's activations with full
// recompute, the attention score tensors with selective recompute.
Bytes layer_backward_working(const ModelSpec& m, const ActivationShape& shape);

// First pipeline stage, per micro-batch: token ids (8 B each), the embedding
// dropout mask, and the embedding norm's input when the model has one (BLOOM).
// The embedding output is the first layer's input and is counted there.
Bytes embedding_activations(const ModelSpec& m, const ActivationShape& shape);

// Last pipeline stage, per micro-batch: the final norm's input, the output
// layer's input and the fp32 logits kept by the cross-entropy loss, split over
// t (vocab-parallel): for 16-bit GPT 4 s b h + 4 s b V / t, docs/reference/formulas.md §2's
// 4 s b h (1 + V/h) with the vocabulary split.
Bytes output_activations(const ModelSpec& m, const ActivationShape& shape);

// Last stage, transient: the 16-bit logits that exist next to the fp32 copy
// while the loss runs (and their 16-bit gradient in the backward).
Bytes output_working(const ModelSpec& m, const ActivationShape& shape);

}  // namespace trainsim
