// The MoE and model-card columns of a runs CSV row (optional columns):
//   moe_experts -> num_moe_experts, moe_top_k -> moe_router_topk, moe_ffn -> moe_ffn_hidden_size,
//   moe_shared_experts (shared experts of moe_ffn each) -> moe_shared_expert_intermediate_size =
//     moe_shared_experts x moe_ffn (DeepSeek-V3: 1 x 2048), moe_dense_layers (leading dense
//     layers, HF first_k_dense_replace) -> moe_layer_freq "([0]*N+[1]*(layers-N))";
//   ep, etp -> parallel.ep, parallel.etp;
//   attention: mha | gqa | mqa | mla, checked against heads and kv_heads (mla needs model_card:
//     its LoRA ranks are not columns);
//   model_card: a zoo model name whose card the row uses instead of an inline card from the
//     dimension columns; every dimension column the row fills (layers, hidden, heads, kv_heads,
//     ffn, vocab, mlp, the moe_* columns, attention) must then equal the card's, else a
//     ConfigError at that cell naming both values.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "sim/load/zoo.hpp"
#include "sim/validate/runs_csv.hpp"

namespace trainsim {

// The optional columns above, in the order the report lists them.
const std::vector<std::string>& moe_run_columns();

// Inline model-card keys of the moe_* columns (empty cells: the card's defaults).
std::vector<std::pair<std::string, std::string>> row_moe_card_keys(const RunRow& row);

// Checks the attention column against heads / kv_heads (without model_card) and, with
// model_card, loads the card and checks every filled dimension column against it. Returns the
// card's zoo name ("" without model_card). Throws ConfigError at the offending cell.
std::string check_row_model(const RunRow& row, const Zoo& zoo);

}  // namespace trainsim
