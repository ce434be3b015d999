// The keys DeepSpeed's ds_config.json knows, by section, as DeepSpeed's code
// reads them (deepspeed/runtime/config.py and constants.py for the top level;
// the pydantic models DeepSpeedZeroConfig, DeepSpeedZeroOffloadParamConfig and
// DeepSpeedZeroOffloadOptimizerConfig, which forbid unknown fields; aio_config.py;
// activation_checkpointing/config.py; get_pipeline_config). A key outside these
// lists is a misspelling (ds_config.cpp suggests the nearest known key).
#pragma once

#include <string>
#include <vector>

namespace trainsim {

// Known keys of `section`: "" (top level), "zero_optimization",
// "offload_optimizer", "offload_param", "aio", "fp16", "bf16",
// "activation_checkpointing", "pipeline", "optimizer". Empty for a section
// whose keys are free (optimizer params, scheduler, monitors, ...).
const std::vector<std::string>& ds_known_keys(const std::string& section);

}  // namespace trainsim
