// Private to the scenario loader: the part of a scenario the importers need to
// see before the rest is read (model, cluster, parallel sizes, nodes, gpus, dp).
#pragma once

#include <optional>

#include "sim/config/config_doc.hpp"
#include "sim/load/zoo.hpp"
#include "sim/spec/scenario.hpp"

namespace trainsim {

// Model, cluster, parallel sizes, nodes, gpus and dp as `d` says now (no
// training keys, no validation): what the importers need to know.
Scenario scenario_preview(const ConfigDoc& d, const Zoo& zoo, const std::optional<ModelSpec>& flag_model);

}  // namespace trainsim
