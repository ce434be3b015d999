// The default of every scenario key that has one: the one source. The structs
// of scenario.hpp initialise from these constants and the scenario key table
// (sim/config/keys_scenario.cpp) prints them, with their units, into
// `trainsim help keys` and docs/keys.md. Change a default here and nowhere else.
// Units: seconds, bytes, elements (counts) and fractions.
#pragma once

#include <string_view>

#include "sim/core/quantity.hpp"
#include "sim/spec/finetune.hpp"
#include "sim/spec/gpu_spec.hpp"
#include "sim/spec/scenario_enums.hpp"

namespace trainsim::defaults {

// parallel.*: one GPU per dimension, no sharding (Megatron-LM's and DeepSpeed's own defaults).
inline constexpr int kTp = 1;
inline constexpr int kPp = 1;
inline constexpr int kCp = 1;
inline constexpr int kVp = 1;
inline constexpr bool kSequenceParallel = false;
inline constexpr int kZeroStage = 0;
inline constexpr Schedule kSchedule = Schedule::one_f_one_b;
inline constexpr bool kEmbeddingInPpSplit = false;
inline constexpr PipelineEngine kPipelineEngine = PipelineEngine::megatron;
// HSDP: one replica group, i.e. sharding over the whole data-parallel group (FSDP's FULL_SHARD).
inline constexpr int kDpReplicate = 1;
// parallel.reshard_after_forward: the framework decides (ParallelPlan::reshard_after_forward).
inline constexpr int kReshardAuto = -1;
// parallel.ep: no expert parallelism (Megatron-core expert_model_parallel_size = 1);
// parallel.etp has no constant: it defaults to parallel.tp (expert_tensor_parallel_size = None).
inline constexpr int kEp = 1;

// training.*
inline constexpr int kSeqLen = 2048;  // used only when the model card gives no context length
inline constexpr int kMicroBatch = 1;
inline constexpr Precision kPrecision = Precision::bf16;
inline constexpr Recompute kRecompute = Recompute::none;
inline constexpr OptimizerKind kOptimizer = OptimizerKind::adam;
inline constexpr bool kFlashAttention = true;
inline constexpr bool kOverlapGradReduce = true;
inline constexpr bool kOverlapParamGather = false;
inline constexpr bool kOverlapParamGatherWithStep = false;
inline constexpr bool kOverlapP2p = false;
inline constexpr bool kTpCommOverlap = false;
inline constexpr bool kGradClip = true;
// CPU time to issue one op, seconds: fitted once on the calibration set (results/calibration.md).
inline constexpr double kHostDispatchTime = 70e-6;
inline constexpr bool kCudaLaunchBlocking = false;
inline constexpr bool kCompile = false;  // eager PyTorch (torch.compile off)
inline constexpr CudaGraphScope kCudaGraphScope = CudaGraphScope::full;
inline constexpr bool kCudaGraphs = false;    // kernels launched one by one from the host
inline constexpr bool kFusedRmsnorm = false;  // eager RMSNorm: PyTorch's composite rms_norm
// Mixture of experts: Megatron-core's defaults except the dispatcher and grouped
// GEMM, which its MoE guides and recipes turn on (--moe-token-dispatcher-type
// alltoall, --moe-grouped-gemm); routing uniform over the experts.
inline constexpr MoeDispatcher kMoeDispatcher = MoeDispatcher::alltoall;
inline constexpr bool kMoeGroupedGemm = true;
inline constexpr bool kMoeA2aOverlap = false;  // --overlap-moe-expert-parallel-comm off
inline constexpr double kMoeLoadSkew = 1.0;    // busiest expert's tokens over the mean
// Fine-tuning (finetune.hpp): full fine-tuning; LoRA's rank, targets and
// dropout as Megatron-Bridge's LoRA defaults (src/megatron/bridge/peft/lora.py
// class LoRA: dim 32, all four linear layers, dropout 0.0).
inline constexpr Peft kPeft = Peft::none;
inline constexpr int kLoraRank = 32;
inline constexpr unsigned kLoraTargets = kLoraAllTargets;  // LoraTarget bits
inline constexpr double kLoraDropout = 0.0;
inline constexpr bool kPackedSequences = false;

// offload.*: DeepSpeed's code defaults (deepspeed/runtime/zero/offload_config.py,
// deepspeed/runtime/swap_tensor/aio_config.py).
inline constexpr OffloadDevice kOffloadOptimizer = OffloadDevice::none;
inline constexpr OffloadDevice kOffloadParams = OffloadDevice::none;
inline constexpr bool kPinMemory = false;
inline constexpr int kOptimizerBufferCount = 4;
inline constexpr int kParamBufferCount = 5;
inline constexpr double kParamBufferSize = 1e8;  // elements
inline constexpr double kMaxInCpu = 1e9;         // elements
inline constexpr std::string_view kNvmePath = "/local_nvme";
inline constexpr double kCpuAdamThroughput = 0;   // parameters/s per node; 0 = the cluster card's
inline constexpr double kAioBlockSize = 1 << 20;  // bytes
inline constexpr int kAioQueueDepth = 8;
inline constexpr int kAioThreadCount = 1;
inline constexpr bool kAioSingleSubmit = false;
inline constexpr bool kAioOverlapEvents = true;

// network.*: NCCL's InfiniBand transport, and its socket transport's defaults
// outside AWS (NCCL src/transport/net_socket.cc: NCCL_SOCKET_NTHREADS,
// NCCL_NSOCKS_PERTHREAD).
inline constexpr NetTransport kTransport = NetTransport::ib;
inline constexpr int kSocketThreads = 1;
inline constexpr int kSocksPerThread = 1;

// memory.*: the two assumptions of results/calibration.md, then DeepSpeed's
// code defaults (deepspeed/runtime/zero/config.py), all in elements.
inline constexpr double kCudaContext = kGiB;       // bytes per GPU
inline constexpr double kAllocatorOverhead = 0.1;  // fraction of activation memory
inline constexpr double kReduceBucketSize = 5e8;
inline constexpr double kAllgatherBucketSize = 5e8;
inline constexpr double kPrefetchBucketSize = 5e7;
inline constexpr double kParamPersistenceThreshold = 1e5;
inline constexpr double kMaxLiveParameters = 1e9;
inline constexpr double kMaxReuseDistance = 1e9;
inline constexpr double kSubGroupSize = 1e9;

}  // namespace trainsim::defaults
