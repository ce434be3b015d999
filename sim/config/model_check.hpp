// The architecture checks every model passes, whichever format it came from
// (model card, Hugging Face config.json, Megatron-LM flags, code).
#pragma once

#include <string>

#include "sim/spec/model_spec.hpp"

namespace trainsim {

// Checks the architecture's internal consistency (heads divide hidden, KV
// heads divide heads, ...); throws ConfigError at `file` naming the key.
void check_model(const ModelSpec& m, const std::string& file);

}  // namespace trainsim
