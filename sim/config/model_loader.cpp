#include "sim/config/model_loader.hpp"

#include <filesystem>

#include "sim/config/config_doc.hpp"
#include "sim/config/limits.hpp"
#include "sim/config/hf_config.hpp"

namespace trainsim {
namespace {

MlpKind mlp_kind(const std::string& s) {
  if (s == "swiglu") return MlpKind::swiglu;
  if (s == "relu") return MlpKind::relu;
  return MlpKind::gelu;
}

PositionKind position_kind(const std::string& s) {
  if (s == "rope") return PositionKind::rope;
  if (s == "alibi") return PositionKind::alibi;
  return PositionKind::learned;
}

int as_int(const ConfigDoc& d, const std::string& key) { return static_cast<int>(d.get_int(key)); }

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
  m.mlp = mlp_kind(d.get_choice("mlp"));
  m.position = position_kind(d.get_choice("position"));
  m.norm = d.get_choice("norm") == "rmsnorm" ? NormKind::rmsnorm : NormKind::layernorm;
  m.tied_embeddings = d.get_bool("tied_embeddings");
  m.bias = d.get_bool("bias");
  m.embedding_norm = d.get_bool("embedding_norm");
  m.dropout = d.get_bool("dropout");
  if (m.hidden % m.heads != 0 && !d.given("head_dim"))
    d.fail("heads", "heads (" + std::to_string(m.heads) + ") must divide hidden (" +
                        std::to_string(m.hidden) + "), or give head_dim explicitly");
  m.head_dim = d.given("head_dim") ? as_int(d, "head_dim") : m.hidden / m.heads;
  if (m.position == PositionKind::learned) {
    if (!d.given("max_position"))
      d.fail("max_position", "position: learned needs max_position (rows of the position table), e.g. 2048");
    m.max_position = as_int(d, "max_position");
  } else if (d.given("max_position")) {
    m.max_position = as_int(d, "max_position");
  }
  if (m.heads % m.kv_heads != 0)
    d.fail("kv_heads", "kv_heads (" + std::to_string(m.kv_heads) + ") must divide heads (" +
                           std::to_string(m.heads) + ")");
  return m;
}

}  // namespace

void check_model(const ModelSpec& m, const std::string& file) {
  auto fail = [&](const char* key, const std::string& msg) { throw ConfigError({file, 0, key}, msg); };
  if (m.layers < 1) fail("layers", "must be at least 1");
  if (m.hidden < 1) fail("hidden", "must be at least 1");
  if (m.heads < 1) fail("heads", "must be at least 1");
  if (m.kv_heads < 1 || m.heads % m.kv_heads != 0)
    fail("kv_heads", "must be >= 1 and divide heads (" + std::to_string(m.heads) + ")");
  if (m.head_dim < 1) fail("head_dim", "must be at least 1");
  if (m.ffn < 1) fail("ffn", "must be at least 1");
  if (m.vocab < 1) fail("vocab", "must be at least 1");
  if (m.position == PositionKind::learned && m.max_position < 1)
    fail("max_position", "position: learned needs max_position >= 1");
  // The limits of docs/limits.md (sim/config/limits.hpp), for models that do
  // not come through the key table (Hugging Face config.json, code).
  auto cap = [&](const char* key, int v, double limit) {
    if (v > limit)
      fail(key, std::to_string(v) + " is past trainsim's limit of " + std::to_string(static_cast<long long>(limit)) +
                    " (docs/limits.md)");
  };
  cap("layers", m.layers, kMaxLayers);
  cap("hidden", m.hidden, kMaxWidth);
  cap("heads", m.heads, kMaxHeads);
  cap("kv_heads", m.kv_heads, kMaxHeads);
  cap("head_dim", m.head_dim, kMaxWidth);
  cap("ffn", m.ffn, kMaxWidth);
  cap("vocab", m.vocab, kMaxVocab);
  cap("max_position", m.max_position, kMaxSequence);
}

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
