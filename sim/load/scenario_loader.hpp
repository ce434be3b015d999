// Loading a scenario YAML (docs/design.md §3) with --set overrides: resolves the
// model and cluster through the zoo, applies defaults from the key table,
// derives dp, nodes and gpus, and validates the layout.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "sim/spec/scenario.hpp"
#include "sim/load/scenario_imports.hpp"
#include "sim/load/zoo.hpp"

namespace trainsim {

// Throws ConfigError naming file, line and key on any bad input. Imported
// settings must agree with the scenario's; Scenario::imports records them.
Scenario load_scenario(const std::string& path, const std::vector<std::string>& overrides, const Zoo& zoo,
                       const ImportOptions& imports = {});

// Same, from YAML text; `file` names it in messages and anchors relative paths.
Scenario load_scenario_string(const std::string& yaml, const std::string& file,
                              const std::vector<std::string>& overrides, const Zoo& zoo,
                              const ImportOptions& imports = {});

// Same, with `adjust` applied to the scenario before its layout is checked
// (trainsim validate puts a run's own GPU into the cluster card's node).
Scenario load_scenario_string(const std::string& yaml, const std::string& file,
                              const std::vector<std::string>& overrides, const Zoo& zoo, const ImportOptions& imports,
                              const std::function<void(Scenario&)>& adjust);

}  // namespace trainsim
