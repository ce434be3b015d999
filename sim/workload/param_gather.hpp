// The optimizer step on the GPU and the all-gather of the updated parameters
// that follows it with sharded optimizer states (ZeRO-1/2, Megatron's
// distributed optimizer), in buckets of StepPlan::param_gather_bucket elements
// (DeepSpeed allgather_bucket_size; Megatron gathers per gradient bucket; 0:
// everything at once, as DeepSpeed's all_gather_dp_groups in runtime/utils.py
// does when torch has all_gather_into_tensor). More buckets than kMaxPieceRuns
// are coalesced into runs (piece_runs.hpp). Private to sim/workload.
//
// When the step waits for the gathers (training.overlap_param_gather):
//  off: for all of them, before the step ends (Megatron's finish_param_sync
//       in the optimizer; DeepSpeed's blocking all_gather_dp_groups);
//  on:  the gathers run behind the next step's forward, but its first layers
//       need the first bucket before they run: Megatron-core's forward
//       pre-hook (megatron/core/distributed/distributed_data_parallel.py
//       _make_forward_pre_hook) dispatches the first bucket group's
//       all-gather and waits for it, later buckets being prefetched while the
//       earlier buckets' layers compute. The first bucket is launched on its
//       own and the step waits for it (in the steady state that wait ends
//       this step as it would open the next);
//  with training.overlap_param_gather_with_optimizer_step (interleaved PP,
//       vp model chunks): Megatron keeps one optimizer per model chunk and
//       dispatches the first chunk's all-gather right after its optimizer step
//       (megatron/core/optimizer/optimizer.py ChainedOptimizer.
//       step_with_ready_grads, start_param_sync(force_dispatch=True)), so it
//       runs during the other chunks' steps; the first bucket is waited for
//       after them. Each chunk holds 1/vp of the stage's parameters here.
#pragma once

#include "sim/spec/scenario.hpp"
#include "sim/workload/comm_cost.hpp"
#include "sim/workload/emitter.hpp"
#include "sim/workload/step_plan.hpp"

namespace trainsim {

// Launches the all-gather of `params` updated parameters on the shard group;
// with overlap_param_gather the first bucket on its own, and returns the
// launch count that includes it; else the launch count after them all (the
// launches so far when nothing is launched).
int launch_param_gather(const StepPlan& p, CommCost& comm, Emitter& e, double params, int lbl);

// The optimizer step over `local` parameters on the GPU (label `step_lbl`),
// then, with `gather`, the all-gather of the `trainable` updated ones (label
// `gather_lbl`) and the waits above; `chunks`: the stage's model chunks (vp).
void gpu_step_and_gather(const Scenario& s, const StepPlan& p, CommCost& comm, Emitter& e, double local,
                         double trainable, int chunks, bool gather, int step_lbl, int gather_lbl);

}  // namespace trainsim
