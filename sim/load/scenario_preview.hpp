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
// The model is not checked for what can be simulated: refuse_unsimulated does that.
Scenario scenario_preview(const ConfigDoc& d, const Zoo& zoo, const std::optional<ModelSpec>& flag_model);

// A model whose parts are not simulated yet is refused (ConfigError at key
// `model`) rather than simulated as a dense model: for run, sweep, advise and
// validate what the step cannot simulate (simulation_refusal); with
// `memory_only` (trainsim mem) what the memory model cannot count
// (memory_refusal).
void refuse_unsimulated(const ConfigDoc& d, const ModelSpec& m, bool memory_only);

}  // namespace trainsim
