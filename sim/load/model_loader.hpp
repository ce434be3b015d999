// Loading models: a model card (models/*.yaml, keys in keys_cards.cpp) or a
// Hugging Face config.json (hf_config.hpp), chosen by the file extension.
#pragma once

#include <string>

#include "sim/load/zoo.hpp"
#include "sim/spec/model_spec.hpp"

namespace trainsim {

class ConfigDoc;

// Reads a model card or, for a ".json" file, a Hugging Face config.json.
// Throws ConfigError naming the file, line and key on bad input.
ModelSpec load_model(const std::string& path);

// Reads a model card from YAML text (`file` names it in messages).
ModelSpec load_model_card_string(const std::string& yaml, const std::string& file);

// The model that key `key` of document `d` names: an inline map of model-card
// keys (ConfigDoc::is_inline), or a zoo name / path resolved through `zoo`
// relative to `d`'s file and loaded with load_model.
ModelSpec load_model_ref(const ConfigDoc& d, const std::string& key, const Zoo& zoo);

}  // namespace trainsim
