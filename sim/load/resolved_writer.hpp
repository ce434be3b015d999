// --save-resolved: a loaded scenario written back as files that reproduce it
// exactly: the scenario YAML with every key explicit (imports applied, sizes
// derived, file references absolute), the resolved ds_config.json when one was
// read, and a model card when the model was built from Megatron-LM flags.
// Running the written YAML gives a byte-identical summary.json.
#pragma once

#include <string>

#include "sim/spec/scenario.hpp"

namespace trainsim {

// The scenario YAML. `ds_config_name` / `model_card_name` are the file names it
// refers to for the ds_config and the model card (used only when they apply).
std::string resolved_scenario_yaml(const Scenario& s, const std::string& ds_config_name,
                                   const std::string& model_card_name);

// A model card (models/*.yaml keys) holding `m` exactly.
std::string model_card_yaml(const ModelSpec& m);

}  // namespace trainsim
