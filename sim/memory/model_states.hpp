// Bytes of parameters, gradients and optimizer states one GPU holds, by
// accounting convention, precision, ZeRO stage and offload.
//
// Per parameter of the GPU's model-parallel shard (P), with N = dp x cp the
// group ZeRO / the distributed optimizer / FSDP shards over (with HSDP the
// dp_shard x cp ranks of one replica group, sharding.hpp shard_ranks), w the weight bytes
// (2 for fp16/bf16 and fp8, whose bf16 weights are the master's working copy;
// Transformer Engine's FP8 weight cache is memory_model.hpp's) and K the optimizer bytes (Adam: fp32 master 4 +
// two moments 8 = 12 with 16-bit training, 8 in fp32 training where the
// weights are their own master; SGD with momentum: 8, or 4 in fp32):
//
// megatron (Megatron-LM, theoretical_memory_usage.py; docs/reference/formulas.md §2):
//   params w, fp32 main grads 4, optimizer K: 18 B for bf16 Adam.
//   zero_stage >= 1 is the distributed optimizer: K / N (6 + 12/N for bf16).
//   training.grad_dtype bf16/fp16 keeps 2-byte main grads (4 + 12/N).
//   zero_stage 2 also shards the main grads, 3 also the weights (FSDP-like).
// deepspeed (ZeRO paper, docs/reference/formulas.md §3; DeepSpeed's estimators §4):
//   stage 0: params w, 16-bit grads g (2; 4 in fp32), optimizer K: 16 B;
//            bf16/fp8 without offload runs the BF16_Optimizer below as at stage 1
//            (DeepSpeed engine _do_optimizer_sanity_check picks BFLOAT16 for bf16
//            without ZeRO too), so it has stage 1's bytes.
//   stage 1: w + g + (K + 4)/N: DeepSpeedZeroOptimizer (stage_1_and_2.py)
//            keeps an fp32 gradient partition next to the fp32 master partition.
//            bf16 (and fp8) without offload: DeepSpeed's BF16_Optimizer, its ZeRO-1
//            path for bf16 with fp32 gradient accumulation (Megatron-DeepSpeed's
//            pipelines, BLOOM): w + g + 4 (unsharded fp32 gradient
//            accumulation buffer) + K/N. The bf16 .grad tensors are allocated in
//            every backward pass, so they are live at the peak.
//   stage 2: w + (g + 4 + K)/N  = 2 + 18/N, DeepSpeed's current estimate_zero2.
//   stage 3: (w + 4 + K)/N      = 18/N, estimate_zero3 (its 4 Psi_L gathered-layer
//            term is a communication buffer, comm_buffers.hpp).
// fsdp (PyTorch FSDP2, torch/distributed/fsdp/_fully_shard/_fsdp_param.py):
//   the model is built in fp32 and fully_shard keeps each parameter's shard in
//   its original dtype (FSDPParam._sharded_param_data, 4 B) as the one copy
//   the optimizer updates: no separate master; MixedPrecisionPolicy's
//   param_dtype (bf16) exists only in the unsharded parameters of the blocks
//   being gathered (all-gather inputs cast per call, zero3_gathers.hpp).
//   Sharded gradients take the reduce_dtype (fp32 in torchtitan,
//   training.grad_dtype), Adam's two fp32 moments 8 B: 4 + 4 + 8 = 16 B / N
//   at zero_stage 3; stage 2 keeps the parameters unsharded, 1 the gradients.
// Offload (all conventions): the optimizer states go to host memory (cpu) or
// NVMe, and an fp32 gradient partition of 4/N bytes lives in host memory for
// the CPU optimizer; with DeepSpeed ZeRO-2/3 the 16-bit gradients then leave
// the GPU too (estimate_zero2: GPU 2 Psi; estimate_zero3: GPU 4 Psi_L + 2 Psi/N).
// Parameter offload (ZeRO-3) moves the w/N weight partition to host or NVMe
// (estimate_zero3 with both offloaded: GPU 4 Psi_L, CPU 18 Psi).
// In fp32 training there is no master copy and no fp32 gradient partition.
#pragma once

#include <string>

#include "sim/spec/scenario.hpp"
#include "sim/core/quantity.hpp"

namespace trainsim {

struct ModelStateOptions {
  MemoryConvention convention = MemoryConvention::megatron;
  Precision precision = Precision::bf16;
  OptimizerKind optimizer = OptimizerKind::adam;
  int zero_stage = 0;
  double shard_group = 1;  // N = dp x cp (dp_shard x cp with HSDP)
  int grad_bytes = 0;      // megatron / fsdp gradient bytes (training.grad_dtype); 0 = 4 (fp32)
  OffloadPlan offload;
};

ModelStateOptions model_state_options(const Scenario& s);

// Bytes per parameter of the shard, for each place the states live.
struct ModelStateBytes {
  double params = 0;     // on the GPU
  double grads = 0;      // on the GPU
  double optimizer = 0;  // on the GPU
  double host = 0;       // in host memory (offload)
  double nvme = 0;       // on NVMe (offload)
  double on_gpu() const { return params + grads + optimizer; }
};

// Bytes per parameter (multiply by the shard's parameter count).
ModelStateBytes model_state_bytes_per_param(const ModelStateOptions& o);

// Bytes per frozen parameter (training.peft lora: the base weights): the
// weights alone, where the convention keeps them (sharded at ZeRO-3, on the
// host or NVMe with parameter offload); no gradient, optimizer state or
// master copy (Megatron-core DDP and the distributed optimizer skip
// parameters without requires_grad, distributed_data_parallel.py; DeepSpeed
// builds its fp32 partitions from the trainable groups, stage_1_and_2.py /
// stage3.py; FSDP2 shards them like the others, without gradients).
ModelStateBytes frozen_state_bytes(const ModelStateOptions& o);

// True when the deepspeed convention runs DeepSpeed's BF16_Optimizer (see above).
bool uses_bf16_optimizer(const ModelStateOptions& o);

// Weight bytes per parameter w (fp8: the bf16 weights, 2).
double weight_bytes(Precision p);

// The convention in force and where it came from, as `run` and `mem` state it
// (text and summary.json "memory_convention"; issue 18).
struct ConventionStatement {
  MemoryConvention convention = MemoryConvention::megatron;
  ConventionSource source = ConventionSource::default_value;
  std::string
      from;  // "memory.convention", "framework.name deepspeed", "a ds_config", "the default framework megatron-lm"
  ModelStateBytes unsharded;  // bytes per parameter of this precision, optimizer and stage, unsharded, no offload
  ModelStateBytes this_plan;  // bytes per parameter of the GPU's shard on this plan (host / NVMe: offload)
};

ConventionStatement state_convention(const Scenario& s);

}  // namespace trainsim
