// Hugging Face config.json -> ModelSpec (hf_config.hpp).
//
// Key sets, as the transformers library's configuration classes define them:
//   llama    LlamaConfig / MistralConfig / Qwen2Config: hidden_size,
//            num_hidden_layers, num_attention_heads, num_key_value_heads,
//            intermediate_size, vocab_size, head_dim, tie_word_embeddings;
//            gated MLP (SwiGLU), RoPE, RMSNorm, no biases unless attention_bias.
//            (Qwen2's hard-wired Q/K/V biases, (a + 2g) d per layer, are not
//            counted: ModelSpec has one bias flag for all linear layers.)
//   gpt2     GPT2Config: n_embd, n_layer, n_head, n_inner, n_positions;
//            learned positions, LayerNorm, biases, GeLU, tied embeddings.
//   gpt_neox GPTNeoXConfig: the llama key names; rotary, LayerNorm, biases,
//            GeLU, untied unless tie_word_embeddings.
//   bloom    BloomConfig: n_embed|hidden_size, n_layer, n_head; ALiBi, a
//            LayerNorm after the embedding, tied embeddings, F = 4h.
//   opt      OPTConfig: ffn_dim, max_position_embeddings (+2: OPT's learned
//            position table keeps an offset of 2 rows), ReLU, tied.
//   moe      the mixture-of-experts families and Qwen3 (hf_moe.cpp).
// The family comes from model_type, else from which keys are present.
#include "sim/import/hf/hf_config.hpp"

#include <algorithm>
#include <climits>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <optional>
#include <sstream>

#include <nlohmann/json.hpp>

#include "sim/config/json_read.hpp"
#include "sim/spec/input_file.hpp"

#include "sim/core/error.hpp"
#include "sim/spec/limits.hpp"
#include "sim/config/model_check.hpp"
#include "sim/import/hf/hf_moe.hpp"
#include "sim/import/hf/hf_reader.hpp"

namespace trainsim {
namespace {

using hf::line_at;
using hf::Reader;
using json = nlohmann::json;
using Keys = hf::Keys;

enum class Family { llama, gpt2, neox, bloom, opt, moe };

Family detect_family(const Reader& r) {
  std::string type = r.string("model_type");
  if (type == "gpt2") return Family::gpt2;
  if (type == "gpt_neox") return Family::neox;
  if (type == "bloom") return Family::bloom;
  if (type == "opt") return Family::opt;
  if (type == "llama" || type == "mistral" || type == "qwen2") return Family::llama;
  if (is_hf_moe_family(type)) return Family::moe;
  if (!type.empty())
    r.fail("model_type", "unsupported model_type '" + type + "'; supported: llama, mistral, qwen2, gpt2, gpt_neox, " +
                             "bloom, opt, " + hf_moe_family_names());
  if (r.has("n_embd")) return Family::gpt2;
  if (r.has("n_embed")) return Family::bloom;
  if (r.has("ffn_dim")) return Family::opt;
  if (r.has("hidden_size") && r.has("intermediate_size")) return Family::llama;
  r.fail("model_type",
         "cannot tell the architecture: give model_type (llama, mistral, qwen2, gpt2, gpt_neox, "
         "bloom, opt) or the keys of one of them (e.g. hidden_size and intermediate_size)");
}

// Expert keys in a config whose model_type is a dense family (or missing).
void reject_moe(const Reader& r) {
  for (const char* k : {"num_local_experts", "num_experts", "n_routed_experts"})
    if (r.has(k))
      r.fail(k, std::string("expert keys need the model_type of a mixture-of-experts family (") +
                    hf_moe_family_names() + ")");
}

// head_dim: the explicit key when given, else hidden / heads (which must divide).
// Dropout is active when any dropout probability the config names is > 0.
bool any_dropout(const Reader& r, Keys keys, bool fallback) {
  bool any_given = false, positive = false;
  for (const char* k : keys) {
    if (!r.has(k)) continue;
    any_given = true;
    positive = positive || r.number(k, 0.0) > 0.0;
  }
  return any_given ? positive : fallback;
}

void read_llama(const Reader& r, ModelSpec& m) {
  hf::read_llama_shape(r, m);
  m.ffn = r.required_int({"intermediate_size"});
  std::string act = r.has("hidden_act") ? r.string("hidden_act") : "silu";
  if (act != "silu" && act != "swish")
    r.fail("hidden_act", "'" + act + "' is not supported for this architecture; valid: silu (SwiGLU)");
  m.mlp = MlpKind::swiglu;
  m.position = PositionKind::rope;  // max_position_embeddings: no parameters, ignored
  m.norm = NormKind::rmsnorm;
  m.tied_embeddings = r.boolean("tie_word_embeddings", false);
  m.bias = r.boolean("attention_bias", false);
  if (r.has("mlp_bias") && r.boolean("mlp_bias", false) != m.bias)
    r.fail("mlp_bias", "must equal attention_bias: trainsim models one bias setting for all linear layers");
  m.embedding_norm = false;
  m.dropout = any_dropout(r, {"attention_dropout", "hidden_dropout"}, false);
}

void read_gpt2(const Reader& r, ModelSpec& m) {
  m.hidden = r.required_int({"n_embd", "hidden_size"});
  m.layers = r.required_int({"n_layer", "num_hidden_layers"});
  m.heads = r.required_int({"n_head", "num_attention_heads"});
  m.kv_heads = m.heads;
  m.ffn = r.optional_int("n_inner").value_or(4 * m.hidden);  // GPT2Config: n_inner null -> 4 n_embd
  m.vocab = r.required_int({"vocab_size"});
  m.max_position = r.required_int({"n_positions", "max_position_embeddings"});
  m.head_dim = head_dim_of(r, m, "n_head");
  m.mlp = MlpKind::gelu;
  m.position = PositionKind::learned;
  m.norm = NormKind::layernorm;
  m.tied_embeddings = r.boolean("tie_word_embeddings", true);
  m.bias = true;
  m.dropout = any_dropout(r, {"resid_pdrop", "embd_pdrop", "attn_pdrop"}, true);
}

void read_neox(const Reader& r, ModelSpec& m) {
  m.hidden = r.required_int({"hidden_size"});
  m.layers = r.required_int({"num_hidden_layers"});
  m.heads = r.required_int({"num_attention_heads"});
  m.kv_heads = m.heads;
  m.ffn = r.optional_int("intermediate_size").value_or(4 * m.hidden);
  m.vocab = r.required_int({"vocab_size"});
  m.head_dim = head_dim_of(r, m, "num_attention_heads");
  m.mlp = MlpKind::gelu;
  m.position = PositionKind::rope;
  m.norm = NormKind::layernorm;
  m.tied_embeddings = r.boolean("tie_word_embeddings", false);
  m.bias = r.boolean("attention_bias", true);
  m.dropout = any_dropout(r, {"hidden_dropout", "attention_dropout"}, true);
}

void read_bloom(const Reader& r, ModelSpec& m) {
  m.hidden = r.required_int({"n_embed", "hidden_size"});
  m.layers = r.required_int({"n_layer", "num_hidden_layers"});
  m.heads = r.required_int({"n_head", "num_attention_heads"});
  m.kv_heads = m.heads;
  m.ffn = 4 * m.hidden;  // BloomMLP: dense_h_to_4h
  m.vocab = r.required_int({"vocab_size"});
  m.head_dim = head_dim_of(r, m, "n_head");
  m.mlp = MlpKind::gelu;
  m.position = PositionKind::alibi;
  m.norm = NormKind::layernorm;
  m.tied_embeddings = r.boolean("tie_word_embeddings", true);
  m.bias = true;
  m.embedding_norm = true;  // BloomModel.word_embeddings_layernorm
  m.dropout = any_dropout(r, {"hidden_dropout", "attention_dropout"}, true);
}

void read_opt(const Reader& r, ModelSpec& m) {
  m.hidden = r.required_int({"hidden_size"});
  m.layers = r.required_int({"num_hidden_layers"});
  m.heads = r.required_int({"num_attention_heads"});
  m.kv_heads = m.heads;
  m.ffn = r.required_int({"ffn_dim"});
  m.vocab = r.required_int({"vocab_size"});
  m.max_position = r.required_int({"max_position_embeddings"}) + 2;  // OPTLearnedPositionalEmbedding offset
  if (auto proj = r.optional_int("word_embed_proj_dim"); proj && *proj != m.hidden)
    r.fail("word_embed_proj_dim",
           "must equal hidden_size (" + std::to_string(m.hidden) + "): embedding projections are not modelled");
  m.head_dim = head_dim_of(r, m, "num_attention_heads");
  std::string act = r.has("activation_function") ? r.string("activation_function") : "relu";
  if (act != "relu" && act.rfind("gelu", 0) != 0)
    r.fail("activation_function", "'" + act + "' is not supported; valid: relu, gelu (and its variants gelu_new, ...)");
  m.mlp = act == "relu" ? MlpKind::relu : MlpKind::gelu;
  m.position = PositionKind::learned;
  m.norm = NormKind::layernorm;
  m.tied_embeddings = r.boolean("tie_word_embeddings", true);
  m.bias = r.boolean("enable_bias", true);
  m.dropout = any_dropout(r, {"dropout", "attention_dropout"}, true);
}

// The context length: the first of n_positions (GPT2Config), max_position_embeddings
// (LlamaConfig, OPTConfig, GPTNeoXConfig) and n_ctx (GPT-2's
// older name); BloomConfig (ALiBi) has none.
void read_context(const Reader& r, ModelSpec& m, const std::string& file) {
  for (const char* k : {"n_positions", "max_position_embeddings", "n_ctx"}) {
    if (!r.has(k)) continue;
    m.context_length = r.positive_int(k);
    m.context_source = std::string(k) + " of " + std::filesystem::path(file).filename().string();
    return;
  }
}

// The last part of "_name_or_path" when set (meta-llama/Llama-2-7b-hf -> Llama-2-7b-hf);
// else the folder of a file named config.json; else the file stem.
std::string model_name(const Reader& r, const std::string& file) {
  std::string given = r.string("_name_or_path");
  if (!given.empty()) return std::filesystem::path(given).filename().string();
  std::filesystem::path p(file);
  if (p.filename() == "config.json" && p.has_parent_path()) return p.parent_path().filename().string();
  return p.stem().string();
}

}  // namespace

ModelSpec parse_hf_config(const std::string& raw, const std::string& file) {
  JsonReadOptions opts;
  opts.what = "config.json";
  opts.duplicate_note = "; Python's json keeps the last one silently, so the model is ambiguous: give each key once";
  JsonText parsed = read_json(raw, file, opts);
  const json& j = parsed.root;
  const std::string& json_text = parsed.text;
  if (!j.is_object()) throw ConfigError({file, 1, ""}, "a config.json must hold one JSON object {...}");
  Reader r(j, json_text, file);
  ModelSpec m;
  const Family family = detect_family(r);
  if (family != Family::moe) reject_moe(r);
  switch (family) {
    case Family::llama: read_llama(r, m); break;
    case Family::gpt2: read_gpt2(r, m); break;
    case Family::neox: read_neox(r, m); break;
    case Family::bloom: read_bloom(r, m); break;
    case Family::opt: read_opt(r, m); break;
    case Family::moe: read_hf_moe(r, r.string("model_type"), m); break;
  }
  read_context(r, m, file);
  m.name = model_name(r, file);
  m.source = "Hugging Face config.json: " + file + (m.source.empty() ? "" : " (" + m.source + ")");
  check_model(m, file);
  return m;
}

ModelSpec load_hf_config(const std::string& path) {
  return parse_hf_config(read_input_file(path, "Hugging Face config.json file"), path);
}

namespace hf {

int head_dim_of(const Reader& r, const ModelSpec& m, const char* heads_key) {
  if (auto d = r.optional_int("head_dim")) return *d;
  if (m.hidden % m.heads != 0)
    r.fail(heads_key, "heads (" + std::to_string(m.heads) + ") must divide the hidden size (" +
                          std::to_string(m.hidden) + "), or give head_dim");
  return m.hidden / m.heads;
}

void read_llama_shape(const Reader& r, ModelSpec& m) {
  m.hidden = r.required_int({"hidden_size"});
  m.layers = r.required_int({"num_hidden_layers"});
  m.heads = r.required_int({"num_attention_heads"});
  m.kv_heads = r.optional_int("num_key_value_heads").value_or(m.heads);
  if (m.heads % m.kv_heads != 0)
    r.fail("num_key_value_heads", "must divide num_attention_heads (" + std::to_string(m.heads) + ")");
  m.vocab = r.required_int({"vocab_size"});
  m.head_dim = head_dim_of(r, m, "num_attention_heads");
}

}  // namespace hf
}  // namespace trainsim
