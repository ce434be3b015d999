// Scenario settings written back into a ds_config.json: the inverse of the
// mapping of ds_config.hpp for the keys a user or a plan search changes.
// Used where a scenario key set on the command line (--set, the overrides of
// `trainsim advise`) wins over the ds_config (issue 18, defect 5), so that the
// resolved ds_config says what was simulated, and by `advise` to word each
// suggestion as edits of the user's own files.
//
//   parallel.zero_stage            -> zero_optimization.stage
//   offload.optimizer / params     -> zero_optimization.offload_optimizer / offload_param .device
//   training.overlap_grad_reduce   -> zero_optimization.overlap_comm
//   training.micro_batch, global_batch -> train_micro_batch_size_per_gpu, gradient_accumulation_steps,
//                                     train_batch_size (DeepSpeed's rule: train = micro x accumulation x DP)
//   training.precision             -> fp16.enabled / bf16.enabled
//   training.grad_clip             -> gradient_clipping (1.0, HF's max_grad_norm default, or 0)
//   training.recompute             -> not a ds_config key: the model's gradient checkpointing
//                                     (HF: model.gradient_checkpointing_enable(), --gradient_checkpointing)
// Any other key the ds_config set is written at the JSON pointer it was read
// from (`pointers`); a key the ds_config cannot say stays a scenario key.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace trainsim {

// The plan's batch after the change: what the three batch keys become.
struct DsBatch {
  long long global_batch = 0;  // sequences per step (train_batch_size)
  long long micro_batch = 0;   // per GPU (train_micro_batch_size_per_gpu)
  long long dp = 1;            // data-parallel size (DeepSpeed's world_size of the batch rule)
};

struct DsPatch {
  std::string json;  // the ds_config with the settings applied (JSON text, 2-space indent)
  // One line per setting, in order: "zero_optimization.stage: 3",
  // "train_micro_batch_size_per_gpu: 1 with gradient_accumulation_steps: 16",
  // "enable gradient checkpointing in the model", "training.seq_len: 1024 (scenario key)".
  std::vector<std::string> edits;
  std::vector<std::string> scenario_keys;  // the settings the ds_config cannot say (they stay scenario keys)
};

// Whether a scenario key has a place in every ds_config (the explicit rows
// above, training.recompute excepted).
bool ds_config_maps(const std::string& scenario_key);

// Applies `settings` (dotted scenario key, value as --set writes it) to the
// ds_config `json_text`. `pointers` maps other scenario keys the ds_config set
// to the JSON pointer they came from ("/zero_optimization/reduce_bucket_size").
// `original`, the user's ds_config text when known, words an edit of a key it
// leaves "auto" as the HF Trainer argument that fills it
// ("--per_device_train_batch_size 1 --gradient_accumulation_steps 16 (HF
// Trainer arguments: ...)", "--bf16 (...)", "--max_grad_norm 1.0 (...)").
// Throws ConfigError (file "ds_config") when `json_text` is not a JSON object.
DsPatch patch_ds_config(const std::string& json_text, const std::vector<std::pair<std::string, std::string>>& settings,
                        const DsBatch& batch, const std::map<std::string, std::string>& pointers = {},
                        const std::string& original = "");

// The user's own ds_config text `original` with only `settings` changed: its
// keys in their order, its other values as written, and every "auto" kept (the
// HF Trainer fills it from the arguments the edit names), for `advise --write`.
DsPatch patch_user_ds_config(const std::string& original,
                             const std::vector<std::pair<std::string, std::string>>& settings, const DsBatch& batch,
                             const std::map<std::string, std::string>& pointers = {});

}  // namespace trainsim
