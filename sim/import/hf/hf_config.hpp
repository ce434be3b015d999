// Hugging Face config.json as a model: the Llama/Mistral key set
// (hidden_size, num_hidden_layers, num_attention_heads, num_key_value_heads,
// intermediate_size, vocab_size, tie_word_embeddings, ...), GPT-2's
// (n_embd, n_layer, n_head, n_inner, n_positions) and GPT-NeoX's.
#pragma once

#include <string>

#include "sim/spec/model_spec.hpp"

namespace trainsim {

// Reads a config.json file. Throws ConfigError naming the file (and line for
// JSON syntax errors) and the missing or invalid key.
ModelSpec load_hf_config(const std::string& path);

// Same, from JSON text; `file` names it in messages and gives the model name.
ModelSpec parse_hf_config(const std::string& json_text, const std::string& file);

}  // namespace trainsim
