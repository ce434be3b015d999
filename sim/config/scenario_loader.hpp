// Loading a scenario YAML (DESIGN.md §3) with --set overrides: resolves the
// model and cluster through the zoo, applies defaults from the key table,
// derives dp, nodes and gpus, and validates the layout.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "sim/config/scenario.hpp"
#include "sim/config/zoo.hpp"

namespace trainsim {

// Settings from other tools' files and command lines (trainsim run/mem options).
struct ImportOptions {
  std::string ds_config;      // --ds-config FILE: DeepSpeed ds_config.json (wins over deepspeed_config)
  std::string megatron_args;  // --megatron-args "...": Megatron-LM flags (megatron_args.hpp)
  std::string hostfile;       // --hostfile F: DeepSpeed hostfile (hostfile.hpp)
  int num_nodes = 0;          // --num_nodes N (0 = not given)
  int num_gpus = 0;           // --num_gpus G per node (0 = not given)
};

// Throws ConfigError naming file, line and key on any bad input. Imported
// settings must agree with the scenario's; Scenario::imports records them.
Scenario load_scenario(const std::string& path, const std::vector<std::string>& overrides,
                       const Zoo& zoo, const ImportOptions& imports = {});

// Same, from YAML text; `file` names it in messages and anchors relative paths.
Scenario load_scenario_string(const std::string& yaml, const std::string& file,
                              const std::vector<std::string>& overrides, const Zoo& zoo,
                              const ImportOptions& imports = {});

// Same, with `adjust` applied to the scenario before its layout is checked
// (trainsim validate puts a run's own GPU into the cluster card's node).
Scenario load_scenario_string(const std::string& yaml, const std::string& file,
                              const std::vector<std::string>& overrides, const Zoo& zoo,
                              const ImportOptions& imports, const std::function<void(Scenario&)>& adjust);

}  // namespace trainsim
