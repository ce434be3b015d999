#include "sim/load/model_loader.hpp"

#include <filesystem>

#include "sim/config/config_doc.hpp"
#include "sim/config/layer_pattern.hpp"
#include "sim/config/model_check.hpp"
#include "sim/load/doc_read.hpp"
#include "sim/import/hf/hf_config.hpp"

namespace trainsim {
namespace {

int as_int(const ConfigDoc& d, const std::string& key) { return static_cast<int>(d.get_int(key)); }

std::vector<bool> layer_pattern(const ConfigDoc& d, const std::string& key, int layers) {
  std::string error;
  std::vector<bool> flags = parse_layer_pattern(d.get_string(key), layers, error);
  if (!error.empty()) d.fail(key, "'" + d.get_string(key) + "': " + error);
  return flags;
}

// The attention variants and the mixture-of-experts keys (docs/models.md).
void read_attention_and_moe(const ConfigDoc& d, ModelSpec& m) {
  m.add_qkv_bias = d.get_bool("add_qkv_bias");
  m.qk_layernorm = d.get_bool("qk_layernorm");
  m.attention_sinks = d.get_bool("attention_sinks");
  m.sliding_window = as_int(d, "sliding_window");
  if (d.given("sliding_window_layers")) m.sliding_layers = layer_pattern(d, "sliding_window_layers", m.layers);
  m.q_lora_rank = as_int(d, "q_lora_rank");
  m.kv_lora_rank = as_int(d, "kv_lora_rank");
  m.qk_nope_head_dim = as_int(d, "qk_nope_head_dim");
  m.qk_rope_head_dim = as_int(d, "qk_rope_head_dim");
  m.v_head_dim = as_int(d, "v_head_dim");
  m.moe_experts = as_int(d, "num_moe_experts");
  m.moe_topk = as_int(d, "moe_router_topk");
  m.moe_ffn = d.given("moe_ffn_hidden_size") ? as_int(d, "moe_ffn_hidden_size") : m.ffn;
  m.moe_shared_ffn = as_int(d, "moe_shared_expert_intermediate_size");
  m.moe_shared_gate = d.get_bool("moe_shared_expert_gate");
  if (m.moe_experts > 0) m.moe_layers = layer_pattern(d, "moe_layer_freq", m.layers);
  m.moe_router_score = pick<RouterScore>(d, "moe_router_score_function");
  m.moe_router_expert_bias = d.get_bool("moe_router_enable_expert_bias");
  m.moe_router_groups = as_int(d, "moe_router_num_groups");
  m.moe_router_group_topk = as_int(d, "moe_router_group_topk");
  m.moe_capacity_factor = d.get_number("moe_expert_capacity_factor");
  m.mtp_layers = as_int(d, "mtp_num_layers");
}

ModelSpec from_doc(const ConfigDoc& d) {
  ModelSpec m;
  m.name = d.given("name") ? d.get_string("name") : std::filesystem::path(d.file()).stem().string();
  m.source = d.get_string("source");
  m.layers = as_int(d, "layers");
  m.hidden = as_int(d, "hidden");
  m.heads = as_int(d, "heads");
  m.kv_heads = d.given("kv_heads") ? as_int(d, "kv_heads") : m.heads;
  m.ffn = d.given("ffn") ? as_int(d, "ffn") : 4 * m.hidden;
  m.vocab = as_int(d, "vocab");
  m.mlp = pick<MlpKind>(d, "mlp");
  m.position = pick<PositionKind>(d, "position");
  m.norm = pick<NormKind>(d, "norm");
  m.tied_embeddings = d.get_bool("tied_embeddings");
  m.bias = d.get_bool("bias");
  m.embedding_norm = d.get_bool("embedding_norm");
  m.dropout = d.get_bool("dropout");
  read_attention_and_moe(d, m);
  if (m.hidden % m.heads != 0 && !d.given("head_dim"))
    d.fail("heads", "heads (" + std::to_string(m.heads) + ") must divide hidden (" + std::to_string(m.hidden) +
                        "), or give head_dim explicitly");
  m.head_dim = d.given("head_dim") ? as_int(d, "head_dim") : m.hidden / m.heads;
  if (m.position == PositionKind::learned) {
    if (!d.given("max_position"))
      d.fail("max_position", "position: learned needs max_position (rows of the position table), e.g. 2048");
    m.max_position = as_int(d, "max_position");
  } else if (d.given("max_position")) {
    m.max_position = as_int(d, "max_position");
  }
  if (d.given("context_length")) {
    m.context_length = as_int(d, "context_length");
    m.context_source = "context_length of the model card";
  } else if (m.position == PositionKind::learned) {
    m.context_length = m.max_position;
    m.context_source = "max_position of the model card";
  }
  if (m.heads % m.kv_heads != 0)
    d.fail("kv_heads",
           "kv_heads (" + std::to_string(m.kv_heads) + ") must divide heads (" + std::to_string(m.heads) + ")");
  return m;
}

}  // namespace

ModelSpec load_model(const std::string& path) {
  if (std::filesystem::path(path).extension() == ".json") return load_hf_config(path);
  ModelSpec m = from_doc(ConfigDoc::load_file(path, model_keys()));
  check_model(m, path);
  return m;
}

ModelSpec load_model_ref(const ConfigDoc& d, const std::string& key, const Zoo& zoo) {
  if (!d.is_inline(key)) {
    auto file = zoo.resolve(ZooKind::model, d.get_string(key), d.file(), d.where(key));
    return load_model(file.string());
  }
  const ConfigDoc& card = d.inline_doc(key);
  ModelSpec m = from_doc(card);
  if (!card.given("name")) m.name = "inline model";
  check_model(m, d.file());
  return m;
}

ModelSpec load_model_card_string(const std::string& yaml, const std::string& file) {
  ModelSpec m = from_doc(ConfigDoc::load_string(yaml, file, model_keys()));
  check_model(m, file);
  return m;
}

}  // namespace trainsim
