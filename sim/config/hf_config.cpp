// Hugging Face config.json -> ModelSpec. The key set is chosen by
// `model_type` (and by GPT-2's n_embd): each family's defaults follow its
// transformers configuration class.
#include "sim/config/hf_config.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "sim/config/error.hpp"
#include "sim/config/model_loader.hpp"

namespace trainsim {
namespace {

using nlohmann::json;

class HfReader {
 public:
  HfReader(const json& j, std::string file) : j_(j), file_(std::move(file)) {}

  bool has(const char* key) const { return j_.contains(key) && !j_[key].is_null(); }

  // A positive integer under the first of `keys` present; throws naming them all.
  int positive(std::initializer_list<const char*> keys) const {
    for (const char* k : keys)
      if (has(k)) return checked(k);
    std::string names;
    for (const char* k : keys) names += std::string(names.empty() ? "" : " or ") + k;
    throw ConfigError({file_, 0, *keys.begin()}, "missing required key (" + names + "): a positive integer");
  }

  int positive_or(const char* key, int fallback) const { return has(key) ? checked(key) : fallback; }

  bool flag_or(const char* key, bool fallback) const {
    if (!has(key)) return fallback;
    if (!j_[key].is_boolean()) throw ConfigError({file_, 0, key}, "expected true or false");
    return j_[key].get<bool>();
  }

  std::string text_or(const char* key, const std::string& fallback) const {
    return has(key) && j_[key].is_string() ? j_[key].get<std::string>() : fallback;
  }

  const std::string& file() const { return file_; }

 private:
  int checked(const char* key) const {
    const json& v = j_[key];
    bool whole = v.is_number_integer() || (v.is_number_float() && v.get<double>() == static_cast<long long>(v.get<double>()));
    if (!whole || v.get<double>() < 1 || v.get<double>() > 2e9)
      throw ConfigError({file_, 0, key}, "expected a positive integer, found " + v.dump());
    return static_cast<int>(v.get<double>());
  }

  const json& j_;
  std::string file_;
};

// Llama, Mistral, Qwen2 and similar: SwiGLU, RMSNorm, RoPE, no biases.
ModelSpec llama_like(const HfReader& r) {
  ModelSpec m;
  m.layers = r.positive({"num_hidden_layers"});
  m.hidden = r.positive({"hidden_size"});
  m.heads = r.positive({"num_attention_heads"});
  m.kv_heads = r.positive_or("num_key_value_heads", m.heads);
  m.ffn = r.positive({"intermediate_size"});
  m.vocab = r.positive({"vocab_size"});
  m.head_dim = r.positive_or("head_dim", m.hidden / m.heads);
  std::string act = r.text_or("hidden_act", "silu");
  m.mlp = act == "silu" || act == "swiglu" ? MlpKind::swiglu : act == "relu" ? MlpKind::relu : MlpKind::gelu;
  m.position = PositionKind::rope;
  m.norm = NormKind::rmsnorm;
  m.bias = r.flag_or("attention_bias", false);
  m.tied_embeddings = r.flag_or("tie_word_embeddings", false);
  m.dropout = false;
  return m;
}

// GPT-2: n_embd, n_layer, n_head, n_inner (null = 4 n_embd), n_positions; tied.
ModelSpec gpt2(const HfReader& r) {
  ModelSpec m;
  m.hidden = r.positive({"n_embd"});
  m.layers = r.positive({"n_layer"});
  m.heads = r.positive({"n_head"});
  m.kv_heads = m.heads;
  m.head_dim = m.hidden / m.heads;
  m.ffn = r.positive_or("n_inner", 4 * m.hidden);
  m.vocab = r.positive({"vocab_size"});
  m.max_position = r.positive_or("n_positions", 1024);
  m.tied_embeddings = r.flag_or("tie_word_embeddings", true);
  return m;  // gelu, learned, layernorm, biases, dropout: the ModelSpec defaults
}

// GPT-NeoX: hidden_size, num_hidden_layers, ...; rotary, LayerNorm with biases, untied.
ModelSpec gpt_neox(const HfReader& r) {
  ModelSpec m;
  m.layers = r.positive({"num_hidden_layers"});
  m.hidden = r.positive({"hidden_size"});
  m.heads = r.positive({"num_attention_heads"});
  m.kv_heads = m.heads;
  m.head_dim = m.hidden / m.heads;
  m.ffn = r.positive_or("intermediate_size", 4 * m.hidden);
  m.vocab = r.positive({"vocab_size"});
  m.position = PositionKind::rope;
  m.tied_embeddings = r.flag_or("tie_word_embeddings", false);
  return m;
}

// BLOOM: n_layer, n_head, hidden_size (or n_embed); ALiBi, embedding LayerNorm, tied.
ModelSpec bloom(const HfReader& r) {
  ModelSpec m;
  m.layers = r.positive({"n_layer", "num_hidden_layers"});
  m.hidden = r.positive({"hidden_size", "n_embed"});
  m.heads = r.positive({"n_head", "num_attention_heads"});
  m.kv_heads = m.heads;
  m.head_dim = m.hidden / m.heads;
  m.ffn = 4 * m.hidden;
  m.vocab = r.positive({"vocab_size"});
  m.position = PositionKind::alibi;
  m.embedding_norm = true;
  m.tied_embeddings = r.flag_or("tie_word_embeddings", true);
  return m;
}

// OPT: ffn_dim, ReLU, learned positions with OPT's 2-row offset, tied.
ModelSpec opt(const HfReader& r) {
  ModelSpec m;
  m.layers = r.positive({"num_hidden_layers"});
  m.hidden = r.positive({"hidden_size"});
  m.heads = r.positive({"num_attention_heads"});
  m.kv_heads = m.heads;
  m.head_dim = m.hidden / m.heads;
  m.ffn = r.positive({"ffn_dim"});
  m.vocab = r.positive({"vocab_size"});
  m.max_position = r.positive_or("max_position_embeddings", 2048) + 2;
  m.mlp = MlpKind::relu;
  m.tied_embeddings = r.flag_or("tie_word_embeddings", true);
  return m;
}

ModelSpec by_family(const HfReader& r) {
  std::string type = r.text_or("model_type", "");
  if (type == "gpt2" || (type.empty() && r.has("n_embd"))) return gpt2(r);
  if (type == "gpt_neox") return gpt_neox(r);
  if (type == "bloom") return bloom(r);
  if (type == "opt") return opt(r);
  return llama_like(r);
}

// 1-based line of byte offset `byte` in `text`.
int line_of(const std::string& text, size_t byte) {
  int line = 1;
  for (size_t i = 0; i < byte && i < text.size(); ++i)
    if (text[i] == '\n') ++line;
  return line;
}

std::string model_name(const json& j, const std::string& file) {
  if (j.contains("_name_or_path") && j["_name_or_path"].is_string()) {
    std::string n = j["_name_or_path"].get<std::string>();
    if (!n.empty()) return std::filesystem::path(n).filename().string();
  }
  std::filesystem::path p(file);
  std::string stem = p.stem().string();
  if (stem == "config" && p.has_parent_path() && !p.parent_path().filename().empty())
    return p.parent_path().filename().string();
  return stem;
}

}  // namespace

ModelSpec parse_hf_config(const std::string& json_text, const std::string& file) {
  json j;
  try {
    j = json::parse(json_text);
  } catch (const json::parse_error& e) {
    throw ConfigError({file, line_of(json_text, e.byte), ""}, std::string("malformed JSON: ") + e.what());
  }
  if (!j.is_object()) throw ConfigError({file, 1, ""}, "expected a JSON object (a Hugging Face config.json)");
  HfReader r(j, file);
  ModelSpec m = by_family(r);
  m.name = model_name(j, file);
  m.source = "Hugging Face config.json: " + file;
  if (m.hidden % m.heads != 0 && !r.has("head_dim"))
    throw ConfigError({file, 0, "num_attention_heads"}, "attention heads must divide the hidden size");
  check_model(m, file);
  return m;
}

ModelSpec load_hf_config(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw ConfigError({path, 0, ""}, "cannot open this config.json");
  std::stringstream ss;
  ss << in.rdbuf();
  return parse_hf_config(ss.str(), path);
}

}  // namespace trainsim
