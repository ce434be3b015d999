// Communication buffers; the model and its sources are in comm_buffers.hpp.
#include "sim/memory/comm_buffers.hpp"

#include <algorithm>

#include "sim/memory/model_states.hpp"
#include "sim/model/activations.hpp"

namespace trainsim {
namespace {

constexpr double k16 = 2;  // bytes per 16-bit bucket element
constexpr double kFp32 = 4;

double bucket(double elements, double stage_params, double bytes) { return std::min(elements, stage_params) * bytes; }

// Megatron SP: one all-gathered GEMM input of s/cp x b x h.
double sp_gather(const Scenario& s) {
  if (!s.parallel.sequence_parallel || s.parallel.tp <= 1) return 0;
  double e = activation_element_bytes(s.training.precision);
  return e * s.training.seq_len / s.parallel.cp * s.training.micro_batch * s.model.hidden;
}

CommBuffers megatron(const Scenario& s) {
  CommBuffers c;
  c.backward = Bytes(sp_gather(s));
  return c;
}

CommBuffers deepspeed(const Scenario& s, double p) {
  const MemoryOptions& mo = s.memory;
  const double reduce = bucket(mo.reduce_bucket_elements, p, k16);
  const double allgather = bucket(mo.allgather_bucket_elements, p, k16);
  double backward = sp_gather(s);
  double step = 0;
  switch (s.parallel.zero_stage) {
    case 0:  // bf16 without ZeRO runs the BF16_Optimizer as at stage 1
    case 1:
      if (uses_bf16_optimizer(model_state_options(s)))
        step = kFp32 * p;
      else
        step = s.parallel.zero_stage == 0 ? reduce : std::max(reduce, allgather);
      break;
    case 2:
      backward += reduce;
      step = allgather;
      break;
    default: backward += reduce; break;
  }
  return {Bytes(backward), Bytes(step)};
}

}  // namespace

CommBuffers comm_buffers(const Scenario& s, double stage_params) {
  if (s.memory.convention == MemoryConvention::deepspeed) return deepspeed(s, stage_params);
  return megatron(s);
}

}  // namespace trainsim
