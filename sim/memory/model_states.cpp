// Model-state bytes per parameter; the conventions are documented in model_states.hpp.
#include "sim/memory/model_states.hpp"

#include "sim/spec/enum_names.hpp"
#include "sim/spec/sharding.hpp"

namespace trainsim {
namespace {

constexpr double kFp32 = 4;  // fp32 main gradient / gradient partition, bytes

bool mixed(Precision p) { return p != Precision::fp32; }

// Optimizer bytes K: fp32 master (mixed precision only) plus the states.
double optimizer_bytes(const ModelStateOptions& o) {
  double states = o.optimizer == OptimizerKind::adam ? 8 : 4;  // Adam m, v / SGD momentum, fp32
  return states + (mixed(o.precision) ? kFp32 : 0);
}

bool any_offload(const OffloadPlan& p) { return p.optimizer != OffloadDevice::none || p.params != OffloadDevice::none; }

ModelStateBytes megatron(const ModelStateOptions& o) {
  const double n = o.shard_group;
  ModelStateBytes b;
  b.params = weight_bytes(o.precision) / (o.zero_stage >= 3 ? n : 1);
  b.grads = (o.grad_bytes > 0 ? o.grad_bytes : kFp32) / (o.zero_stage >= 2 ? n : 1);
  b.optimizer = optimizer_bytes(o) / (o.zero_stage >= 1 ? n : 1);
  return b;
}

// FSDP2 with MixedPrecisionPolicy(param_dtype=bf16, reduce_dtype=fp32), as
// torchtitan applies it (see model_states.hpp).
ModelStateBytes fsdp(const ModelStateOptions& o) {
  const double n = o.shard_group;
  const double states = o.optimizer == OptimizerKind::adam ? 8 : 4;  // fp32 moments / momentum
  ModelStateBytes b;
  b.params = kFp32 / (o.zero_stage >= 3 ? n : 1);
  b.grads = (o.grad_bytes > 0 ? o.grad_bytes : kFp32) / (o.zero_stage >= 2 ? n : 1);
  b.optimizer = states / (o.zero_stage >= 1 ? n : 1);
  return b;
}

ModelStateBytes deepspeed(const ModelStateOptions& o) {
  const double n = o.shard_group;
  const double w = weight_bytes(o.precision);
  const double g = mixed(o.precision) ? 2 : 4;        // 16-bit (or fp32) gradients
  const double g32 = mixed(o.precision) ? kFp32 : 0;  // fp32 gradient partition
  const double k = optimizer_bytes(o);
  ModelStateBytes b;
  switch (o.zero_stage) {
    case 0:
      if (!uses_bf16_optimizer(o)) {
        b = {w, g, k, 0, 0};
        break;
      }
      [[fallthrough]];  // bf16 without ZeRO is DeepSpeed's BF16_Optimizer too: ZeRO-1's states
    case 1:
      if (uses_bf16_optimizer(o))
        b = {w, g + kFp32, k / n, 0, 0};
      else
        b = {w, g + g32 / n, k / n, 0, 0};
      break;
    case 2: b = {w, (g + g32) / n, k / n, 0, 0}; break;
    default: b = {w / n, kFp32 / n, k / n, 0, 0}; break;
  }
  return b;
}

// Moves the offloaded states off the GPU (see model_states.hpp).
void apply_offload(const ModelStateOptions& o, ModelStateBytes& b) {
  const double n = o.shard_group;
  if (o.offload.optimizer != OffloadDevice::none) {
    (o.offload.optimizer == OffloadDevice::cpu ? b.host : b.nvme) += b.optimizer;
    b.optimizer = 0;
    b.host += kFp32 / n;  // fp32 gradient partition read by the CPU optimizer
    if (o.convention == MemoryConvention::deepspeed) {
      if (o.zero_stage >= 2)
        b.grads = 0;  // reduced straight to the host
      else
        b.grads = mixed(o.precision) ? 2 : kFp32;  // ZeRO-1: 16-bit grads accumulate on the GPU
    }
  }
  if (o.offload.params != OffloadDevice::none) {
    (o.offload.params == OffloadDevice::cpu ? b.host : b.nvme) += b.params;
    b.params = 0;
  }
}

}  // namespace

double weight_bytes(Precision p) {
  switch (p) {
    case Precision::fp32: return 4;
    case Precision::fp16:
    case Precision::bf16:
    case Precision::fp8:  // bf16 weights; the FP8 / FP4 copies are the recipe's weight cache (memory_model.cpp)
    case Precision::fp4: return 2;
  }
  return 2;
}

bool uses_bf16_optimizer(const ModelStateOptions& o) {
  bool bf16_like = o.precision == Precision::bf16 || quantized_gemms(o.precision);
  return o.convention == MemoryConvention::deepspeed && o.zero_stage <= 1 && bf16_like && !any_offload(o.offload);
}

ModelStateOptions model_state_options(const Scenario& s) {
  ModelStateOptions o;
  o.convention = s.memory.convention;
  o.precision = s.training.precision;
  o.optimizer = s.training.optimizer;
  o.zero_stage = s.parallel.zero_stage;
  o.shard_group = shard_ranks(s.parallel);
  o.offload = s.offload;
  o.grad_bytes = s.training.grad_bytes;
  return o;
}

ConventionStatement state_convention(const Scenario& s) {
  ConventionStatement c;
  c.convention = s.memory.convention;
  c.source = s.memory.convention_source;
  switch (c.source) {
    case ConventionSource::key: c.from = "memory.convention"; break;
    case ConventionSource::framework: c.from = std::string("framework.name ") + to_string(s.framework); break;
    case ConventionSource::ds_config: c.from = "a ds_config"; break;
    case ConventionSource::default_value:
      c.from = std::string("the default framework ") + to_string(s.framework);
      break;
  }
  ModelStateOptions o = model_state_options(s);
  c.this_plan = model_state_bytes_per_param(o);
  o.shard_group = 1;
  o.offload = OffloadPlan{};
  c.unsharded = model_state_bytes_per_param(o);
  return c;
}

ModelStateBytes frozen_state_bytes(const ModelStateOptions& o) {
  ModelStateOptions w = o;
  w.offload.optimizer = OffloadDevice::none;  // no optimizer states to offload
  ModelStateBytes b = model_state_bytes_per_param(w);
  b.grads = b.optimizer = 0;
  return b;
}

ModelStateBytes model_state_bytes_per_param(const ModelStateOptions& o) {
  ModelStateBytes b = o.convention == MemoryConvention::deepspeed ? deepspeed(o)
                      : o.convention == MemoryConvention::fsdp    ? fsdp(o)
                                                                  : megatron(o);
  apply_offload(o, b);
  return b;
}

}  // namespace trainsim
