// The "resolved_deepspeed" part of run's and mem's JSON documents, shared by
// the command line and the Python package.
#pragma once

#include <nlohmann/json.hpp>

#include "sim/spec/scenario.hpp"

namespace trainsim {

// Adds "resolved_deepspeed" {ds_config, scenario_keys} to a summary.json when
// the scenario read a ds_config (unchanged otherwise).
void add_resolved_deepspeed(const Scenario& s, nlohmann::json& summary);

}  // namespace trainsim
