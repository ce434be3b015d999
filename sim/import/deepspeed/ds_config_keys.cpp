#include "sim/import/deepspeed/ds_config_keys.hpp"

#include <map>

namespace trainsim {

// The keys DeepSpeed's config accepts, by section (data table).
// clang-format off
const std::vector<std::string>& ds_known_keys(const std::string& section) {
  static const std::map<std::string, std::vector<std::string>> known = {
      {"",
       {"train_batch_size", "train_micro_batch_size_per_gpu", "gradient_accumulation_steps", "zero_optimization",
        "fp16", "bf16", "bfloat16", "amp", "gradient_clipping", "activation_checkpointing", "aio", "optimizer",
        "scheduler", "pipeline", "steps_per_print", "wall_clock_breakdown", "memory_breakdown", "dump_state",
        "prescale_gradients", "gradient_predivide_factor", "sparse_gradients", "zero_allow_untested_optimizer",
        "zero_force_ds_cpu_optimizer", "communication_data_type", "seq_parallel_communication_data_type",
        "disable_allgather", "dataloader_drop_last", "graph_harvesting", "use_data_before_expert_parallelism",
        "checkpoint", "data_types", "vocabulary_size", "eigenvalue", "progressive_layer_drop", "quantize_training",
        "sparse_attention", "hybrid_engine", "flops_profiler", "tensorboard", "wandb", "csv_monitor", "comet",
        "comms_logger", "elasticity", "autotuning", "compression_training", "data_efficiency",
        "curriculum_learning", "nebula", "weight_quantization", "tensor_parallel", "compile", "timers",
        "torch_autocast", "load_universal_checkpoint", "zero_quantized_weights"}},
      {"zero_optimization",
       {"stage", "contiguous_gradients", "reduce_scatter", "reduce_bucket_size", "use_multi_rank_bucket_allreduce",
        "allgather_partitions", "allgather_bucket_size", "overlap_comm", "load_from_fp32_weights",
        "elastic_checkpoint", "offload_param", "offload_optimizer", "sub_group_size", "cpu_offload_param",
        "cpu_offload_use_pin_memory", "cpu_offload", "stage3_prefetch_bucket_size",
        "stage3_param_persistence_threshold", "stage3_model_persistence_threshold", "stage3_max_live_parameters",
        "stage3_max_reuse_distance", "stage3_gather_16bit_weights_on_model_save",
        "stage3_module_granularity_threshold", "stage3_use_all_reduce_for_fetch_params",
        "stage3_gather_fp16_weights_on_model_save", "ignore_unused_parameters", "legacy_stage1",
        "round_robin_gradients", "zero_hpz_partition_size", "zero_quantized_weights",
        "zero_quantized_nontrainable_weights", "zero_quantized_gradients", "zeropp_loco_param", "mics_shard_size",
        "mics_hierarchical_params_gather", "memory_efficient_linear", "pipeline_loading_checkpoint",
        "override_module_apply", "log_trace_cache_warnings"}},
      {"offload_optimizer",
       {"device", "nvme_path", "buffer_count", "pin_memory", "pipeline_read", "pipeline_write", "fast_init", "ratio"}},
      {"offload_param", {"device", "nvme_path", "buffer_count", "buffer_size", "max_in_cpu", "pin_memory"}},
      {"aio", {"block_size", "queue_depth", "intra_op_parallelism", "thread_count", "single_submit", "overlap_events",
               "use_gds"}},
      {"fp16", {"enabled", "auto_cast", "loss_scale", "initial_scale_power", "loss_scale_window", "hysteresis",
                "consecutive_hysteresis", "min_loss_scale", "fp16_master_weights_and_grads"}},
      {"bf16", {"enabled", "immediate_grad_update", "check_grad_overflow"}},
      {"activation_checkpointing", {"partition_activations", "number_checkpoints", "contiguous_memory_optimization",
                                    "synchronize_checkpoint_boundary", "profile", "cpu_checkpointing"}},
      {"pipeline", {"stages", "partition", "seed_layers", "activation_checkpoint_interval", "pipe_partitioned",
                    "grad_partitioned", "use_reentrant"}},
      {"optimizer", {"type", "params", "legacy_fusion"}},
  };
  static const std::vector<std::string> none;
  auto it = known.find(section);
  return it == known.end() ? none : it->second;
}
// clang-format on

}  // namespace trainsim
