// The architecture of a decoder-only transformer, as read from a model card
// (models/*.yaml) or a Hugging Face config.json. Pure data: counting
// parameters, FLOPs and activations lives in params.hpp / activations.hpp.
#pragma once

#include <string>
#include <vector>

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

// How a router turns its logits into expert weights (Megatron-core
// moe_router_score_function): softmax (Mixtral, Qwen-MoE) or sigmoid
// (DeepSeek-V3, Llama 4).
enum class RouterScore { softmax, sigmoid };

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

  // Attention shapes beyond Q/K/V/O of heads x head_dim (docs/models.md).
  bool add_qkv_bias = false;         // Q, K and V carry biases though `bias` is off (Qwen2-MoE)
  bool qk_layernorm = false;         // a norm of head_dim on each query and key head (Qwen3 q_norm/k_norm)
  bool attention_sinks = false;      // one learned sink logit per head per layer (GPT-OSS `sinks`)
  int sliding_window = 0;            // window of the sliding-window layers in tokens; 0 = none
  std::vector<bool> sliding_layers;  // per layer: true = sliding window (empty: all when sliding_window > 0)
  // Multi-head latent attention (DeepSeek-V2/V3): used when kv_lora_rank > 0.
  int q_lora_rank = 0;  // query compression rank; 0 = queries projected directly from the hidden state
  int kv_lora_rank = 0;
  int qk_nope_head_dim = 0;  // per-head query/key width without rotary embedding
  int qk_rope_head_dim = 0;  // per-head query/key width with rotary embedding (the key part shared by all heads)
  int v_head_dim = 0;        // per-head value width

  // Mixture of experts (Megatron-core names); moe_experts = 0: a dense model.
  int moe_experts = 0;           // num_moe_experts: routed experts per MoE layer
  int moe_topk = 0;              // moe_router_topk: routed experts per token
  int moe_ffn = 0;               // moe_ffn_hidden_size: FFN size of one routed expert
  int moe_shared_ffn = 0;        // moe_shared_expert_intermediate_size: all shared experts together; 0 = none
  bool moe_shared_gate = false;  // moe_shared_expert_gate: a sigmoid gate (h -> 1) on the shared expert
  std::vector<bool> moe_layers;  // per layer: true = MoE layer (moe_layer_freq); empty for a dense model
  RouterScore moe_router_score = RouterScore::softmax;
  bool moe_router_expert_bias = false;  // moe_router_enable_expert_bias: DeepSeek-V3's e_score_correction_bias
  int moe_router_groups = 0;            // moe_router_num_groups (n_group); 0 = no group-limited routing
  int moe_router_group_topk = 0;        // moe_router_group_topk (topk_group)
  double moe_capacity_factor = 0.0;     // moe_expert_capacity_factor; 0 = dropless
  // Multi-token prediction modules (DeepSeek-V3 num_nextn_predict_layers).
  int mtp_layers = 0;

  bool is_moe() const { return moe_experts > 0; }
  bool is_mla() const { return kv_lora_rank > 0; }
};

const char* to_string(MlpKind k);
const char* to_string(PositionKind k);
const char* to_string(NormKind k);
const char* to_string(RouterScore k);

}  // namespace trainsim
