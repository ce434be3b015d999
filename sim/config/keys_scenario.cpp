// The scenario key table (docs/design.md §3). Each default is the named constant
// of sim/spec/scenario_defaults.hpp, written as it would be in YAML and parsed
// by the same code as user values.
#include <type_traits>

#include "sim/config/keys.hpp"
#include "sim/config/keys_finetune.hpp"
#include "sim/config/keys_moe.hpp"
#include "sim/spec/enum_names.hpp"
#include "sim/spec/limits.hpp"
#include "sim/spec/scenario_defaults.hpp"

namespace trainsim {
namespace {

namespace d = defaults;

// A default as YAML text.
std::string text(int v) { return std::to_string(v); }
std::string text(bool v) { return v ? "true" : "false"; }
template <typename E>
requires std::is_enum_v<E> std::string text(E v) { return enum_name(v); }

KeyDef integer(std::string path, std::string def, std::string help, double min,
               std::optional<double> max = std::nullopt) {
  KeyDef k = KeyDef::of(std::move(path), ValueType::integer);
  k.default_value = std::move(def);
  k.help = std::move(help);
  k.min = min;
  k.max = max;
  return k;
}

KeyDef choice(std::string path, std::string def, std::vector<std::string> choices, std::string help) {
  KeyDef k = KeyDef::of(std::move(path), ValueType::choice);
  k.default_value = std::move(def);
  k.choices = std::move(choices);
  k.help = std::move(help);
  return k;
}

KeyDef boolean(std::string path, std::string def, std::string help) {
  KeyDef k = KeyDef::of(std::move(path), ValueType::boolean);
  k.default_value = std::move(def);
  k.help = std::move(help);
  return k;
}

KeyDef quantity(std::string path, Dimension dim, double def, std::string help) {
  KeyDef k = KeyDef::of(std::move(path), ValueType::quantity, dim);
  k.default_value = format_quantity_yaml(def, dim);
  k.help = std::move(help);
  k.min = 0;
  return k;
}

KeyDef path_key(std::string path, bool required, std::string help) {
  KeyDef k = KeyDef::of(std::move(path), ValueType::path);
  k.required = required;
  k.help = std::move(help);
  return k;
}

// The top-level keys: what runs on what, and the imported launch settings.
void top_level_keys(std::vector<KeyDef>& k) {
  KeyDef model = path_key("model", false,
                          "model: a name in models/, a path to a model YAML, a Hugging Face config.json, "
                          "or an inline map of model-card keys (model: {layers: 24, hidden: 2048, ...}); "
                          "required unless megatron_args give the model's dimensions");
  model.inline_card = &model_keys;
  k.push_back(model);
  k.push_back(path_key("cluster", true, "cluster: a name in topologies/ or a path to a cluster YAML"));
  k.push_back(integer("nodes", "",
                      "nodes used; default: the cluster card's node count, or the fewest nodes holding `gpus`", 1,
                      kMaxNodes));
  k.push_back(integer("gpus", "", "GPUs used when fewer than nodes x GPUs per node; default: nodes x GPUs per node", 1,
                      kMaxGpus));
  k.push_back(
      path_key("deepspeed_config", false,
               "DeepSpeed ds_config.json, read as DeepSpeed reads it (batch rule, zero_optimization, offload, "
               "fp16/bf16, aio, \"auto\" as the HF Trainer fills it); its settings must agree with the scenario's"));
  k.push_back(path_key("torchtitan_config", false,
                       "torchtitan's job TOML (train_configs/*.toml), read as torchtitan reads it: [model] name and "
                       "flavor, [parallelism], [activation_checkpoint], [training], [compile], float8; its settings "
                       "must agree with the scenario's (path relative to the scenario file)"));
  KeyDef megatron = KeyDef::of("megatron_args", ValueType::string);
  megatron.help =
      "Megatron-LM flags as on its command line, e.g. \"--tensor-model-parallel-size 8 --sequence-parallel\"; "
      "model flags (--num-layers, --hidden-size, ...) build the model when `model` is absent";
  k.push_back(megatron);
  k.push_back(choice("framework.name", "auto", enum_names<Framework>({"auto"}),
                     "the training framework: its profile (docs/frameworks.md, `trainsim help frameworks`) sets the "
                     "sharding x pipeline combinations the layout check accepts and defaults for keys not given "
                     "(said as assumptions); it fixes the memory convention: deepspeed, megatron-deepspeed "
                     "and hf-trainer with a ds_config run DeepSpeed's ZeRO optimizer (deepspeed convention); the "
                     "Megatron family (megatron-lm, megatron-core, nemo, megatron-bridge, megatron-fsdp) runs "
                     "Megatron's (megatron); torchtitan runs FSDP2's (fsdp); hf-trainer without a ds_config takes "
                     "megatron as a placeholder until its own profile; auto = deepspeed when a ds_config is attached, "
                     "else megatron-lm (said)"));
  KeyDef version = KeyDef::of("framework.version", ValueType::string);
  version.help =
      "the framework's release or container tag (e.g. \"0.14\", \"nemo-25.09\", \"core_r0.13.0\"); picks the "
      "profile whose version range holds it, an unknown version the nearest profile (warned); unset = the newest";
  k.push_back(version);
}

// parallel.*: the layout.
void parallel_keys(std::vector<KeyDef>& k) {
  k.push_back(
      integer("parallel.tp", text(d::kTp), "tensor-parallel size (divides heads, KV heads and FFN)", 1, kMaxParallel));
  k.push_back(
      integer("parallel.pp", text(d::kPp), "pipeline-parallel size (at most the layer count)", 1, kMaxParallel));
  k.push_back(integer("parallel.dp", "", "data-parallel size; default: GPUs / (tp x pp x cp)", 1, kMaxParallel));
  k.push_back(integer("parallel.cp", text(d::kCp), "context-parallel size (splits the sequence)", 1, kMaxParallel));
  k.push_back(integer("parallel.vp", text(d::kVp), "model chunks per pipeline rank (interleaved 1F1B when > 1)", 1,
                      kMaxChunks));
  k.push_back(boolean("parallel.sequence_parallel", text(d::kSequenceParallel),
                      "Megatron sequence parallelism (shards norms/dropout activations over TP)"));
  k.push_back(integer(
      "parallel.zero_stage", text(d::kZeroStage),
      "DeepSpeed ZeRO stage over the dp x cp group: 0 none, 1 optimizer states, 2 + gradients, 3 + parameters", 0, 3));
  k.push_back(choice("parallel.schedule", text(d::kSchedule), enum_names<Schedule>(),
                     "pipeline schedule; interleaved-1f1b requires vp > 1"));
  k.push_back(choice("parallel.pipeline_engine", text(d::kPipelineEngine), enum_names<PipelineEngine>(),
                     "how pipeline stages exchange activations: megatron = asynchronous sends split over TP "
                     "(scatter/gather); deepspeed = DeepSpeed's PipelineEngine (Megatron-DeepSpeed): blocking sends "
                     "of the whole activation from every TP rank"));
  KeyDef order = KeyDef::of("parallel.order", ValueType::string);
  order.default_value = to_string(kDefaultRankOrder);
  order.help =
      "rank order of the parallel dimensions, fastest first (Megatron RankGenerator; TP innermost keeps TP inside a "
      "node)";
  k.push_back(order);
  k.push_back(boolean(
      "parallel.embedding_in_pp_split", text(d::kEmbeddingInPpSplit),
      "count the embedding and the output layer as one layer each when splitting layers over stages "
      "(Megatron --account-for-embedding/loss-in-pipeline-split, DeepSpeed partition 'type:transformer|embedding')"));
  k.push_back(integer("parallel.dp_replicate", text(d::kDpReplicate),
                      "HSDP replica groups (torchtitan data_parallel_replicate_degree): sharded states split over the "
                      "dp / dp_replicate ranks of a group, gradients all-reduced across groups; 1 = shard over all "
                      "of dp",
                      1, kMaxParallel));
  k.push_back(integer("parallel.dp_shard", "",
                      "ranks one shard group spans (torchtitan data_parallel_shard_degree); dp = dp_shard x "
                      "dp_replicate; default: dp / dp_replicate",
                      1, kMaxParallel));
  KeyDef reshard = KeyDef::of("parallel.reshard_after_forward", ValueType::string);
  reshard.default_value = "auto";
  reshard.help =
      "FSDP2 fully_shard(reshard_after_forward) for ZeRO-3 / FSDP: true = free each gathered block after its "
      "forward and gather it again for the backward, false = keep it gathered until its backward (Llama 3), "
      "an integer N >= 2 = reshard to groups of N ranks; auto = the framework's choice (said in the log)";
  k.push_back(reshard);
  add_moe_parallel_keys(k);
}

// training.*: partial recomputation, dropout, kernel fusion and launch, FP8
// recipes (issue 19: the flags published runs state).
void recompute_and_kernel_keys(std::vector<KeyDef>& k) {
  k.push_back(integer("training.recompute_num_layers", "",
                      "with recompute: full, Megatron --recompute-num-layers: layers per checkpointed group "
                      "(recompute_method uniform) or layers recomputed per pipeline stage and model chunk "
                      "(block; the rest store their activations); default: every layer recomputed",
                      1, kMaxLayers));
  k.push_back(choice("training.recompute_method", "auto", enum_names<RecomputeMethod>({"auto"}),
                     "Megatron --recompute-method for recompute_num_layers; auto = block when "
                     "recompute_num_layers is given"));
  KeyDef dropout = quantity("training.dropout", Dimension::fraction, 0,
                            "dropout probability; 0 removes the dropout kernels and their masks (Megatron "
                            "--hidden-dropout 0 --attention-dropout 0); default: the model card's `dropout`");
  dropout.default_value.clear();
  dropout.max = 1;
  k.push_back(dropout);
  k.push_back(boolean("training.compile", text(d::kCompile),
                      "torch.compile: fuses the memory-bound element-wise kernels (RMSNorm, RoPE, SwiGLU, "
                      "dropout + residual add, cross-entropy) that eager PyTorch runs one by one, with their HBM "
                      "traffic, host dispatch and the extra tensors eager keeps; applies to framework.name "
                      "torchtitan and hf-trainer (eager when false); Megatron and Transformer Engine ship fused "
                      "kernels either way"));
  k.push_back(boolean("training.fused_rmsnorm", text(d::kFusedRmsnorm),
                      "eager PyTorch (training.compile false): RMSNorm runs as one fused kernel saving its 16-bit "
                      "input and rstd (torchtitan 2024 norm_type fused_rmsnorm: models/norms.py "
                      "TritonFusedRMSNorm; PyTorch >= 2.9 aten::_fused_rms_norm) instead of PyTorch's composite "
                      "rms_norm (fp32 upcast + 16-bit normal saved, 8 kernels)"));
  k.push_back(boolean("training.cuda_graphs", text(d::kCudaGraphs),
                      "CUDA graphs replay the captured kernels: the per-op host dispatch "
                      "(training.host_dispatch_time) of the transformer layers is removed (Megatron-core captures "
                      "each layer's forward and backward: --enable-cuda-graph, --cuda-graph-impl); the embedding, "
                      "loss and optimizer step keep it"));
  k.push_back(choice("training.cuda_graph_scope", enum_name(d::kCudaGraphScope), enum_names<CudaGraphScope>(),
                     "with cuda_graphs, what is captured (Megatron --cuda-graph-scope): full = each layer, attn / "
                     "mlp = that block of each layer only, full_iteration = every forward-backward with the "
                     "embedding and loss"));
  k.push_back(choice("training.fp8_recipe", "auto", enum_names<Fp8Recipe>({"auto"}),
                     "FP8 scaling recipe with precision fp8: the cast kernels and saved-input bytes of each "
                     "(delayed: TE DelayedScaling, one cast-transpose per tensor; tensorwise: TE current scaling, "
                     "an amax pass first; blockwise / mxfp8: TE block scales per 128 / 32 elements; rowwise: torchao "
                     "row-wise scales, bf16 inputs saved and re-cast in the backward); all three GEMMs of a "
                     "linear layer run in FP8 at one speed (no measured block-scaled rate); amax all-reduces: "
                     "delayed over tp x dp x cp after each chunk's forward and backward, tensorwise with SP one "
                     "per block over TP, the others none; TE recipes cache FP8 weights (+ transpose, 2 B per "
                     "weight) cast once per step; blockwise needs compute capability 9.0, mxfp8 10.0; "
                     "auto = delayed"));
}

// training.*: batch, precision, recomputation, overlap and the host.
void training_keys(std::vector<KeyDef>& k) {
  k.push_back(integer("training.seq_len", text(d::kSeqLen),
                      "sequence length in tokens; when not given, the model's context length (said in the log), "
                      "else this default",
                      1, kMaxSequence));
  k.push_back(
      integer("training.micro_batch", text(d::kMicroBatch), "sequences per micro-batch per GPU", 1, kMaxMicroBatch));
  KeyDef gb =
      integer("training.global_batch", "", "sequences per step (a multiple of micro_batch x dp)", 1, kMaxGlobalBatch);
  gb.required = true;
  k.push_back(gb);
  k.push_back(choice("training.precision", text(d::kPrecision), enum_names<Precision>(),
                     "training precision (fp8: FP8 GEMMs with bf16 weights, as Transformer Engine)"));
  k.push_back(choice("training.recompute", text(d::kRecompute), enum_names<Recompute>(),
                     "activation recomputation: selective recomputes the attention core, full the whole layer"));
  recompute_and_kernel_keys(k);
  k.push_back(choice("training.optimizer", text(d::kOptimizer), enum_names<OptimizerKind>(),
                     "optimizer: adam (2 fp32 states) or sgd with momentum (1 fp32 state)"));
  k.push_back(boolean("training.flash_attention", text(d::kFlashAttention),
                      "fused attention that does not store the s x s score matrix"));
  k.push_back(boolean(
      "training.overlap_grad_reduce", text(d::kOverlapGradReduce),
      "reduce gradient buckets during the backward pass (Megatron --overlap-grad-reduce, DeepSpeed overlap_comm); "
      "DeepSpeed ZeRO-2/3 reduce in every backward either way, off making the backward wait for each bucket, "
      "and ZeRO-0 all-reduces after the backward either way"));
  k.push_back(
      boolean("training.overlap_param_gather", text(d::kOverlapParamGather),
              "ZeRO-1/2 and distributed optimizer: all-gather updated parameters behind the next step's forward "
              "(Megatron --overlap-param-gather) instead of after the optimizer step"));
  k.push_back(
      boolean("training.overlap_param_gather_with_optimizer_step", text(d::kOverlapParamGatherWithStep),
              "Megatron --overlap-param-gather-with-optimizer-step: the first model chunk's all-gather "
              "runs during the other chunks' optimizer step (needs overlap_param_gather, zero_stage 1, vp > 1)"));
  k.push_back(
      boolean("training.overlap_p2p_comm", text(d::kOverlapP2p),
              "interleaved schedule (vp > 1): pipeline sends overlap compute (Megatron --overlap-p2p-communication, "
              "NeMo overlap_p2p_comm); otherwise, as Megatron's p2p_communication waits on every send, the "
              "sending stage's compute waits for its pipeline transfers"));
  k.push_back(boolean(
      "training.tp_comm_overlap", text(d::kTpCommOverlap),
      "overlap tensor-parallel collectives with the GEMMs of their block (Transformer Engine --tp-comm-overlap)"));
  k.push_back(boolean("training.grad_clip", text(d::kGradClip),
                      "gradient clipping: one all-reduce of the gradient norm over all GPUs before the step"));
  k.push_back(
      quantity("training.host_dispatch_time", Dimension::time, d::kHostDispatchTime,
               "CPU time the framework spends issuing one op (PyTorch eager + Megatron/DeepSpeed Python); "
               "a layer block takes at least its op count x this (0 = CUDA graphs; see results/calibration.md)"));
  k.push_back(boolean("training.cuda_launch_blocking", text(d::kCudaLaunchBlocking),
                      "CUDA_LAUNCH_BLOCKING=1: every kernel launch waits for the kernel, so the host's per-op time "
                      "(training.host_dispatch_time) adds to the GPU time instead of overlapping it"));
  k.push_back(choice("training.grad_dtype", "auto", {"auto", "fp32", "bf16", "fp16"},
                     "main-gradient buffer and data-parallel reduction type (megatron convention): fp32 = Megatron-LM "
                     "--accumulate-allreduce-grads-in-fp32 (forced for bf16), bf16/fp16 = 16-bit grads "
                     "(Megatron-core grad_reduce_in_fp32=False, NeMo optim.grad_sync_dtype); fsdp convention: FSDP2's "
                     "reduce_dtype (torchtitan mixed_precision_reduce); auto = fp32 for bf16/fp8, "
                     "16-bit reduction for fp16"));
  k.push_back(path_key("training.compute_profile", false,
                       "CSV of measured per-layer forward/backward times replayed instead of the cost model "
                       "(columns block,forward_ms,backward_ms[,recompute_ms])"));
}

// offload.*: ZeRO-Offload / ZeRO-Infinity.
void offload_keys(std::vector<KeyDef>& k) {
  k.push_back(choice("offload.optimizer", text(d::kOffloadOptimizer), enum_names<OffloadDevice>(),
                     "where optimizer states live (ZeRO-Offload / ZeRO-Infinity)"));
  k.push_back(choice("offload.params", text(d::kOffloadParams), enum_names<OffloadDevice>(),
                     "where parameters live between uses (ZeRO-3 only)"));
  // DeepSpeed's offload settings; defaults are DeepSpeed's code defaults
  // (deepspeed/runtime/zero/offload_config.py, deepspeed/runtime/swap_tensor/aio_config.py).
  k.push_back(boolean("offload.pin_memory", text(d::kPinMemory),
                      "offload buffers in page-locked host memory (DeepSpeed pin_memory); pageable copies run at about "
                      "half the PCIe rate"));
  k.push_back(integer("offload.optimizer_buffer_count", text(d::kOptimizerBufferCount),
                      "optimizer-state swap buffers for NVMe offload (DeepSpeed offload_optimizer.buffer_count)", 1));
  k.push_back(integer("offload.param_buffer_count", text(d::kParamBufferCount),
                      "parameter swap buffers for NVMe offload (DeepSpeed offload_param.buffer_count)", 1));
  k.push_back(quantity("offload.param_buffer_size", Dimension::count, d::kParamBufferSize,
                       "elements per parameter swap buffer (DeepSpeed offload_param.buffer_size)"));
  k.push_back(
      quantity("offload.max_in_cpu", Dimension::count, d::kMaxInCpu,
               "parameter elements kept in host memory when params go to NVMe (DeepSpeed offload_param.max_in_cpu)"));
  KeyDef nvme_path = KeyDef::of("offload.nvme_path", ValueType::string);
  nvme_path.default_value = d::kNvmePath;
  nvme_path.help =
      "NVMe mount for swapped tensors (DeepSpeed nvme_path; recorded, the drives come from the cluster card)";
  k.push_back(nvme_path);
  k.push_back(quantity(
      "offload.cpu_adam_throughput", Dimension::count, d::kCpuAdamThroughput,
      "parameters per second DeepSpeedCPUAdam updates on one node; 0 = the cluster card's node.cpu_adam_throughput"));
  // DeepSpeed's aio engine divides each transfer by it (csrc/aio/common/deepspeed_aio_common.cpp,
  // the io_submit loops' block count); 0 made every NVMe swap free here.
  KeyDef block = quantity("offload.aio_block_size", Dimension::bytes, d::kAioBlockSize,
                          "async I/O block size (DeepSpeed aio.block_size; at least 1 byte)");
  block.min = 1;
  k.push_back(block);
  k.push_back(integer("offload.aio_queue_depth", text(d::kAioQueueDepth),
                      "async I/O queue depth per thread (DeepSpeed aio.queue_depth)", 1));
  k.push_back(integer("offload.aio_thread_count", text(d::kAioThreadCount),
                      "async I/O threads (DeepSpeed aio.thread_count)", 1));
  k.push_back(boolean("offload.aio_single_submit", text(d::kAioSingleSubmit),
                      "submit I/O requests one at a time (DeepSpeed aio.single_submit)"));
  k.push_back(boolean("offload.aio_overlap_events", text(d::kAioOverlapEvents),
                      "overlap I/O submission and completion (DeepSpeed aio.overlap_events)"));
}

// network.*: NCCL settings and transport.
void network_keys(std::vector<KeyDef>& k) {
  k.push_back(
      choice("network.algorithm", "auto", forcible_algorithms(),
             "NCCL algorithm for the step's collectives (NCCL_ALGO); auto = NCCL's tuner, which never picks "
             "hierarchical (intra-node reduce-scatter, inter-node all-reduce per local rank, intra-node all-gather; "
             "not an NCCL algorithm). Where a collective cannot run it (tree all-gather, NVLS across nodes, "
             "hierarchical inside one node, ...) NCCL's tuner picks, and the run says so"));
  k.push_back(choice("network.protocol", "auto", enum_names<NcclProto>({"auto"}),
                     "NCCL protocol for the step's collectives (NCCL_PROTO); auto = NCCL's tuner"));
  k.push_back(choice("network.transport", text(d::kTransport), enum_names<NetTransport>(),
                     "how NCCL reaches other nodes: ib = its InfiniBand transport over node.nics (GPUDirect RDMA); "
                     "socket = its socket transport, TCP over the card's node.ethernet ports with every message "
                     "bounced through host memory (what NCCL_IB_DISABLE=1 does)"));
  k.push_back(choice("network.nccl_env.NCCL_IB_DISABLE", "0", {"0", "1"},
                     "NCCL's environment variable: 1 = no InfiniBand, NCCL falls back to its socket transport "
                     "(network.transport: socket)"));
  k.push_back(choice("network.nccl_env.NCCL_NET", "", {"IB", "Socket"},
                     "NCCL's environment variable: the network plugin by name; Socket = network.transport: socket"));
  k.push_back(integer("network.nccl_env.NCCL_SOCKET_NTHREADS", text(d::kSocketThreads),
                      "NCCL's environment variable: CPU threads per socket-transport connection (net_socket.cc; "
                      "default 1 outside AWS, at most 16)",
                      1, 16));
  k.push_back(integer("network.nccl_env.NCCL_NSOCKS_PERTHREAD", text(d::kSocksPerThread),
                      "NCCL's environment variable: TCP sockets per thread of a socket-transport connection "
                      "(default 1 outside AWS; NCCL caps threads x sockets at 64)",
                      1, 64));
}

// memory.*: accounting and DeepSpeed's buckets.
void memory_keys(std::vector<KeyDef>& k) {
  k.push_back(choice("memory.convention", "auto", enum_names<MemoryConvention>({"auto"}),
                     "model-state accounting: megatron (18 B/param, fp32 main grads), deepspeed (16 B/param + its "
                     "estimators' buffers), fsdp (FSDP2: sharded fp32 params, grads and Adam states, 16 B/param, "
                     "bf16 copies only while gathered); "
                     "auto = the framework's (framework.name; a ds_config means deepspeed), the same for every ZeRO "
                     "stage and offload"));
  k.push_back(quantity("memory.cuda_context", Dimension::bytes, d::kCudaContext,
                       "per-GPU memory outside the model: CUDA context, cuBLAS/cuDNN workspaces, NCCL buffers (an "
                       "assumption, see results/calibration.md)"));
  KeyDef frag = quantity("memory.allocator_overhead", Dimension::fraction, d::kAllocatorOverhead,
                         "caching-allocator fragmentation, as a fraction of activation memory (an assumption, see "
                         "results/calibration.md)");
  frag.max = 1;
  k.push_back(frag);
  k.push_back(quantity("memory.reduce_bucket_size", Dimension::count, d::kReduceBucketSize,
                       "DeepSpeed reduce_bucket_size in elements (code default 5e8); deepspeed convention only"));
  k.push_back(
      quantity("memory.allgather_bucket_size", Dimension::count, d::kAllgatherBucketSize,
               "DeepSpeed allgather_bucket_size in elements (code default 5e8); deepspeed convention, ZeRO-1/2"));
  k.push_back(
      quantity("memory.prefetch_bucket_size", Dimension::count, d::kPrefetchBucketSize,
               "DeepSpeed stage3_prefetch_bucket_size in elements (code default 5e7); deepspeed convention, ZeRO-3"));
  k.push_back(
      quantity("memory.param_persistence_threshold", Dimension::count, d::kParamPersistenceThreshold,
               "DeepSpeed stage3_param_persistence_threshold: ZeRO-3 parameters with fewer elements stay gathered"));
  k.push_back(quantity("memory.max_live_parameters", Dimension::count, d::kMaxLiveParameters,
                       "DeepSpeed stage3_max_live_parameters: gathered ZeRO-3 parameter elements kept before release"));
  k.push_back(quantity(
      "memory.max_reuse_distance", Dimension::count, d::kMaxReuseDistance,
      "DeepSpeed stage3_max_reuse_distance: a ZeRO-3 layer reused within this many fetched elements stays gathered "
      "into the next pass of the step (no pipeline), which then neither gathers nor fetches it; 0 = never"));
  k.push_back(
      quantity("memory.sub_group_size", Dimension::count, d::kSubGroupSize,
               "DeepSpeed sub_group_size: elements per optimizer-step sub-group (offload swaps per sub-group)"));
}

std::vector<KeyDef> scenario_defs() {
  std::vector<KeyDef> k;
  top_level_keys(k);
  parallel_keys(k);
  training_keys(k);
  add_finetune_keys(k);
  add_moe_training_keys(k);
  offload_keys(k);
  network_keys(k);
  memory_keys(k);
  return k;
}

}  // namespace

const KeyTable& scenario_keys() {
  static const KeyTable table("scenario", scenario_defs());
  return table;
}

}  // namespace trainsim
