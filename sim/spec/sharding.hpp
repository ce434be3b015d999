// Sharded data parallelism as the frameworks lay it out: the HSDP split of dp
// into replica groups of dp_shard ranks (parallel.dp_replicate /
// parallel.dp_shard; torchtitan's mesh ["dp_replicate", "dp_shard", "cp", ...],
// torchtitan/distributed/parallel_dims.py: FSDP shards over dp_shard x cp,
// HSDP all-reduces across dp_replicate) and FSDP2's reshard_after_forward,
// resolved from `auto` to the framework's choice.
#pragma once

#include "sim/spec/scenario.hpp"

namespace trainsim {

// Ranks of one shard group along dp: dp_shard, else dp / dp_replicate.
int shard_dp(const ParallelPlan& p);
// Replica groups: dp / shard_dp.
int replicate_dp(const ParallelPlan& p);
// GPUs the sharded model states are split over: shard_dp x cp.
double shard_ranks(const ParallelPlan& p);

// parallel.reshard_after_forward with `auto` resolved: 0 = false (kept
// gathered until the backward), 1 = true, N >= 2 = reshard to groups of N.
// auto (a framework whose profile sets nothing, e.g. torchtitan's "default"
// policy is its profile's, framework_profiles.cpp) = true: DeepSpeed ZeRO-3
// release_sub_module and FSDP2's own default free the gathered parameters
// after the forward. A group size N at or above the shard group's size keeps
// everything gathered: 0.
int resolved_reshard(const Scenario& s);

// FSDP with pipeline parallelism (torch.distributed.pipelining stage.py
// backward_maybe_with_nosync): for every backward but a stage's last one
// set_requires_gradient_sync(False) and set_reshard_after_backward(False), so
// the gradients accumulate unsharded and the parameters stay gathered; the
// last backward runs post_backward for every parameter group (reduce-scatter,
// reshard). True for sharded gradients (ZeRO-2/3) with pp > 1 (DeepSpeed's
// pipeline engine refuses that layout, sim/config/layout_check.cpp).
bool pipeline_defers_reduction(const Scenario& s);

}  // namespace trainsim
