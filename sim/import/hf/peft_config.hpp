// HF PEFT's adapter_config.json (what PeftModel.save_pretrained writes from a
// LoraConfig, peft/tuners/lora/config.py) as scenario keys, for the
// `peft_config:` scenario key and `--peft-config`:
//   peft_type "LORA"          -> training.peft: lora (other PEFT methods refused)
//   r (default 8)             -> training.lora_rank
//   target_modules            -> training.lora_targets: a list of module names
//                                (q_proj, o_proj, gate_proj, ...; the loader maps
//                                them, training.lora_targets), or "all-linear"
//                                (every linear layer but the output layer: all four
//                                projections, peft/tuners/tuners_utils.py
//                                _maybe_include_all_linear_layers); a regular
//                                expression string is refused
//   lora_dropout (default 0)  -> training.lora_dropout
//   lora_alpha                -> nothing: it scales B A x by alpha / r, no
//                                effect on time or memory (listed as ignored)
//   use_dora true             -> refused (DoRA adds a weight-norm pass trainsim
//                                does not model)
// Every other key is listed once as ignored. The values go through the
// scenario keys' own bounds (keys_finetune.cpp) when the loader applies them;
// the scenario must agree with them (scenario_imports.hpp).
#pragma once

#include <string>

#include "sim/spec/import_log.hpp"

namespace trainsim {

// Reads an adapter_config.json file (a regular file, read_input_file's caps).
ImportResult read_peft_config(const std::string& path);

// Same, from JSON text; `file` names it in messages.
ImportResult parse_peft_config(const std::string& json_text, const std::string& file);

}  // namespace trainsim
