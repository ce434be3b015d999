// A scenario: model + cluster + parallel layout + training settings, resolved
// and validated (docs/design.md §3). Loading goes through the declared key table
// (keys.hpp), so every value here has a declared type, unit and default.
//
// Defaults: the scenario key table (sim/config/keys_scenario.cpp) is their one
// source. The initialisers below restate it so that a Scenario built in code
// equals one loaded from a YAML that gives only the required keys;
// tests/config/scenario_defaults_test.cpp compares every field and fails on any
// difference. Keys without a default (nodes, gpus, parallel.dp,
// training.global_batch) are derived or required; their initialisers are
// placeholders.
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

namespace trainsim {

enum class Schedule { gpipe, one_f_one_b, interleaved_1f1b };
enum class Recompute { none, selective, full };
enum class OptimizerKind { adam, sgd };
enum class OffloadDevice { none, cpu, nvme };
// How model states are counted (users compare against both):
//  megatron:  bf16/fp16 params 2 B + fp32 main grads 4 B + Adam 12 B = 18 B per
//             parameter; the distributed optimizer (ZeRO-1) shards the 12 B.
//  deepspeed: params 2 B + grads 2 B + Adam 12 B = 16 B (ZeRO paper), with the
//             extra buffers DeepSpeed's own estimators count for ZeRO-2/3.
enum class MemoryConvention { megatron, deepspeed };
// How pipeline stages exchange activations (parallel.pipeline_engine):
// megatron = Megatron's asynchronous scatter/gather sends split over TP;
// deepspeed = DeepSpeed's PipelineEngine: blocking sends of the whole
// activation from every TP rank.
enum class PipelineEngine { megatron, deepspeed };

const char* to_string(Schedule s);
const char* to_string(Recompute r);
const char* to_string(OptimizerKind o);
const char* to_string(OffloadDevice d);
const char* to_string(MemoryConvention c);
const char* to_string(PipelineEngine e);

struct ParallelPlan {
  int tp = 1;  // tensor parallel
  int pp = 1;  // pipeline parallel
  int dp = 1;  // data parallel (derived when not given)
  int cp = 1;  // context parallel
  int vp = 1;  // model chunks per pipeline rank
  bool sequence_parallel = false;
  int zero_stage = 0;  // 0..3, sharded over the dp x cp group
  Schedule schedule = Schedule::one_f_one_b;
  bool embedding_in_pp_split = false;   // embedding and output layer count as a layer each
  RankOrder order = kDefaultRankOrder;  // rank order, fastest dimension first (parallel.order)
  PipelineEngine pipeline_engine = PipelineEngine::megatron;

  bool operator==(const ParallelPlan&) const = default;
};

// How the step overlaps communication with compute (scenario training.* keys).
struct OverlapOptions {
  bool grad_reduce = true;    // gradient buckets reduced during the backward
  bool param_gather = false;  // ZeRO-1/2 parameter all-gather hidden behind the next forward
  bool tp_comm = false;       // TP collectives overlapped with their block's GEMMs
  bool p2p = false;       // interleaved pipeline sends overlapped with compute (Megatron --overlap-p2p-communication)
  bool grad_clip = true;  // global gradient-norm all-reduce before the step

  bool operator==(const OverlapOptions&) const = default;
};

struct TrainingPlan {
  int seq_len = 2048;
  int micro_batch = 1;   // sequences per micro-batch per GPU
  int global_batch = 1;  // sequences per step
  Precision precision = Precision::bf16;
  Recompute recompute = Recompute::none;
  OptimizerKind optimizer = OptimizerKind::adam;
  bool flash_attention = true;  // attention scores are not stored
  OverlapOptions overlap;
  std::string compute_profile;     // measured per-layer times (CSV path, resolved), "" = cost model
  double host_dispatch_s = 70e-6;  // CPU time to issue one op (training.host_dispatch_time), s
  bool launch_blocking = false;    // CUDA_LAUNCH_BLOCKING=1 (training.cuda_launch_blocking)
  // Bytes of one main-gradient element (training.grad_dtype) under the megatron
  // convention: 4 = fp32 main grads (Megatron-LM's bf16 default), 2 = 16-bit
  // grads reduced in 16 bits (Megatron-core grad_reduce_in_fp32 false, NeMo
  // optim.grad_sync_dtype bf16); 0 = the convention's default.
  int grad_bytes = 0;

  bool operator==(const TrainingPlan&) const = default;
};

// DeepSpeed's async I/O settings for NVMe swapping (ds_config "aio").
struct AioOptions {
  Bytes block_size = Bytes(1 << 20);  // aio.block_size
  int queue_depth = 8;                // aio.queue_depth
  int thread_count = 1;               // aio.thread_count
  bool single_submit = false;         // aio.single_submit
  bool overlap_events = true;         // aio.overlap_events

  bool operator==(const AioOptions&) const = default;
};

struct OffloadPlan {
  OffloadDevice optimizer = OffloadDevice::none;
  OffloadDevice params = OffloadDevice::none;
  bool pin_memory = false;                // page-locked host buffers
  int optimizer_buffer_count = 4;         // offload_optimizer.buffer_count
  int param_buffer_count = 5;             // offload_param.buffer_count
  double param_buffer_elements = 1e8;     // offload_param.buffer_size
  double max_in_cpu_elements = 1e9;       // offload_param.max_in_cpu
  std::string nvme_path = "/local_nvme";  // recorded only
  double cpu_adam_rate = 0;               // parameters/s per node for CPU-Adam; 0 = the cluster card's
  AioOptions aio;

  bool operator==(const OffloadPlan&) const = default;
};

struct MemoryOptions {
  MemoryConvention convention = MemoryConvention::megatron;
  Bytes cuda_context = Bytes(kGiB);          // CUDA context + library workspaces per GPU
  double allocator_overhead = 0.1;           // caching-allocator fragmentation, fraction of activations
  double reduce_bucket_elements = 5e8;       // DeepSpeed reduce_bucket_size (elements)
  double allgather_bucket_elements = 5e8;    // DeepSpeed allgather_bucket_size (elements)
  double prefetch_bucket_elements = 5e7;     // DeepSpeed stage3_prefetch_bucket_size (elements)
  double param_persistence_threshold = 1e5;  // DeepSpeed stage3_param_persistence_threshold (elements)
  double max_live_parameters = 1e9;          // DeepSpeed stage3_max_live_parameters (elements)
  double max_reuse_distance = 1e9;           // DeepSpeed stage3_max_reuse_distance (elements)
  double sub_group_size = 1e9;               // DeepSpeed sub_group_size (elements)

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
