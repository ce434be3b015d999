// The architecture checks every model passes, whichever format it came from
// (model card, Hugging Face config.json, Megatron-LM flags, code).
#pragma once

#include <string>

#include "sim/spec/model_spec.hpp"

namespace trainsim {

// Checks the architecture's internal consistency (heads divide hidden, KV
// heads divide heads, ...); throws ConfigError at `file` naming the key.
void check_model(const ModelSpec& m, const std::string& file);

// The parts of `m` a scenario cannot simulate yet, comma-separated ("" when
// none). None today: MoE, MLA, MTP, sliding windows, sinks, q/k norms and
// Q/K/V-only biases are all simulated (sim/model layer_ops.hpp, moe_ops.hpp).
std::string unsimulated_features(const ModelSpec& m);

// The message that refuses to simulate `m` ("" when it can be simulated):
// what is not modelled and that `trainsim info REF` counts its parameters.
std::string simulation_refusal(const ModelSpec& m, const std::string& ref);

// The same for the memory model alone (`trainsim mem`): "" for an MoE model,
// whose every part (experts, router, shared experts, MLA, MTP, q/k norms,
// sinks, Q/K/V biases) sim/model/moe_params.hpp and sim/memory/moe_memory.hpp
// count; simulation_refusal() for a dense model with those features, whose
// dense accounting (params.hpp layer_params_per_tp_rank) does not.
std::string memory_refusal(const ModelSpec& m, const std::string& ref);

}  // namespace trainsim
