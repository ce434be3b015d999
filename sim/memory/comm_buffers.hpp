// Communication buffers that add to a GPU's memory, at the two instants the
// memory model evaluates (memory_model.hpp): during the backward passes (with
// activations live) and during the gradient reduction / optimizer step (after
// the last backward, activations freed).
//
// Both conventions: with sequence parallelism, the all-gathered input of one
// TP-split GEMM, e (s/cp) b h bytes (Megatron-core's global memory buffer).
// megatron: gradients are reduced in place in the contiguous grad buffer and
//   parameters gathered in place (distributed optimizer): nothing more.
// deepspeed (bucket sizes in elements, memory.*_bucket_size; each bucket at
//   most the GPU's parameter count; 2 B per element, 4 B where fp32):
//   backward: ZeRO-2 and ZeRO-3 the reduce bucket (contiguous ipg buffer).
//   step: ZeRO-0 the buffered all-reduce bucket; ZeRO-1 (stage_1_and_2) the
//     larger of the reduce and all-gather buckets; ZeRO-2 the all-gather
//     bucket; BF16_Optimizer a copy of the whole fp32 gradient, 4 B x P: the
//     pipeline engine reduces the optimizer's flat fp32 gradients with
//     buffered_allreduce_fallback, whose allreduce_bucket flattens each bucket
//     into a new tensor, and a flat gradient larger than the bucket is a
//     bucket of its own (deepspeed/runtime/pipe/engine.py _bf16_reduce_grads,
//     runtime/engine.py allreduce_no_retain).
// ZeRO-3's gathered parameters and the gradients of the unit being reduced
// are not here: they come and go layer by layer (zero3_gathers.hpp).
#pragma once

#include "sim/spec/scenario.hpp"
#include "sim/core/quantity.hpp"

namespace trainsim {

struct CommBuffers {
  Bytes backward;  // live during the backward passes
  Bytes step;      // live during gradient reduction and the optimizer step
};

// `stage_params`: parameters of the GPU's model-parallel shard.
CommBuffers comm_buffers(const Scenario& s, double stage_params);

}  // namespace trainsim
