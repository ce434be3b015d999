// The sections and keys torchtitan's JobConfig knows, as the dataclasses of
// torchtitan/config/job_config.py declare them (commit 9810191^, the last TOML
// release), plus the older spellings of torchtitan/config_manager.py and the
// 2025 job_config.py ([float8], [training] batch_size / compile). torchtitan's
// ConfigManager builds the JobConfig dataclasses from the TOML with tyro and
// rejects a field they do not declare; a key outside these lists is a
// misspelling (titan_reader.cpp suggests the nearest).
#include <algorithm>
#include <map>

#include "sim/import/torchtitan/titan_reader.hpp"

namespace trainsim::titan {

// The sections and keys of the JobConfig dataclasses (data table).
// clang-format off
const std::vector<std::string>& titan_known_keys(const std::string& section) {
  static const std::vector<std::string> dataloader = {"num_workers", "persistent_workers", "pin_memory",
                                                      "prefetch_factor"};
  static const std::map<std::string, std::vector<std::string>> known = {
      {"", {"job", "profiling", "metrics", "model", "optimizer", "lr_scheduler", "training", "parallelism",
            "checkpoint", "activation_checkpoint", "compile", "quantize", "float8", "mx", "comm",
            "memory_estimation", "fault_tolerance", "experimental", "validation", "debug"}},
      {"job", {"config_file", "dump_folder", "description", "print_config", "save_config_file",
               "custom_config_module", "use_for_integration_test", "print_args"}},
      {"profiling", {"enable_profiling", "save_traces_folder", "profile_freq", "profiler_active", "profiler_warmup",
                     "enable_memory_snapshot", "save_memory_snapshot_folder"}},
      {"metrics", {"log_freq", "enable_tensorboard", "disable_color_printing", "save_tb_folder", "save_for_all_ranks",
                   "enable_wandb", "rank_0_only", "enable_color_printing"}},
      {"model", {"name", "flavor", "hf_assets_path", "tokenizer_path", "converters", "print_after_conversion",
                 "norm_type", "use_flex_attn", "attn_mask_type"}},
      {"optimizer", {"name", "lr", "beta1", "beta2", "eps", "weight_decay", "implementation",
                     "early_step_in_backward", "fused"}},
      {"lr_scheduler", {"warmup_steps", "total_steps", "decay_ratio", "decay_type", "min_lr_factor", "lr_min"}},
      {"training", {"dataset", "dataset_path", "local_batch_size", "global_batch_size", "seq_len", "max_norm",
                    "steps", "enable_cpu_offload", "dtype", "mixed_precision_param", "mixed_precision_reduce",
                    "gc_freq", "gc_debug", "dataloader", "batch_size", "compile", "seed", "deterministic",
                    "warmup_steps"}},
      {"training.dataloader", dataloader},
      {"validation.dataloader", dataloader},
      {"parallelism", {"data_parallel_replicate_degree", "data_parallel_shard_degree", "fsdp_reshard_after_forward",
                       "tensor_parallel_degree", "disable_loss_parallel", "enable_async_tensor_parallel",
                       "pipeline_parallel_degree", "module_fqns_per_model_part",
                       "pipeline_parallel_first_stage_less_layers", "pipeline_parallel_last_stage_less_layers",
                       "pipeline_parallel_layers_per_stage", "pipeline_parallel_schedule",
                       "pipeline_parallel_schedule_csv", "pipeline_parallel_microbatch_size",
                       "pipeline_parallel_expert_parallel_overlap", "context_parallel_degree",
                       "context_parallel_load_balancer", "context_parallel_rotate_method", "expert_parallel_degree",
                       "expert_tensor_parallel_degree", "expert_parallel_comm_backend",
                       "enable_compiled_autograd", "pipeline_parallel_split_points"}},
      {"checkpoint", {"enable", "enable_checkpoint", "enable_ft_dataloader_checkpoints", "folder", "interval",
                      "interval_type", "initial_load_path", "initial_load_model_only", "initial_load_in_hf",
                      "initial_load_in_hf_quantized", "last_save_model_only", "last_save_in_hf", "export_dtype",
                      "async_mode", "keep_latest_k", "load_step", "exclude_from_loading",
                      "enable_first_step_checkpoint", "create_seed_checkpoint", "load_only", "model_weights_only"}},
      {"activation_checkpoint", {"mode", "selective_ac_option", "per_op_sac_force_recompute_mm_shapes_by_fqns",
                                 "early_stop", "memory_budget", "visualize_memory_budget_pareto",
                                 "preserve_rng_state", "determinism_check", "debug"}},
      {"compile", {"enable", "components", "backend"}},
      {"quantize", {"linear", "grouped_mm"}},
      {"quantize.linear", {"float8", "mx"}},
      {"quantize.grouped_mm", {"float8", "mx"}},
      {"quantize.linear.float8", {"enable_fsdp_float8_all_gather", "precompute_float8_dynamic_scale_for_fsdp",
                                  "recipe_name", "filter_fqns", "emulate"}},
      {"quantize.linear.mx", {"mxfp8_dim1_cast_kernel_choice", "recipe_name", "filter_fqns"}},
      {"quantize.grouped_mm.float8", {"fqns"}},
      {"quantize.grouped_mm.mx", {"recipe_name", "fqns"}},
      {"float8", {"enable_float8_linear", "enable_fsdp_float8_all_gather", "precompute_float8_dynamic_scale_for_fsdp",
                  "recipe_name", "filter_fqns", "emulate", "moe_fqns_prototype",
                  "force_recompute_fp8_weight_in_bwd"}},
      {"mx", {"mxfp8_dim1_cast_kernel_choice", "recipe_name", "filter_fqns", "moe_fqns_prototype"}},
      {"comm", {"init_timeout_seconds", "train_timeout_seconds", "trace_buf_size", "save_traces_folder",
                "save_traces_file_prefix", "mode"}},
      {"memory_estimation", {"enable", "disable_fake_mode"}},
      {"fault_tolerance", {"enable", "process_group", "process_group_timeout_ms", "replica_id", "group_size",
                           "min_replica_size", "semi_sync_method"}},
      {"experimental", {"custom_import", "custom_args_module"}},
      {"validation", {"enable", "dataset", "dataset_path", "local_batch_size", "seq_len", "freq", "steps",
                      "dataloader"}},
      {"debug", {"seed", "deterministic", "deterministic_warn_only", "moe_force_load_balance"}},
  };
  static const std::vector<std::string> none;
  auto it = known.find(section);
  return it == known.end() ? none : it->second;
}
// clang-format on

bool titan_ignored_section(const std::string& section) {
  static const std::vector<std::string> ignored = {
      "job",  "profiling",         "metrics",         "lr_scheduler", "checkpoint",
      "comm", "memory_estimation", "fault_tolerance", "experimental", "validation",
      "debug"};
  return std::find(ignored.begin(), ignored.end(), section) != ignored.end();
}

}  // namespace trainsim::titan
