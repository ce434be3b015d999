// Mixture-of-experts and newer-attention config.json families (hf_moe.hpp).
// Key names and their meaning as transformers' configuration and modeling
// files define them:
//   mixtral     MixtralConfig: num_local_experts, num_experts_per_tok; every
//               layer MoE, experts of intermediate_size, softmax router.
//   qwen2_moe   Qwen2MoeConfig: num_experts, moe_intermediate_size,
//   qwen3_moe   shared_expert_intermediate_size (+ shared_expert_gate),
//               decoder_sparse_step, mlp_only_layers: layer i is MoE when
//               i is not in mlp_only_layers and (i + 1) % decoder_sparse_step
//               == 0 (Qwen2MoeDecoderLayer). Qwen2 biases Q, K, V; Qwen3 norms
//               each query and key head (q_norm, k_norm) and gives head_dim.
//   qwen3       Qwen3Config: the dense Qwen3 (head_dim, q_norm, k_norm).
//   deepseek_v2 DeepseekV3Config (modeling_deepseek.py): n_routed_experts,
//   deepseek_v3 n_shared_experts x moe_intermediate_size shared, layer i MoE
//   kimi_k2     when i >= first_k_dense_replace and i % moe_layer_freq == 0;
//               MLA (q_lora_rank, kv_lora_rank, qk_nope/rope_head_dim,
//               v_head_dim); scoring_func; topk_method noaux_tc adds
//               e_score_correction_bias; num_nextn_predict_layers MTP modules.
//   llama4      Llama4Config.text_config (Llama4TextConfig): num_local_experts,
//               intermediate_size (experts and the shared expert),
//               intermediate_size_mlp (dense layers), moe_layers or
//               interleave_moe_layer_step (layers step-1, 2 step-1, ...),
//               sigmoid router. The vision encoder is not read.
//   gpt_oss     GptOssConfig: num_local_experts, num_experts_per_tok
//               (experts_per_token), attention_bias (Q/K/V/O, router and
//               expert biases), sinks, sliding_window over layer_types.
#include "sim/import/hf/hf_moe.hpp"

#include <algorithm>

namespace trainsim {
namespace {

using hf::Reader;

void read_common(const Reader& r, ModelSpec& m) {
  hf::read_llama_shape(r, m);
  const std::string act = r.has("hidden_act") ? r.string("hidden_act") : "silu";
  if (act != "silu" && act != "swish")
    r.fail("hidden_act", "'" + act + "' is not supported for this architecture; valid: silu (SwiGLU)");
  m.mlp = MlpKind::swiglu;
  m.position = PositionKind::rope;
  m.norm = NormKind::rmsnorm;
  m.tied_embeddings = r.boolean("tie_word_embeddings", false);
  m.bias = r.boolean("attention_bias", false);
  m.embedding_norm = false;
  m.dropout = r.number("attention_dropout", 0.0) > 0.0;
}

void all_layers_moe(ModelSpec& m) { m.moe_layers.assign(static_cast<std::size_t>(m.layers), true); }

void read_mixtral(const Reader& r, ModelSpec& m) {
  read_common(r, m);
  m.ffn = r.required_int({"intermediate_size"});
  m.moe_experts = r.required_int({"num_local_experts"});
  m.moe_topk = r.required_int({"num_experts_per_tok"});
  m.moe_ffn = m.ffn;
  all_layers_moe(m);
  if (auto w = r.optional_int("sliding_window")) m.sliding_window = *w;  // null in Mixtral's published configs
}

void read_qwen(const Reader& r, const std::string& type, ModelSpec& m) {
  read_common(r, m);
  m.ffn = r.required_int({"intermediate_size"});
  m.qk_layernorm = type != "qwen2_moe";             // Qwen3Attention q_norm, k_norm
  m.add_qkv_bias = type == "qwen2_moe" && !m.bias;  // Qwen2MoeAttention: bias=True on q, k, v
  if (r.boolean("use_sliding_window", false))
    r.fail("use_sliding_window", "Qwen's sliding-window layers (max_window_layers) are not supported; set false");
  if (type == "qwen3") return;
  m.moe_experts = r.required_int({"num_experts"});
  m.moe_topk = r.required_int({"num_experts_per_tok"});
  m.moe_ffn = r.required_int({"moe_intermediate_size"});
  m.moe_shared_ffn = r.count("shared_expert_intermediate_size", 0);
  m.moe_shared_gate = m.moe_shared_ffn > 0;  // Qwen2MoeSparseMoeBlock.shared_expert_gate: h -> 1
  const int step = r.optional_int("decoder_sparse_step").value_or(1);
  const std::vector<int> dense = r.int_list("mlp_only_layers");
  m.moe_layers.resize(static_cast<std::size_t>(m.layers));
  for (int i = 0; i < m.layers; ++i)
    m.moe_layers[static_cast<std::size_t>(i)] =
        (i + 1) % step == 0 && std::find(dense.begin(), dense.end(), i) == dense.end();
}

void read_deepseek_router(const Reader& r, ModelSpec& m) {
  const std::string score = r.has("scoring_func") ? r.string("scoring_func") : "softmax";
  if (score != "softmax" && score != "sigmoid") r.fail("scoring_func", "'" + score + "': valid: softmax, sigmoid");
  m.moe_router_score = score == "sigmoid" ? RouterScore::sigmoid : RouterScore::softmax;
  const std::string method = r.has("topk_method") ? r.string("topk_method") : "greedy";
  if (method != "greedy" && method != "group_limited_greedy" && method != "noaux_tc")
    r.fail("topk_method", "'" + method + "': valid: greedy, group_limited_greedy, noaux_tc");
  m.moe_router_expert_bias = method == "noaux_tc";  // MoEGate.e_score_correction_bias
  const int groups = r.count("n_group", 0);
  if (method != "greedy" && groups > 1) {
    m.moe_router_groups = groups;
    m.moe_router_group_topk = r.required_int({"topk_group"});
  }
}

void read_deepseek(const Reader& r, ModelSpec& m) {
  read_common(r, m);
  m.kv_heads = m.heads;  // MLA: every head has its own K and V from the latent
  m.ffn = r.required_int({"intermediate_size"});
  m.q_lora_rank = r.count("q_lora_rank", 0);
  m.kv_lora_rank = r.required_int({"kv_lora_rank"});
  m.qk_nope_head_dim = r.required_int({"qk_nope_head_dim"});
  m.qk_rope_head_dim = r.required_int({"qk_rope_head_dim"});
  m.v_head_dim = r.required_int({"v_head_dim"});
  m.head_dim = m.qk_nope_head_dim + m.qk_rope_head_dim;
  m.mtp_layers = r.count("num_nextn_predict_layers", 0);
  m.moe_experts = r.count("n_routed_experts", 0);
  if (m.moe_experts == 0) return;
  m.moe_topk = r.required_int({"num_experts_per_tok"});
  m.moe_ffn = r.required_int({"moe_intermediate_size"});
  m.moe_shared_ffn = r.count("n_shared_experts", 0) * m.moe_ffn;
  const int first_dense = r.count("first_k_dense_replace", 0);
  const int every = r.optional_int("moe_layer_freq").value_or(1);
  m.moe_layers.resize(static_cast<std::size_t>(m.layers));
  for (int i = 0; i < m.layers; ++i) m.moe_layers[static_cast<std::size_t>(i)] = i >= first_dense && i % every == 0;
  read_deepseek_router(r, m);
}

void read_llama4(const Reader& top, const std::string& type, ModelSpec& m) {
  const Reader r = type == "llama4" ? top.child("text_config") : top;
  read_common(r, m);
  if (!r.has("tie_word_embeddings")) m.tied_embeddings = top.boolean("tie_word_embeddings", false);
  m.moe_ffn = r.required_int({"intermediate_size"});
  m.ffn = r.optional_int("intermediate_size_mlp").value_or(m.moe_ffn);
  m.moe_experts = r.required_int({"num_local_experts"});
  m.moe_topk = r.required_int({"num_experts_per_tok"});
  m.moe_shared_ffn = m.moe_ffn;  // Llama4TextMoe.shared_expert: one MLP of intermediate_size
  m.moe_router_score = RouterScore::sigmoid;
  m.moe_layers.assign(static_cast<std::size_t>(m.layers), false);
  std::vector<int> listed = r.int_list("moe_layers");
  if (listed.empty()) {
    const int step = r.optional_int("interleave_moe_layer_step").value_or(1);
    for (int i = step - 1; i < m.layers; i += step) listed.push_back(i);
  }
  for (int i : listed) {
    if (i >= m.layers) r.fail("moe_layers", "layer " + std::to_string(i) + " is past num_hidden_layers");
    m.moe_layers[static_cast<std::size_t>(i)] = true;
  }
  if (auto ctx = r.optional_int("max_position_embeddings")) {
    m.context_length = *ctx;
    m.context_source = "text_config.max_position_embeddings";
  }
  m.source = "language model only; the vision encoder is not counted";
}

void read_gpt_oss(const Reader& r, ModelSpec& m) {
  read_common(r, m);
  m.ffn = r.required_int({"intermediate_size"});
  m.moe_experts = r.required_int({"num_local_experts"});
  m.moe_topk = r.required_int({r.has("num_experts_per_tok") ? "num_experts_per_tok" : "experts_per_token"});
  m.moe_ffn = m.ffn;
  all_layers_moe(m);
  m.attention_sinks = true;  // GptOssAttention.sinks
  m.sliding_window = r.count("sliding_window", 0);
  const std::vector<std::string> types = r.string_list("layer_types");
  if (m.sliding_window == 0 || types.empty()) return;
  if (types.size() != static_cast<std::size_t>(m.layers))
    r.fail("layer_types", "needs one entry per layer (" + std::to_string(m.layers) + ")");
  for (const std::string& t : types) {
    if (t != "sliding_attention" && t != "full_attention")
      r.fail("layer_types", "'" + t + "': valid: sliding_attention, full_attention");
    m.sliding_layers.push_back(t == "sliding_attention");
  }
}

}  // namespace

bool is_hf_moe_family(const std::string& t) {
  for (const char* name : {"mixtral", "qwen2_moe", "qwen3_moe", "qwen3", "deepseek_v2", "deepseek_v3", "kimi_k2",
                           "llama4", "llama4_text", "gpt_oss"})
    if (t == name) return true;
  return false;
}

const char* hf_moe_family_names() {
  return "mixtral, qwen2_moe, qwen3, qwen3_moe, deepseek_v2, deepseek_v3, kimi_k2, llama4, llama4_text, gpt_oss";
}

void read_hf_moe(const hf::Reader& r, const std::string& type, ModelSpec& m) {
  if (type == "mixtral") return read_mixtral(r, m);
  if (type.rfind("qwen", 0) == 0) return read_qwen(r, type, m);
  if (type.rfind("deepseek", 0) == 0 || type == "kimi_k2") return read_deepseek(r, m);
  if (type.rfind("llama4", 0) == 0) return read_llama4(r, type, m);
  read_gpt_oss(r, m);
}

}  // namespace trainsim
