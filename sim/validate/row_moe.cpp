// MoE and model-card columns of a runs CSV row (row_moe.hpp).
#include "sim/validate/row_moe.hpp"

#include <algorithm>

#include "sim/load/model_loader.hpp"
#include "sim/spec/model_spec.hpp"

namespace trainsim {
namespace {

int whole(const RunRow& row, const std::string& col, int min) {
  std::optional<int> v = row.positive_int(col);
  if (row.get(col) == "0" && min == 0) return 0;
  if (!v) throw ConfigError(row.where(col), "'" + row.get(col) + "' is not a whole number >= " + std::to_string(min));
  return *v;
}

// Leading dense layers of a per-layer MoE pattern; -1 when the pattern is not "N dense, then all MoE".
int leading_dense(const std::vector<bool>& moe_layers) {
  const auto first = std::find(moe_layers.begin(), moe_layers.end(), true);
  if (std::find(first, moe_layers.end(), false) != moe_layers.end()) return -1;
  return static_cast<int>(first - moe_layers.begin());
}

std::string attention_kind(const ModelSpec& m) {
  if (m.is_mla()) return "mla";
  if (m.kv_heads == m.heads) return "mha";
  return m.kv_heads == 1 ? "mqa" : "gqa";
}

void check_attention_word(const RunRow& row) {
  const std::string a = row.word("attention");
  if (a.empty() || a == "mha" || a == "gqa" || a == "mqa" || a == "mla") return;
  throw ConfigError(row.where("attention"),
                    "'" + row.get("attention") + "' is not an attention kind; valid: mha, gqa, mqa, mla");
}

// Without a card: the attention word must match heads / kv_heads, and mla needs a card.
void check_attention_columns(const RunRow& row) {
  const std::string a = row.word("attention");
  if (a.empty()) return;
  if (a == "mla")
    throw ConfigError(row.where("attention"),
                      "mla needs a model_card naming an MLA model (its LoRA ranks and head sizes are not columns), "
                      "e.g. model_card deepseek-v3");
  const std::optional<int> heads = row.positive_int("heads"), kv = row.positive_int("kv_heads");
  if (!heads || !kv) return;  // the loader reports the dimension cells
  ModelSpec m;
  m.heads = *heads;
  m.kv_heads = *kv;
  if (attention_kind(m) != a)
    throw ConfigError(row.where("attention"), "says " + a + " but heads " + std::to_string(*heads) + " and kv_heads " +
                                                  std::to_string(*kv) + " are " + attention_kind(m));
}

void same(const RunRow& row, const std::string& col, const std::string& card_name, const std::string& card_value) {
  if (!row.has(col)) return;
  const std::string cell = col == "mlp" || col == "attention" ? row.word(col) : row.get(col);
  if (cell == card_value) return;
  throw ConfigError(row.where(col), "the row says " + col + " " + row.get(col) + " but model_card " + card_name +
                                        " has " + card_value + "; fix the cell, empty it, or name another card");
}

void check_against_card(const RunRow& row, const std::string& name, const ModelSpec& m) {
  const std::pair<const char*, int> dims[] = {{"layers", m.layers},     {"hidden", m.hidden}, {"heads", m.heads},
                                              {"kv_heads", m.kv_heads}, {"ffn", m.ffn},       {"vocab", m.vocab}};
  for (const auto& d : dims) same(row, d.first, name, std::to_string(d.second));
  same(row, "mlp", name, to_string(m.mlp));
  same(row, "attention", name, attention_kind(m));
  same(row, "moe_experts", name, std::to_string(m.moe_experts));
  if (!m.is_moe()) {
    for (const char* col : {"moe_top_k", "moe_ffn", "moe_shared_experts", "moe_dense_layers"})
      if (row.has(col)) same(row, col, name, "(none: a dense model)");
    return;
  }
  same(row, "moe_top_k", name, std::to_string(m.moe_topk));
  same(row, "moe_ffn", name, std::to_string(m.moe_ffn));
  if (row.has("moe_shared_experts")) {
    const int n = whole(row, "moe_shared_experts", 0);
    if (static_cast<long long>(n) * m.moe_ffn != m.moe_shared_ffn)
      throw ConfigError(row.where("moe_shared_experts"),
                        "the row says " + std::to_string(n) + " shared experts of " + std::to_string(m.moe_ffn) +
                            " but model_card " + name + " has shared experts of " + std::to_string(m.moe_shared_ffn) +
                            " in all; fix the cell, empty it, or name another card");
  }
  const int dense = leading_dense(m.moe_layers);
  same(row, "moe_dense_layers", name, dense < 0 ? "(an interleaved pattern)" : std::to_string(dense));
}

}  // namespace

const std::vector<std::string>& moe_run_columns() {
  static const std::vector<std::string> c = {"moe_experts",      "moe_top_k", "moe_ffn", "moe_shared_experts",
                                             "moe_dense_layers", "ep",        "etp",     "attention",
                                             "model_card"};
  return c;
}

std::vector<std::pair<std::string, std::string>> row_moe_card_keys(const RunRow& row) {
  std::vector<std::pair<std::string, std::string>> k;
  if (!row.has("moe_experts")) {
    for (const char* col : {"moe_top_k", "moe_ffn", "moe_shared_experts", "moe_dense_layers"})
      if (row.has(col)) throw ConfigError(row.where(col), "needs moe_experts (the routed experts) in the same row");
    return k;
  }
  k.emplace_back("num_moe_experts", row.get("moe_experts"));
  if (row.has("moe_top_k")) k.emplace_back("moe_router_topk", row.get("moe_top_k"));
  if (row.has("moe_ffn")) k.emplace_back("moe_ffn_hidden_size", row.get("moe_ffn"));
  if (row.has("moe_shared_experts")) {
    const int n = whole(row, "moe_shared_experts", 0);
    const int ffn = row.has("moe_ffn") ? whole(row, "moe_ffn", 1) : whole(row, "ffn", 1);
    k.emplace_back("moe_shared_expert_intermediate_size", std::to_string(static_cast<long long>(n) * ffn));
  }
  if (row.has("moe_dense_layers")) {
    const int dense = whole(row, "moe_dense_layers", 0), layers = whole(row, "layers", 1);
    if (dense >= layers)
      throw ConfigError(row.where("moe_dense_layers"), std::to_string(dense) +
                                                           " dense layers leave no MoE layer of the " +
                                                           std::to_string(layers) + "; valid: 0 to layers - 1");
    k.emplace_back("moe_layer_freq", "([0]*" + std::to_string(dense) + "+[1]*" + std::to_string(layers - dense) + ")");
  }
  return k;
}

std::string check_row_model(const RunRow& row, const Zoo& zoo) {
  check_attention_word(row);
  if (!row.has("model_card")) {
    check_attention_columns(row);
    return "";
  }
  const std::string name = row.get("model_card");
  const ModelSpec m = load_model(zoo.resolve(ZooKind::model, name, row.file, row.where("model_card")).string());
  check_against_card(row, name, m);
  return name;
}

}  // namespace trainsim
