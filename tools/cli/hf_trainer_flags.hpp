// The Hugging Face Trainer's own command-line flags (transformers
// TrainingArguments, src/transformers/training_args.py) that decide a step's
// time or memory, accepted as the user launches the Trainer, e.g.
//   deepspeed --hostfile hosts train.py --deepspeed ds.json --bf16 --gradient_checkpointing
// Each maps to a scenario key; an explicit --set of the same key wins.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>

namespace trainsim::cli {

struct HfTrainerFlags {
  bool bf16 = false;                    // --bf16
  bool fp16 = false;                    // --fp16
  bool gradient_checkpointing = false;  // --gradient_checkpointing
  std::string attn_implementation;      // --attn_implementation (a from_pretrained argument in HF scripts)
  int per_device_train_batch_size = 0;  // --per_device_train_batch_size (0 = not given)
};

// Adds the flags to `cmd`, bound to `flags`; --deepspeed F is bound to `ds_config`.
void add_hf_trainer_options(CLI::App& cmd, HfTrainerFlags& flags, std::string& ds_config);

// The scenario overrides ("key=value") the given flags mean, each with the flag
// that set it, in a fixed order. Throws UsageError for contradicting flags or an
// unknown attention implementation (naming the valid ones).
std::vector<std::pair<std::string, std::string>> hf_trainer_sets(const HfTrainerFlags& flags);

}  // namespace trainsim::cli
