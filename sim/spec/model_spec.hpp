// The architecture of a decoder-only transformer, as read from a model card
// (models/*.yaml) or a Hugging Face config.json. Pure data: counting
// parameters, FLOPs and activations lives in params.hpp / activations.hpp.
#pragma once

#include <string>

namespace trainsim {

enum class MlpKind {
  gelu,    // two matrices h->F->h with GeLU (GPT, BLOOM, GPT-NeoX)
  relu,    // two matrices with ReLU (OPT); same shapes as gelu
  swiglu,  // three matrices gate, up: h->F, down: F->h (Llama, Mistral)
};

enum class PositionKind {
  learned,  // a trained position-embedding table of max_position x hidden (GPT-2/3, OPT)
  rope,     // rotary, no parameters (Llama, GPT-NeoX)
  alibi,    // attention bias, no parameters (BLOOM)
};

enum class NormKind {
  layernorm,  // weight and bias: 2 h parameters
  rmsnorm,    // weight only: h parameters
};

struct ModelSpec {
  std::string name;      // zoo name or file stem
  std::string source;    // where the architecture comes from (citation)
  int layers = 0;        // transformer layers L
  int hidden = 0;        // hidden size h
  int heads = 0;         // attention (query) heads a
  int kv_heads = 0;      // key/value heads g (= heads for MHA, < heads for GQA)
  int head_dim = 0;      // per-head size d (kv_channels); usually hidden / heads
  int ffn = 0;           // MLP inner size F
  int vocab = 0;         // vocabulary V (as padded by the training framework)
  int max_position = 0;  // rows of the learned position table (learned positions only)
  // Longest sequence the model was trained for (HF max_position_embeddings /
  // n_positions, card key context_length); 0 when unknown. The scenario's
  // default training.seq_len when it gives none.
  int context_length = 0;
  std::string context_source;  // where context_length came from, e.g. "n_positions of config.json"
  MlpKind mlp = MlpKind::gelu;
  PositionKind position = PositionKind::learned;
  NormKind norm = NormKind::layernorm;
  bool tied_embeddings = false;  // output layer shares the input embedding matrix
  bool bias = true;              // linear layers carry biases
  bool embedding_norm = false;   // a norm right after the word embedding (BLOOM)
  bool dropout = true;           // dropout layers active in training (stores 1-byte masks)
};

const char* to_string(MlpKind k);
const char* to_string(PositionKind k);
const char* to_string(NormKind k);

}  // namespace trainsim
