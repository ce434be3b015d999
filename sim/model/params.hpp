// Parameter counts of a ModelSpec, exact to the parameter.
#pragma once

#include <cstdint>

#include "sim/spec/model_spec.hpp"

namespace trainsim {

// Counted as the Hugging Face model counts sum(p.numel() for p in
// model.parameters()): every weight, bias and norm, the router's weight (and
// bias, and DeepSeek-V3's e_score_correction_bias), every expert.
struct ParamCounts {
  std::int64_t attention = 0;           // one layer: Q, K, V, output projection (+ biases, MLA norms, sinks)
  std::int64_t mlp = 0;                 // one dense layer: MLP matrices (+ biases)
  std::int64_t layer_norms = 0;         // one layer: its two norms
  std::int64_t per_layer = 0;           // one dense layer: attention + mlp + layer_norms
  std::int64_t word_embedding = 0;      // V x h
  std::int64_t position_embedding = 0;  // max_position x h for learned positions, else 0
  std::int64_t embedding_norm = 0;      // norm after the embedding (BLOOM), else 0
  std::int64_t final_norm = 0;          // norm before the output layer
  std::int64_t output_layer = 0;        // V x h when untied, 0 when tied
  std::int64_t total = 0;               // all unique parameters of the main model (no MTP)
  std::int64_t largest_layer = 0;       // DeepSpeed's "largest layer": max(per_layer, word_embedding)

  // Mixture of experts (zero for a dense model).
  int moe_layers = 0;               // MoE layers; the other layers - moe_layers are dense
  std::int64_t router = 0;          // one MoE layer: router weight (+ bias, + expert bias)
  std::int64_t routed_expert = 0;   // one routed expert's FFN
  std::int64_t shared_experts = 0;  // one MoE layer: all shared experts (+ their gate)
  std::int64_t moe_layer = 0;       // one MoE layer: attention + norms + router + experts + shared
  // Parameters one token uses: total less the routed experts it is not sent
  // to, moe_layers x (experts - topk) x routed_expert. Embedding and output
  // layer included (publishers differ: OpenAI leaves the embedding out).
  std::int64_t active = 0;

  // Multi-token prediction (DeepSeek-V3), not in `total`: per module enorm,
  // hnorm, eh_proj (2h -> h), one transformer layer and its final norm.
  std::int64_t mtp = 0;
  // A Hugging Face checkpoint also stores each MTP module's own copy of the
  // embedding and output head (model.layers.61.embed_tokens, shared_head.head).
  std::int64_t mtp_copies = 0;
  std::int64_t checkpoint = 0;  // total + mtp + mtp_copies: what the HF checkpoint holds
};

ParamCounts count_params(const ModelSpec& m);

// Parameters one tensor-parallel rank holds of one transformer layer
// (Megatron sharding: column-parallel QKV and MLP-in weights and biases split
// over tp; row-parallel weights split, their biases and the norms replicated).
std::int64_t layer_params_per_tp_rank(const ModelSpec& m, int tp);

// Parameters of one transformer layer, one TP rank, held in tensors of fewer
// than `threshold` elements: the norms' weights and biases and the linear
// layers' biases, each tested on its own (DeepSpeed ZeRO-3 keeps such tensors
// gathered: stage3_param_persistence_threshold, parameter_offload.py
// persistent_parameters). 0 when threshold <= 0.
std::int64_t small_layer_params_per_tp_rank(const ModelSpec& m, int tp, double threshold);

// Elements of the linear layers' weight matrices of one transformer layer on
// one TP rank (QKV, projection, MLP in and out; no biases or norms): the
// weights FP8 GEMMs read.
std::int64_t linear_weights_per_tp_rank(const ModelSpec& m, int tp);

// Parameters one TP rank holds of the word embedding / output layer
// (vocab-parallel: V x h / tp, rounded up).
std::int64_t vocab_params_per_tp_rank(const ModelSpec& m, int tp);

// Parameters one TP rank of a pipeline stage holds, by part. The first stage
// holds the word embedding (vocab-parallel), the learned position table and
// the embedding norm; the last stage the final norm and the output layer --
// its own copy of the word embedding when embeddings are tied and pp > 1
// (Megatron and DeepSpeed both keep one), none when tied on a single stage.
struct StageParams {
  std::int64_t layers = 0;     // the stage's transformer layers
  std::int64_t embedding = 0;  // first stage only
  std::int64_t output = 0;     // last stage only
  std::int64_t total() const { return layers + embedding + output; }
};
StageParams stage_params(const ModelSpec& m, int tp, int layers, bool first_stage, bool last_stage, int pp);

// Parameter tensors a pipeline stage holds, as the Hugging Face modules
// DeepSpeed trains name them: per layer its norms (weight, + bias for
// LayerNorm), Q, K, V and output projections and the MLP's two (GeLU) or three
// (SwiGLU) matrices, each with a bias when the model has biases; the first
// stage adds the word embedding, a learned position table and the embedding
// norm, the last the final norm and an output layer (untied, or a copy when
// pp > 1). DeepSpeed's ZeRO-3 optimizer never splits a tensor between
// sub-groups (stage3.py _create_fp16_sub_groups), so this bounds their number.
std::int64_t stage_param_tensors(const ModelSpec& m, int layers, bool first_stage, bool last_stage, int pp);

// Elements of the largest parameter tensor one TP rank of a stage holds: an
// MLP matrix (h x F / tp) or a projection (h x a·d / tp), or, with
// `vocab` (a stage holding the word embedding or the output layer), V x h / tp.
std::int64_t largest_param_tensor(const ModelSpec& m, int tp, bool vocab);

}  // namespace trainsim
