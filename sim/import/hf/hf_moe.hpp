// Hugging Face config.json of the mixture-of-experts families and the newer
// attention shapes: Mixtral, Qwen2-MoE, Qwen3 and Qwen3-MoE, DeepSeek-V2/V3
// and Kimi K2, Llama 4, GPT-OSS (docs/models.md).
#pragma once

#include <string>

#include "sim/import/hf/hf_reader.hpp"
#include "sim/spec/model_spec.hpp"

namespace trainsim {

// True for the model_type values read_hf_moe() reads.
bool is_hf_moe_family(const std::string& model_type);

// The model_type values read_hf_moe() reads, for messages.
const char* hf_moe_family_names();

// Fills `m` from a config.json of family `model_type`.
void read_hf_moe(const hf::Reader& r, const std::string& model_type, ModelSpec& m);

}  // namespace trainsim
