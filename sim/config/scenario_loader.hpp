// Loading a scenario YAML (DESIGN.md §3) with --set overrides: resolves the
// model and cluster through the zoo, applies defaults from the key table,
// derives dp, nodes and gpus, and validates the layout.
#pragma once

#include <string>
#include <vector>

#include "sim/config/scenario.hpp"
#include "sim/config/zoo.hpp"

namespace trainsim {

// Throws ConfigError naming file, line and key on any bad input.
Scenario load_scenario(const std::string& path, const std::vector<std::string>& overrides,
                       const Zoo& zoo);

// Same, from YAML text; `file` names it in messages and anchors relative paths.
Scenario load_scenario_string(const std::string& yaml, const std::string& file,
                              const std::vector<std::string>& overrides, const Zoo& zoo);

}  // namespace trainsim
