// A scenario: model + cluster + parallel layout + training settings, resolved
// and validated (docs/design.md §3). Loading goes through the declared key table
// (keys.hpp), so every value here has a declared type, unit and default.
//
// Defaults: each key's default is one named constant of scenario_defaults.hpp;
// the initialisers below and the key table (sim/config/keys_scenario.cpp, which
// prints them into docs/keys.md) both read it, so a Scenario built in code
// equals one loaded from a YAML that gives only the required keys
// (tests/config/scenario_defaults_test.cpp). Keys without a default (nodes,
// gpus, parallel.dp, training.global_batch) are derived or required; their
// initialisers are placeholders.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sim/core/error.hpp"
#include "sim/spec/import_log.hpp"
#include "sim/core/quantity.hpp"
#include "sim/spec/model_spec.hpp"
#include "sim/spec/cluster_spec.hpp"
#include "sim/spec/nccl_algo.hpp"
#include "sim/spec/rank_order.hpp"
#include "sim/spec/scenario_defaults.hpp"
#include "sim/spec/scenario_enums.hpp"

namespace trainsim {

struct ParallelPlan {
  int tp = defaults::kTp;  // tensor parallel
  int pp = defaults::kPp;  // pipeline parallel
  int dp = 1;              // data parallel (derived when not given)
  int cp = defaults::kCp;  // context parallel
  int vp = defaults::kVp;  // model chunks per pipeline rank
  bool sequence_parallel = defaults::kSequenceParallel;
  int zero_stage = defaults::kZeroStage;  // 0..3, sharded over the dp x cp group
  Schedule schedule = defaults::kSchedule;
  bool embedding_in_pp_split = defaults::kEmbeddingInPpSplit;  // embedding and output layer count as a layer each
  RankOrder order = kDefaultRankOrder;                         // rank order, fastest dimension first (parallel.order)
  PipelineEngine pipeline_engine = defaults::kPipelineEngine;
  // HSDP (parallel.dp_replicate / parallel.dp_shard): dp = dp_replicate x
  // dp_shard; sharded states split over the dp_shard ranks of a replica group,
  // gradients all-reduced across the dp_replicate groups.
  int dp_replicate = defaults::kDpReplicate;
  int dp_shard = 0;  // ranks of one shard group; 0 = dp / dp_replicate (derived)
  // FSDP2 fully_shard(reshard_after_forward): kReshardAuto = the framework's
  // choice, 0 = false (kept gathered until the backward), 1 = true (reshard
  // over the shard group), N >= 2 = reshard to groups of N ranks.
  int reshard_after_forward = defaults::kReshardAuto;
  // Mixture of experts (Megatron-core expert_model_parallel_size and
  // expert_tensor_parallel_size): the expert layers' own mesh etp x ep x
  // expert-dp x pp over the same GPUs, expert-dp = tp x cp x dp / (etp x ep)
  // (sim/parallel/layout.hpp). etp 0 = tp (not given).
  int ep = defaults::kEp;
  int etp = 0;

  // The expert tensor-parallel size in force: etp, or tp when not given.
  int expert_tp() const { return etp > 0 ? etp : tp; }
  // tp x cp x dp / (etp x ep), 0 when it does not divide (check_layout says so).
  int expert_dp() const;

  bool operator==(const ParallelPlan&) const = default;
};

// How the step overlaps communication with compute (scenario training.* keys).
struct OverlapOptions {
  bool grad_reduce = defaults::kOverlapGradReduce;    // gradient buckets reduced during the backward
  bool param_gather = defaults::kOverlapParamGather;  // ZeRO-1/2 parameter all-gather hidden behind the next forward
  // Megatron --overlap-param-gather-with-optimizer-step: the first model chunk's
  // parameter all-gather is issued during the optimizer step of the other chunks
  bool param_gather_with_step = defaults::kOverlapParamGatherWithStep;
  bool tp_comm = defaults::kTpCommOverlap;  // TP collectives overlapped with their block's GEMMs
  bool p2p = defaults::kOverlapP2p;         // interleaved pipeline sends overlapped with compute (Megatron
                                            // --overlap-p2p-communication)
  bool grad_clip = defaults::kGradClip;     // global gradient-norm all-reduce before the step

  bool operator==(const OverlapOptions&) const = default;
};

// How an MoE layer routes and dispatches its tokens (training.moe_* keys).
struct MoeOptions {
  MoeDispatcher dispatcher = defaults::kMoeDispatcher;  // --moe-token-dispatcher-type
  bool grouped_gemm = defaults::kMoeGroupedGemm;        // --moe-grouped-gemm: one grouped GEMM for the local experts
  bool a2a_overlap = defaults::kMoeA2aOverlap;          // --overlap-moe-expert-parallel-comm
  // Tokens of the busiest expert over the mean (1 = uniform routing).
  double load_skew = defaults::kMoeLoadSkew;
  // Per-expert share of the routed tokens (one per routed expert, summing to
  // 1); empty = uniform with load_skew. When given it overrides load_skew.
  std::vector<double> token_histogram;

  // The busiest expert's tokens over the mean: max share x experts with a
  // histogram, else load_skew.
  double busiest_over_mean() const;

  bool operator==(const MoeOptions&) const = default;
};

struct TrainingPlan {
  int seq_len = defaults::kSeqLen;
  int micro_batch = defaults::kMicroBatch;  // sequences per micro-batch per GPU
  int global_batch = 1;                     // sequences per step
  Precision precision = defaults::kPrecision;
  Recompute recompute = defaults::kRecompute;
  // training.recompute_num_layers: 0 = not given (every layer, as `recompute`
  // says); with full recomputation, N layers per group (uniform) or per stage (block).
  int recompute_num_layers = 0;
  std::optional<RecomputeMethod> recompute_method;  // nullopt = auto (block when recompute_num_layers is given)
  std::optional<double> dropout;                    // training.dropout; nullopt = the model card's
  bool compile = defaults::kCompile;                // torch.compile fuses the memory-bound kernels
  bool cuda_graphs = defaults::kCudaGraphs;         // CUDA graphs: no per-op host dispatch
  CudaGraphScope cuda_graph_scope = defaults::kCudaGraphScope;  // what the graphs capture (with cuda_graphs)
  bool fused_rmsnorm = defaults::kFusedRmsnorm;  // eager runs a one-kernel RMSNorm (ActivationShape::composite_rmsnorm)
  std::optional<Fp8Recipe> fp8_recipe;           // nullopt = auto (delayed) under fp8
  OptimizerKind optimizer = defaults::kOptimizer;
  bool flash_attention = defaults::kFlashAttention;  // attention scores are not stored
  OverlapOptions overlap;
  std::string compute_profile;  // measured per-layer times (CSV path, resolved), "" = cost model
  double host_dispatch_s = defaults::kHostDispatchTime;  // CPU time to issue one op (training.host_dispatch_time), s
  bool launch_blocking = defaults::kCudaLaunchBlocking;  // CUDA_LAUNCH_BLOCKING=1 (training.cuda_launch_blocking)
  // Bytes of one main-gradient element (training.grad_dtype) under the megatron
  // convention: 4 = fp32 main grads (Megatron-LM's bf16 default), 2 = 16-bit
  // grads reduced in 16 bits (Megatron-core grad_reduce_in_fp32 false, NeMo
  // optim.grad_sync_dtype bf16); 0 = the convention's default.
  int grad_bytes = 0;
  // PEFT/LoRA and packed sequences (training.peft, training.lora_*,
  // training.packed_sequences, training.pack_mean_seq_len; finetune.hpp).
  FineTuning finetune{defaults::kPeft,        defaults::kLoraRank,        defaults::kLoraTargets,
                      defaults::kLoraDropout, defaults::kPackedSequences, 0};
  MoeOptions moe;  // mixture-of-experts routing and dispatch (MoE models only)

  bool operator==(const TrainingPlan&) const = default;
};

// DeepSpeed's async I/O settings for NVMe swapping (ds_config "aio").
struct AioOptions {
  Bytes block_size = Bytes(defaults::kAioBlockSize);  // aio.block_size
  int queue_depth = defaults::kAioQueueDepth;         // aio.queue_depth
  int thread_count = defaults::kAioThreadCount;       // aio.thread_count
  bool single_submit = defaults::kAioSingleSubmit;    // aio.single_submit
  bool overlap_events = defaults::kAioOverlapEvents;  // aio.overlap_events

  bool operator==(const AioOptions&) const = default;
};

struct OffloadPlan {
  OffloadDevice optimizer = defaults::kOffloadOptimizer;
  OffloadDevice params = defaults::kOffloadParams;
  bool pin_memory = defaults::kPinMemory;                        // page-locked host buffers
  int optimizer_buffer_count = defaults::kOptimizerBufferCount;  // offload_optimizer.buffer_count
  int param_buffer_count = defaults::kParamBufferCount;          // offload_param.buffer_count
  double param_buffer_elements = defaults::kParamBufferSize;     // offload_param.buffer_size
  double max_in_cpu_elements = defaults::kMaxInCpu;              // offload_param.max_in_cpu
  std::string nvme_path{defaults::kNvmePath};                    // recorded only
  double cpu_adam_rate = defaults::kCpuAdamThroughput;  // parameters/s per node for CPU-Adam; 0 = the cluster card's
  AioOptions aio;

  bool operator==(const OffloadPlan&) const = default;
};

struct MemoryOptions {
  MemoryConvention convention = MemoryConvention::megatron;
  ConventionSource convention_source = ConventionSource::default_value;  // who chose `convention`
  Bytes cuda_context = Bytes(defaults::kCudaContext);                    // CUDA context + library workspaces per GPU
  double allocator_overhead = defaults::kAllocatorOverhead;  // caching-allocator fragmentation, fraction of activations
  double reduce_bucket_elements = defaults::kReduceBucketSize;        // DeepSpeed reduce_bucket_size (elements)
  double allgather_bucket_elements = defaults::kAllgatherBucketSize;  // DeepSpeed allgather_bucket_size (elements)
  double prefetch_bucket_elements = defaults::kPrefetchBucketSize;  // DeepSpeed stage3_prefetch_bucket_size (elements)
  double param_persistence_threshold =
      defaults::kParamPersistenceThreshold;                   // DeepSpeed stage3_param_persistence_threshold (elements)
  double max_live_parameters = defaults::kMaxLiveParameters;  // DeepSpeed stage3_max_live_parameters (elements)
  double max_reuse_distance = defaults::kMaxReuseDistance;    // DeepSpeed stage3_max_reuse_distance (elements)
  double sub_group_size = defaults::kSubGroupSize;            // DeepSpeed sub_group_size (elements)

  bool operator==(const MemoryOptions&) const = default;
};

// NCCL settings of the step's collectives (NCCL_ALGO / NCCL_PROTO); nothing
// (network.*: auto) = NCCL's tuner picks.
struct NetworkOptions {
  std::optional<NcclAlgo> algorithm;  // ring | tree | nvls | hierarchical
  std::optional<NcclProto> protocol;  // LL | LL128 | Simple

  bool operator==(const NetworkOptions&) const = default;
};

struct Scenario {
  std::string file;  // the scenario file ("" when built in code)
  ModelSpec model;
  ClusterSpec cluster;
  int nodes = 1;  // nodes used
  int gpus = 1;   // GPUs used
  // framework.name as resolved: auto = deepspeed with a ds_config, else megatron-lm.
  Framework framework = Framework::megatron_lm;
  std::string framework_version;  // framework.version as given ("" = the newest profile)
  ParallelPlan parallel;
  TrainingPlan training;
  OffloadPlan offload;
  MemoryOptions memory;
  NetworkOptions network;

  // Where each key's value came from, for error messages (dotted key -> location).
  std::map<std::string, SourceLocation> locations;
  // What ds_config.json, Megatron flags or a hostfile set, ignored and warned about.
  ImportLog imports;
  // Every scenario key's value text after imports ("" = no value), for --save-resolved.
  std::map<std::string, std::string> resolved_texts;

  // Micro-batches per step per pipeline: global / (micro_batch x dp).
  int num_micro_batches() const;
  // The location of `key`, or {file, 0, key} when unknown.
  SourceLocation where(const std::string& key) const;
};

// One reason a layout is impossible: the key to change and what would be valid.
struct LayoutProblem {
  std::string key;
  std::string message;
};

// All layout problems of a resolved scenario (empty when valid): TP divides
// heads, KV heads and FFN; PP <= layers; DP x TP x PP x CP = GPUs; global batch
// a multiple of micro-batch x DP; vp and schedule consistent; and so on.
std::vector<LayoutProblem> check_layout(const Scenario& s);

// Throws ConfigError for the first problem of check_layout(s).
void validate_layout(const Scenario& s);

}  // namespace trainsim
