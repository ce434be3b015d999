// Private to the scenario loader: the framework profile's defaults
// (sim/spec/framework_profile.hpp) written into the ConfigDoc after every
// importer has spoken, for the keys nothing gave, each said as an assumption.
#pragma once

#include "sim/config/config_doc.hpp"
#include "sim/spec/import_log.hpp"
#include "sim/spec/scenario_enums.hpp"

namespace trainsim {

// framework.name as the loader resolves it: the key, else deepspeed when a
// ds_config is attached, else megatron-lm.
Framework resolved_framework(const ConfigDoc& d, bool ds_config);

// Selects the profile of framework.name / framework.version (a version out of
// every range or without a number: a warning in `log`) and applies its
// defaults to the keys not given, explicitly or by an importer; each applied
// item is one line of log.assumptions naming the profile and the source.
void apply_profile_defaults(ConfigDoc& d, bool ds_config, ImportLog& log);

}  // namespace trainsim
