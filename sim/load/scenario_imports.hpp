// Private to the scenario loader: importing DeepSpeed / Megatron-LM / hostfile
// settings into a ConfigDoc before the scenario is read from it. A setting the
// scenario (or --set) also gives must agree with it, or a ConfigError names both
// places; a tool default (imports.hpp) yields to the scenario with a warning.
#pragma once

#include <optional>
#include <string>

#include "sim/config/config_doc.hpp"
#include "sim/spec/scenario.hpp"
#include "sim/load/zoo.hpp"

namespace trainsim {

// Settings from other tools' files and command lines (trainsim run/mem options).
struct ImportOptions {
  std::string ds_config;      // --ds-config FILE: DeepSpeed ds_config.json (wins over deepspeed_config)
  std::string megatron_args;  // --megatron-args "...": Megatron-LM flags (megatron_args.hpp)
  std::string hostfile;       // --hostfile F: DeepSpeed hostfile (hostfile.hpp)
  int num_nodes = 0;          // --num_nodes N (0 = not given)
  int num_gpus = 0;           // --num_gpus G per node (0 = not given)
  // Scenarios built on the command line: without a global batch from any
  // source, train one micro-batch per step (micro_batch x dp), said as assumed.
  bool default_global_batch = false;

  // --torchtitan-config F: torchtitan's job TOML (titan_config.hpp; wins over torchtitan_config)
  std::string torchtitan_config{};  // (an initializer: brace-initialized ImportOptions may stop before it)
  // --peft-config F: HF PEFT adapter_config.json (peft_config.hpp; wins over peft_config)
  std::string peft_config{};
  // `trainsim mem`: refuse only what the memory model cannot count
  // (model_check.hpp memory_refusal: MoE models load) instead of what the
  // step simulation cannot (simulation_refusal).
  bool memory_only{false};
};

// Applies every importer `options` and `d` name; returns the model built from
// Megatron flags, if any, and fills `log`.
std::optional<ModelSpec> apply_imports(ConfigDoc& d, const Zoo& zoo, const ImportOptions& options, ImportLog& log);

}  // namespace trainsim
