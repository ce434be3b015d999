// The enumerations of a scenario's settings (their names: enum_names.hpp).
#pragma once

namespace trainsim {

// How NCCL reaches other nodes: its InfiniBand transport (GPUDirect RDMA over
// node.nics) or its socket transport (TCP over node.ethernet).
enum class NetTransport { ib, socket };
enum class Schedule { gpipe, one_f_one_b, interleaved_1f1b };
enum class Recompute { none, selective, full };
// How training.recompute_num_layers picks the recomputed layers (Megatron
// --recompute-method, megatron/core/transformer/transformer_block.py
// _checkpointed_forward): uniform = every layer, checkpointed in groups of N
// (only each group's input is kept); block = the first N layers of each
// pipeline stage (model chunk) recomputed in full, the others not at all.
enum class RecomputeMethod { uniform, block };
// FP8 scaling recipes (training.fp8_recipe; Transformer Engine
// transformer_engine/common/recipe/__init__.py): delayed = DelayedScaling
// (amax history), tensorwise = Float8CurrentScaling, rowwise = per-row scales
// (torchao), blockwise = Float8BlockScaling (1x128 / 128x128 blocks),
// mxfp8 = MXFP8BlockScaling (32-element blocks, Blackwell).
enum class Fp8Recipe { delayed, tensorwise, rowwise, blockwise, mxfp8 };
enum class OptimizerKind { adam, sgd };
// What CUDA graphs capture with training.cuda_graphs (Megatron --cuda-graph-scope,
// megatron/training/arguments.py _add_training_args): full = each transformer
// layer (the flag's default, [] or "full"); attn = TransformerLayer.
// _forward_attention only; mlp = _forward_mlp only (dense "mlp", MoE "moe");
// full_iteration = the whole forward-backward of every micro-batch (the
// embedding and the loss too; not the optimizer step).
enum class CudaGraphScope { full, attn, mlp, full_iteration };
enum class OffloadDevice { none, cpu, nvme };
// How model states are counted (users compare against both):
//  megatron:  bf16/fp16 params 2 B + fp32 main grads 4 B + Adam 12 B = 18 B per
//             parameter; the distributed optimizer (ZeRO-1) shards the 12 B.
//  deepspeed: params 2 B + grads 2 B + Adam 12 B = 16 B (ZeRO paper), with the
//             extra buffers DeepSpeed's own estimators count for ZeRO-2/3.
//  fsdp:      PyTorch FSDP2 with a MixedPrecisionPolicy: fp32 parameters 4 B
//             (their own master) + fp32 grads 4 B + Adam 8 B = 16 B, sharded;
//             the bf16 copies exist only gathered (model_states.hpp).
enum class MemoryConvention { megatron, deepspeed, fsdp };
// Where the convention in force came from (said in run/mem output and summary.json).
enum class ConventionSource { key, framework, ds_config, default_value };
// The training framework (framework.name): its memory convention
// (sim/load/scenario_loader.cpp framework_convention) and its profile
// (sim/spec/framework_profile.hpp: sharding x pipeline rule, launch defaults).
enum class Framework {
  megatron_lm,
  megatron_core,
  megatron_deepspeed,
  deepspeed,
  torchtitan,
  megatron_fsdp,
  nemo,
  megatron_bridge,
  hf_trainer
};
// How pipeline stages exchange activations (parallel.pipeline_engine):
// megatron = Megatron's asynchronous scatter/gather sends split over TP;
// deepspeed = DeepSpeed's PipelineEngine: blocking sends of the whole
// activation from every TP rank.
enum class PipelineEngine { megatron, deepspeed };
// How an MoE layer moves tokens to their experts (training.moe_dispatcher;
// Megatron-core --moe-token-dispatcher-type, megatron/core/transformer/moe/
// token_dispatcher.py): alltoall = MoEAlltoAllTokenDispatcher (each token
// sent to the EP ranks of its top-k experts), allgather =
// MoEAllGatherTokenDispatcher (every EP rank gathers all tokens and keeps those
// of its local experts).
enum class MoeDispatcher { alltoall, allgather };

const char* to_string(Schedule s);
const char* to_string(Recompute r);
const char* to_string(RecomputeMethod m);
const char* to_string(Fp8Recipe r);
const char* to_string(OptimizerKind o);
const char* to_string(OffloadDevice d);
const char* to_string(MemoryConvention c);
const char* to_string(ConventionSource c);
const char* to_string(Framework f);
const char* to_string(PipelineEngine e);
const char* to_string(MoeDispatcher d);

}  // namespace trainsim
