// The framework profile table (framework_profile.hpp): the one source of every
// framework's sharding x pipeline rule and launch defaults. Each item names
// the file and function of the framework's code it was read from (mirrors of
// github.com/NVIDIA/Megatron-LM, deepspeedai/DeepSpeed, pytorch/torchtitan,
// NVIDIA-NeMo/Megatron-Bridge, NVIDIA/NeMo, huggingface/transformers, 2026).
// Only what the code states for every model is here; the rest is left to the
// key defaults rather than guessed.
#include "sim/spec/framework_profile.hpp"

namespace trainsim {
namespace {

// Megatron-core's rule, shared by the Megatron family. The distributed
// optimizer (--use-distributed-optimizer, megatron/core/optimizer/
// distrib_optimizer.py DistributedOptimizer) shards the optimizer states only
// (ZeRO-1) and runs with PP and interleaving. Sharded gradients and
// parameters come only from Megatron-FSDP (--use-megatron-fsdp); PyTorch FSDP2
// inside Megatron-LM (--use-torch-fsdp2) asserts pipeline_model_parallel_size
// == 1 (megatron/training/arguments.py validate_args).
constexpr PipelineRule kMegatronRule{
    true, 1,
    "Megatron-core's distributed optimizer shards optimizer states only (ZeRO-1) and is the sharding it "
    "combines with PP (megatron/core/optimizer/distrib_optimizer.py); --use-torch-fsdp2 asserts "
    "pipeline_model_parallel_size == 1 (megatron/training/arguments.py validate_args)",
    "use zero_stage <= 1 with pp > 1, or framework.name: megatron-fsdp (Megatron-FSDP) or torchtitan (FSDP2), "
    "which shard parameters with PP"};

// DeepSpeed's PipelineEngine (deepspeed/runtime/pipe/engine.py
// PipelineEngine.__init__) asserts zero_optimization_stage() <
// ZeroStageEnum.gradients: "ZeRO-2 and ZeRO-3 are incompatible with pipeline
// parallelism" (added in 0.3.16, PR #980; older releases did not check).
constexpr PipelineRule kDeepSpeedRule{
    true, 1,
    "DeepSpeed's PipelineEngine asserts ZeRO stage < 2: \"ZeRO-2 and ZeRO-3 are incompatible with pipeline "
    "parallelism\" (deepspeed/runtime/pipe/engine.py PipelineEngine.__init__)",
    "use zero_stage <= 1 or pp: 1"};

// deepspeed.initialize builds a PipelineEngine only for a PipelineModule
// (deepspeed/__init__.py initialize); DeepSpeed runs with pp > 1 are
// PipelineModule runs, and Megatron-DeepSpeed builds GPTModelPipe (a
// PipelineModule) whenever --deepspeed is given without --no-pipeline-parallel
// (Megatron-DeepSpeed pretrain_gpt.py model_provider).
// DeepSpeed's bucket sizes (elements) when the ds_config gives none: its own
// code defaults, equal to the key table's (keys_scenario.cpp), here so that a
// run says which profile decided them. 0.6.0 on: the pydantic
// DeepSpeedZeroConfig (deepspeed/runtime/zero/config.py at 1b88ac3:
// reduce_bucket_size l. 113, allgather_bucket_size l. 132,
// stage3_prefetch_bucket_size l. 215); before: deepspeed/runtime/zero/
// constants.py ZERO_OPTIMIZATION_REDUCE_BUCKET_SIZE_DEFAULT and
// ZERO_OPTIMIZATION_ALLGATHER_BUCKET_SIZE_DEFAULT (v0.5.10).
const ProfileDefault kDsReduceBucket{"memory.reduce_bucket_size", "5e8",
                                     "gradients reduced in reduce_bucket_size buckets of 5e8 elements",
                                     "deepspeed/runtime/zero/config.py DeepSpeedZeroConfig.reduce_bucket_size l. 113"};
const ProfileDefault kDsAllgatherBucket{
    "memory.allgather_bucket_size", "5e8", "ZeRO-1/2 parameters all-gathered in buckets of 5e8 elements",
    "deepspeed/runtime/zero/config.py DeepSpeedZeroConfig.allgather_bucket_size l. 132"};
const ProfileDefault kDsPrefetchBucket{
    "memory.prefetch_bucket_size", "5e7", "ZeRO-3 fetches up to 5e7 parameter elements ahead of use",
    "deepspeed/runtime/zero/config.py DeepSpeedZeroConfig.prefetch_bucket_size (stage3_prefetch_bucket_size) l. 215"};
const ProfileDefault kDsOldReduceBucket{
    "memory.reduce_bucket_size", "5e8", "gradients reduced in reduce_bucket_size buckets of 5e8 elements",
    "deepspeed/runtime/zero/constants.py ZERO_OPTIMIZATION_REDUCE_BUCKET_SIZE_DEFAULT (v0.5.10)"};
const ProfileDefault kDsOldAllgatherBucket{
    "memory.allgather_bucket_size", "5e8", "ZeRO-1/2 parameters all-gathered in buckets of 5e8 elements",
    "deepspeed/runtime/zero/constants.py ZERO_OPTIMIZATION_ALLGATHER_BUCKET_SIZE_DEFAULT (v0.5.10)"};

const ProfileDefault kDeepSpeedPipe{
    "parallel.pipeline_engine", "deepspeed", "pipeline stages exchange activations through DeepSpeed's PipelineEngine",
    "deepspeed/__init__.py initialize (PipelineEngine for a PipelineModule)", ProfileWhen::with_pp};

// Every profile, grouped by framework, oldest version range first (data table).
std::vector<FrameworkProfile> build() {
  std::vector<FrameworkProfile> t;
  // Megatron-LM and Megatron-core: the model trainsim was calibrated on; no
  // default differs from the key table's (--use-distributed-optimizer and
  // the overlaps are flags the launch states).
  t.push_back({Framework::megatron_lm, "", "", kMegatronRule, {}, ""});
  t.push_back({Framework::megatron_core, "", "", kMegatronRule, {}, ""});
  t.push_back({Framework::megatron_deepspeed,
               "",
               "",
               kDeepSpeedRule,
               {{"parallel.pipeline_engine", "deepspeed",
                 "GPTModelPipe runs on DeepSpeed's PipelineEngine unless --no-pipeline-parallel",
                 "Megatron-DeepSpeed pretrain_gpt.py model_provider", ProfileWhen::with_pp}},
               ""});
  // DeepSpeed before 0.6.0: ZeRO-3's fetch_sub_module (deepspeed/runtime/zero/
  // stage3.py, v0.3.12-v0.5.10) waits on every in-flight gather with
  // _synchronize_communication, which ends in torch.cuda.synchronize(); the
  // prefetch (prefetch_next_sub_modules) is issued only when nothing is in
  // flight, one all_gather per parameter (partition_parameters.py _all_gather,
  // async path). 0.6.0 (PR #1453, "Various ZeRO Stage3 Optimizations")
  // replaced it with coalesced all-gathers, event waits and a prefetch queue.
  // Modelled: no gather runs ahead of the unit that needs it
  // (memory.prefetch_bucket_size 0). Not modelled: the per-parameter launches
  // of the prefetch, the host stall at each synchronize, and the re-gather of
  // the recomputed forward (trainsim's backward gathers a unit once for its
  // recomputation and its backward, in both versions).
  t.push_back({Framework::deepspeed,
               "",
               "0.6.0",
               kDeepSpeedRule,
               {kDeepSpeedPipe,
                kDsOldReduceBucket,
                kDsOldAllgatherBucket,
                {"memory.prefetch_bucket_size", "0",
                 "ZeRO-3 fetches a submodule's parameters when it runs and waits with torch.cuda.synchronize(); "
                 "no gather ahead",
                 "deepspeed/runtime/zero/stage3.py fetch_sub_module, _synchronize_communication (v0.5.10)"}},
               "not modelled: the per-parameter prefetch launches, the host stall at each torch.cuda.synchronize() "
               "and the re-gather for recomputation"});
  t.push_back({Framework::deepspeed,
               "0.6.0",
               "",
               kDeepSpeedRule,
               {kDeepSpeedPipe, kDsReduceBucket, kDsAllgatherBucket, kDsPrefetchBucket},
               ""});
  // torchtitan: FSDP2 (fully_shard) composes with TP, PP and CP
  // (torchtitan/models/llama3/infra/parallelize.py parallelize_llama, and
  // torchtitan/distributed/pipeline_parallel.py for PP).
  t.push_back(
      {Framework::torchtitan,
       "0.1.0",
       "",
       {true, 3, "", ""},
       {{"parallel.zero_stage", "3", "FSDP2 over the ranks left after TP, PP and CP (data_parallel_shard_degree = -1)",
         "torchtitan/config/configs.py ParallelismConfig.data_parallel_shard_degree; class Parallelism of "
         "config/job_config.py in v0.2, config_manager.py in v0.1"},
        {"parallel.reshard_after_forward", "false",
         "fsdp_reshard_after_forward \"default\": parameters stay gathered after the forward when PP is on",
         "torchtitan/distributed/fsdp.py get_fsdp_reshard_after_forward_policy", ProfileWhen::with_pp},
        {"parallel.reshard_after_forward", "true",
         "fsdp_reshard_after_forward \"default\": parameters resharded after the forward without PP",
         "torchtitan/distributed/fsdp.py get_fsdp_reshard_after_forward_policy", ProfileWhen::without_pp},
        {"training.precision", "bf16", "mixed_precision_param = bfloat16",
         "torchtitan/config/configs.py TrainingConfig.mixed_precision_param"},
        {"training.grad_dtype", "fp32", "gradients reduced in fp32 (mixed_precision_reduce = float32)",
         "torchtitan/config/configs.py TrainingConfig.mixed_precision_reduce"},
        {"memory.prefetch_bucket_size", "0",
         "FSDP2 prefetches one block ahead: the next transformer block's all-gather is issued while the "
         "current one runs (implicit forward prefetch, explicit backward prefetch of the next group)",
         "torch/distributed/fsdp/_fully_shard/_fsdp_param_group.py FSDPParamGroup.unshard, "
         "_fsdp_state.py _pre_backward / _backward_prefetch (default one module)"}},
       ""});
  // Megatron-FSDP v1 (megatron_fsdp_version default 1,
  // megatron/core/distributed/distributed_data_parallel_config.py) has no
  // pipeline assertion in validate_args; v2 refuses TP, PP and CP
  // (megatron/core/distributed/fsdp/mcore_fsdp_adapter.py _validate_config).
  t.push_back(
      {Framework::megatron_fsdp,
       "",
       "",
       {true, 3, "", ""},
       {{"parallel.zero_stage", "3", "--data-parallel-sharding-strategy defaults to optim_grads_params (ZeRO-3)",
         "megatron/training/arguments.py _add_distributed_args"}},
       "--megatron-fsdp-version 2 refuses TP, PP and CP (mcore_fsdp_adapter.py _validate_config); the "
       "profile is v1's"});
  // NeMo 2 recipes (nemo.collections.llm.recipes) all take
  // distributed_fused_adam_with_cosine_annealing.
  t.push_back({Framework::nemo,
               "",
               "",
               kMegatronRule,
               {{"parallel.zero_stage", "1", "the recipes' optimizer is Megatron's distributed optimizer",
                 "NVIDIA/NeMo nemo/collections/llm/recipes/optim/adam.py distributed_fused_adam_with_cosine_annealing "
                 "(use_distributed_optimizer=True)"}},
               ""});
  // Megatron-Bridge pre-training recipes: _pretrain_common's
  // DistributedDataParallelConfig (src/megatron/bridge/recipes/common.py;
  // the same in v0.2.0's per-model recipes, recipes/llama/llama3.py).
  const char* bridge = "src/megatron/bridge/recipes/common.py _pretrain_common (DistributedDataParallelConfig)";
  t.push_back({Framework::megatron_bridge,
               "",
               "",
               kMegatronRule,
               {{"parallel.zero_stage", "1", "use_distributed_optimizer=True", bridge},
                {"training.grad_dtype", "fp32", "grad_reduce_in_fp32=True", bridge},
                {"training.overlap_grad_reduce", "true", "overlap_grad_reduce=True", bridge},
                {"training.overlap_param_gather", "true", "overlap_param_gather=True", bridge}},
               "fine-tuning recipes (_sft_common, _peft_common) differ; the profile is pre-training's"});
  // transformers' Trainer hands the PreTrainedModel to DDP, FSDP or
  // deepspeed.initialize; DeepSpeed pipelines only a PipelineModule
  // (deepspeed/__init__.py initialize), and the Trainer's model parallelism
  // (Trainer.__init__: is_parallelizable / hf_device_map) places layers on
  // devices one after another without a pipeline schedule.
  t.push_back({Framework::hf_trainer,
               "",
               "",
               {false, 0,
                "transformers' Trainer has no pipeline schedule: it wraps the model in DDP, FSDP or "
                "deepspeed.initialize, which pipelines only a PipelineModule (deepspeed/__init__.py initialize); "
                "its model parallelism (hf_device_map) runs layers one device after another (trainer.py)",
                "use pp: 1, or a framework with a pipeline schedule (framework.name: deepspeed, megatron-lm, "
                "torchtitan)"},
               {},
               ""});
  return t;
}

}  // namespace

// (data table) torchtitan: the Llama model code calls F.silu(w1(x)) * w3(x),
// apply_rotary_emb and nn.RMSNorm op by op (torchtitan/models/llama3/model/
// model.py) and its selective AC is op-level (torchtitan/distributed/
// activation_checkpoint.py _get_custom_policy, the _save_list of mm and SDPA
// outputs). transformers: LlamaRMSNorm, apply_rotary_pos_emb and
// LlamaMLP act_fn(gate_proj(x)) * up_proj(x) run eager
// (models/llama/modeling_llama.py). The Megatron family and DeepSpeed's
// Megatron models run fused kernels (Transformer Engine, Apex).
KernelStyle kernel_style(Framework framework) {
  switch (framework) {
    case Framework::torchtitan: return {true, true};
    case Framework::hf_trainer: return {true, false};
    default: return {};
  }
}

// (data table) Megatron-core's DistributedDataParallel.__init__ (megatron/core/
// distributed/distributed_data_parallel.py, l. 61-67 at 0011998): bucket_size
// None -> max(40000000, 1000000 x data-parallel size); Megatron-LM's training
// loop passes the size with context parallelism (training.py get_model /
// dist_utils: the dp x cp group). Megatron-FSDP, NeMo and Megatron-Bridge build
// the same DistributedDataParallelConfig. Not modelled here: the code then
// sets bucket_size None (one bucket) without overlap_grad_reduce and on
// pipeline stages after the first.
DdpBucketRule ddp_bucket_rule(Framework framework) {
  switch (framework) {
    case Framework::megatron_lm:
    case Framework::megatron_core:
    case Framework::megatron_fsdp:
    case Framework::nemo:
    case Framework::megatron_bridge:
      return {40e6, 1e6, "gradient buckets of max(40M, 1M x dp x cp) elements (DDP bucket_size unset)",
              "megatron/core/distributed/distributed_data_parallel.py DistributedDataParallel.__init__ l. 61-67"};
    default: return {};
  }
}

const std::vector<FrameworkProfile>& framework_profiles() {
  static const std::vector<FrameworkProfile> table = build();
  return table;
}

}  // namespace trainsim
