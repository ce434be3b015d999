// What an importer (DeepSpeed ds_config.json, Megatron-LM flags, a DeepSpeed
// hostfile) hands to the scenario loader: settings of EXISTING scenario keys,
// each with the place it came from, plus what the importer did not model and
// any warnings. The library never prints; the CLI prints these to stderr.
#pragma once

#include <string>
#include <vector>

#include "sim/core/error.hpp"

namespace trainsim {

// One scenario key set by an importer.
struct ImportedSetting {
  std::string key;       // dotted scenario key, e.g. "parallel.zero_stage"
  std::string value;     // the value as a scenario YAML would write it, e.g. "3", "5e8", "1048576B"
  SourceLocation where;  // file (the JSON file, the hostfile, "--megatron-args"), line, key / flag
  // A default of the imported tool (e.g. DeepSpeed trains in fp32 when neither
  // fp16 nor bf16 is enabled): it applies only where the scenario is silent,
  // and never conflicts with the scenario.
  bool tool_default = false;
  std::string note;  // how the value was derived ("auto: hidden^2", "derived: train_batch_size / ..."), or ""
};

struct ImportResult {
  std::vector<ImportedSetting> settings;
  std::vector<std::string> ignored;      // "KEY (no effect on step time or memory)" lines
  std::vector<std::string> warnings;     // e.g. a code default that differs from the documentation
  std::vector<std::string> assumptions;  // each "auto" or default resolved, as said to the user
};

// Everything the loader imported into a scenario, for the CLI to print and
// for summary.json / --save-resolved.
struct ImportLog {
  std::vector<ImportedSetting> applied;  // settings that took effect, in order
  std::vector<std::string> ignored;
  std::vector<std::string> warnings;
  // Defaults that change the answer, said: "training.seq_len not given: using
  // the model's context length 1024 (n_positions of config.json)".
  std::vector<std::string> assumptions;
  std::string ds_config_file;        // "" when no ds_config was read
  std::string resolved_ds_config;    // ds_config.json with "auto" resolved and batch keys filled (JSON text)
  std::vector<std::string> ds_keys;  // scenario keys the ds_config sets (agreeing or applied), in order
  bool model_from_megatron = false;  // the model was built from Megatron flags
  bool megatron_flags = false;       // Megatron-LM flags were read (megatron_args / --megatron-args)
};

}  // namespace trainsim
