// The optimizer step and the parameter all-gather after it (param_gather.hpp).
#include "sim/workload/param_gather.hpp"

#include <algorithm>

#include "sim/cost/op_cost.hpp"
#include "sim/workload/piece_runs.hpp"

namespace trainsim {

int launch_param_gather(const StepPlan& p, CommCost& comm, Emitter& e, double params, int lbl) {
  if (params <= 0) return e.launches();
  const double bucket = p.param_gather_bucket > 0 ? p.param_gather_bucket : params;
  const auto time = [&comm, &p](Bytes b) { return comm.time(CollectiveOp::all_gather, b, p.shard_group).value(); };
  // Only an overlapped gather has a first bucket the step waits for on its own.
  const bool alone = p.overlap.param_gather;
  const double head = alone ? std::min(bucket, params) : 0;
  const Bytes first_bytes(head * p.weight_bytes_per_param);
  const int first =
      alone ? e.launch(GroupKind::shard, CollectiveOp::all_gather, first_bytes, Seconds(time(first_bytes)), lbl) : 0;
  for (const PieceRun& r : piece_runs(params - head, bucket)) {
    const Bytes piece(r.piece * p.weight_bytes_per_param), tail(r.tail * p.weight_bytes_per_param);
    const double seconds = (r.full > 0 ? r.full * time(piece) : 0.0) + (r.tail > 0 ? time(tail) : 0.0);
    e.launch(GroupKind::shard, CollectiveOp::all_gather, piece * r.full + tail, Seconds(seconds), lbl);
  }
  return alone ? first : e.launches();
}

void gpu_step_and_gather(const Scenario& s, const StepPlan& p, CommCost& comm, Emitter& e, double local,
                         double trainable, int chunks, bool gather, int step_lbl, int gather_lbl) {
  const GpuSpec& gpu = s.cluster.node.gpu;
  const double bytes = p.optimizer_bytes_per_param;
  if (!gather || !p.overlap.param_gather || !p.overlap.param_gather_with_step || chunks < 2) {
    e.compute(Seconds(optimizer_step_time(local, bytes, gpu)), Category::optimizer, step_lbl);
    if (!gather) return;
    const int first = launch_param_gather(p, comm, e, trainable, gather_lbl);
    e.wait_dp(p.overlap.param_gather ? first : e.launches());
    return;
  }
  const double first_local = local / chunks, first_params = trainable / chunks;
  e.compute(Seconds(optimizer_step_time(first_local, bytes, gpu)), Category::optimizer, step_lbl);
  const int first = launch_param_gather(p, comm, e, first_params, gather_lbl);
  e.compute(Seconds(optimizer_step_time(local - first_local, bytes, gpu)), Category::optimizer, step_lbl);
  launch_param_gather(p, comm, e, trainable - first_params, gather_lbl);
  e.wait_dp(first);
}

}  // namespace trainsim
