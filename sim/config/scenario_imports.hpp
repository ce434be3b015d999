// Private to the scenario loader: importing DeepSpeed / Megatron-LM / hostfile
// settings into a ConfigDoc before the scenario is read from it. A setting the
// scenario (or --set) also gives must agree with it, or a ConfigError names both
// places; a tool default (imports.hpp) yields to the scenario with a warning.
#pragma once

#include <optional>

#include "sim/config/config_doc.hpp"
#include "sim/config/scenario.hpp"
#include "sim/config/scenario_loader.hpp"

namespace trainsim {

// Model, cluster, parallel sizes, nodes, gpus and dp as `d` says now (no
// training keys, no validation): what the importers need to know.
Scenario scenario_preview(const ConfigDoc& d, const Zoo& zoo, const std::optional<ModelSpec>& flag_model);

// Applies every importer `options` and `d` name; returns the model built from
// Megatron flags, if any, and fills `log`.
std::optional<ModelSpec> apply_imports(ConfigDoc& d, const Zoo& zoo, const ImportOptions& options, ImportLog& log);

}  // namespace trainsim
