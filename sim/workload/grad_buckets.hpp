// Gradient reduction in buckets on the DP lane (program_builder.hpp's header
// comment has the ZeRO semantics): gradients fill a bucket in backward order;
// a bucket is launched when it holds bucket_params gradients and the
// remainder at the end of the pass, in the passes that reduce
// (StepPlan::grad_reduction: the last micro-batch's, or every micro-batch's
// with partitioned gradients; none when one reduction of everything follows
// the last backward; with after_pass all of a chunk's gradients after its last
// backward). With HSDP each reduce-scatter is followed by the all-reduce of
// its shard across the replica groups. After each launch the optimizer offload copies its partition
// (OffloadEmitter::grads_reduced). The backward's communication buffers come
// into being at the first backward pass. Private to sim/workload.
#pragma once

#include "sim/core/quantity.hpp"
#include "sim/parallel/schedule.hpp"
#include "sim/workload/comm_cost.hpp"
#include "sim/workload/emitter.hpp"
#include "sim/workload/offload_emitter.hpp"
#include "sim/workload/step_plan.hpp"

namespace trainsim {

class GradBuckets {
 public:
  // `backward_buffers`: the communication buffers live during the backward
  // passes (CommBuffers::backward); `label`: the reductions' span label.
  GradBuckets(const StepPlan& p, int zero_stage, CommCost& comm, Emitter& e, OffloadEmitter& off,
              Bytes backward_buffers, int label);

  // Starts backward pass `item`; returns whether its gradients are reduced in it.
  bool begin_backward(const PassItem& item);
  // `params` gradients became ready; in a pass that reduces (`reduce`), a full
  // bucket is launched.
  void ready(double params, bool reduce);
  // Launches what the bucket holds (the end of a pass that reduces).
  void flush();
  // Reductions after the backward (grad_reduction.in_backward false): one
  // reduction of all `params` gradients of the stage after the last backward
  // (Megatron DDP=local, DeepSpeed ZeRO-0/1 without overlap_comm).
  void reduce_all(double params);

 private:
  bool reduces_in(const PassItem& item) const;

  const StepPlan& p_;
  int zero_;
  CommCost& comm_;
  Emitter& e_;
  OffloadEmitter& off_;
  Bytes backward_buffers_;
  int label_;
  double ready_ = 0;     // gradients (parameters) in the bucket
  int mb_ = 0;           // micro-batch of the running backward
  bool per_mb_ = false;  // gradients are reduced in every micro-batch
  bool first_backward_ = true;
};

}  // namespace trainsim
