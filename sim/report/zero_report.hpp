// Rendering of the ZeRO analysis (sim/memory/zero_explain.hpp) for
// `trainsim explain zero`: a terminal table and a JSON document. Returns
// strings; printing is the caller's business.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "sim/memory/zero_explain.hpp"

namespace trainsim {

// The table: for each GPU count, one row per stage with model states per GPU,
// the ratio to DP and communication per collective kind (GB = 1e9 bytes), then
// one "why" line per stage.
std::string render_zero_table(const ZeroExplanation& e);

// {"params": Ψ, "rows": [{"gpus": N, "stage": s, "model_state_bytes_per_gpu": B,
//   "comm_bytes_per_gpu": {"all_reduce": B, "reduce_scatter": B, "all_gather": B}}]}
// with every byte count in bytes.
nlohmann::json zero_to_json(const ZeroExplanation& e);

}  // namespace trainsim
