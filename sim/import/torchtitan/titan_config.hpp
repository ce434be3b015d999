// torchtitan's job TOML (torchtitan/models/*/train_configs/*.toml, read by
// torchtitan/config/manager.py into the JobConfig dataclasses of
// torchtitan/config/job_config.py; before 2025, torchtitan/config_manager.py),
// mapped onto existing scenario keys (docs/keys.md). Sources cited per mapping
// at the code; version used: pytorch/torchtitan before the 2026 move from TOML
// to Python config registries (commit 9810191), plus the older spellings
// ([training] batch_size and compile, [float8] enable_float8_linear).
//
// Mapping (torchtitan -> scenario key):
//   [model] name + flavor -> model (llama3 8B/70B/405B -> llama-3-8b/70b/405b)
//   [parallelism] data_parallel_replicate_degree, data_parallel_shard_degree (-1 = the
//     rest of the GPUs) -> parallel.dp_replicate, parallel.dp_shard, parallel.dp and
//     parallel.zero_stage (3 when FSDP shards, over dp_shard x cp; 0 for DDP);
//     tensor/pipeline/context_parallel_degree -> parallel.tp/pp/cp (TP with sequence
//     parallelism); pipeline_parallel_schedule -> parallel.schedule (+ parallel.vp);
//     pipeline_parallel_microbatch_size -> training.micro_batch with PP;
//     enable_async_tensor_parallel -> training.tp_comm_overlap;
//     fsdp_reshard_after_forward -> parallel.reshard_after_forward
//   [activation_checkpoint] mode, selective_ac_option -> training.recompute
//     (+ recompute_num_layers / recompute_method for "every N-th layer")
//   [training] local_batch_size (batch_size), global_batch_size, seq_len, max_norm,
//     mixed_precision_param, mixed_precision_reduce -> training.*
//   [compile] enable + components ([training] compile) -> training.compile
//   [model] converters "float8" with [quantize.linear.float8] recipe_name ([float8]
//     enable_float8_linear) -> training.precision fp8, training.fp8_recipe
//   [optimizer] name Adam/AdamW -> training.optimizer adam;  framework.name := torchtitan
// Sections and keys that do not change step time or memory (job, metrics,
// checkpoint, lr_scheduler, validation, comm, ...) are listed once as ignored.
#pragma once

#include <map>
#include <string>

#include "sim/spec/import_log.hpp"

namespace trainsim {

// What the scenario says, for the values the TOML leaves to the launch.
struct TitanContext {
  int gpus = 1;    // torchtitan's world size (torchrun's nnodes x nproc_per_node): the scenario's GPUs
  int layers = 0;  // the model's layers (selective_ac_option N, pipeline stages)
  // Degrees the command line sets (--set parallel.tp=2, ...: "parallel.tp" -> 2).
  // They win over the TOML's, as torchtitan's own --parallelism.* overrides
  // do, and the shard degree -1 and the batch are worked out with them.
  std::map<std::string, int> overrides;
};

// The zoo model that [model] name and flavor name, as a setting of `model`
// (file, line and key of the flavor). Throws ConfigError for a model or flavor
// without a zoo card (naming the supported ones) and for malformed TOML.
ImportedSetting read_titan_model(const std::string& path);
ImportedSetting parse_titan_model(const std::string& text, const std::string& file);

// Every other setting. Throws ConfigError naming the TOML file, the line and the
// dotted key ("parallelism.tensor_parallel_degree") on malformed TOML, an
// unknown section or key (with the nearest known one), a wrong type, and
// torchtitan's own errors (degrees that do not multiply to the world size,
// async TP without compile, a schedule with the wrong stage count, ...).
ImportResult read_titan_config(const std::string& path, const TitanContext& ctx);
ImportResult parse_titan_config(const std::string& text, const std::string& file, const TitanContext& ctx);

}  // namespace trainsim
