// Emits a stage's offload traffic (offload_plan.hpp) into its program: the
// gradient copies after each reduced bucket, the CPU optimizer step per
// sub-group with its NVMe swaps and parameter copies, and the parameter
// fetches of ZeRO-3 parameter offload. Private to sim/workload; called by the
// program builder at the points DeepSpeed does the same work.
#pragma once

#include <vector>

#include "sim/workload/emitter.hpp"
#include "sim/workload/piece_runs.hpp"
#include "sim/workload/step_plan.hpp"

namespace trainsim {

class OffloadEmitter {
 public:
  OffloadEmitter(const StepPlan& p, Emitter& e);

  bool optimizer() const { return o_.optimizer; }
  bool params() const { return o_.params; }

  // A gradient bucket of `params` parameters (the whole group's bucket; this
  // GPU keeps 1/N of it) was just launched for reduction in micro-batch `mb`;
  // `per_micro_batch`: reductions run every micro-batch (ZeRO-2/3 with
  // overlap), so DeepSpeed accumulates through the host. Queues the copies
  // after that reduction.
  void grads_reduced(double params, int mb, bool per_micro_batch);

  // The optimizer step on the host over `local` parameters (this GPU's
  // partition), replacing the GPU's: waits for the gradients to land, then per
  // sub-group (ZeRO-3; one group for ZeRO-1/2) NVMe read ahead, CPU-Adam,
  // NVMe write-back, updated 16-bit partition up (or to NVMe). Returns the
  // pcie lane count the parameter all-gather must wait for.
  int step(double local, int zero_stage);

  // ZeRO-3 parameter offload: fetches this GPU's partition of a unit of
  // `params` parameters ahead of its all-gather, which it makes depend on the
  // copy. Returns the pcie lane count the unit's use must wait for (0: nothing).
  int fetch(double params);

  // Blocks until every queued copy has finished (end of the step).
  void drain();

 private:
  std::vector<PieceRun> sub_groups(double local, int zero_stage) const;
  void sub_group(std::size_t index);
  void read_ahead(std::size_t index);

  const StepPlan& p_;
  Emitter& e_;
  const OffloadStep& o_;
  double shard_ = 1;
  std::size_t stage_ = 0;
  int label_grads_, label_adam_, label_params_, label_swap_, label_fetch_;
  std::vector<PieceRun> groups_;  // the step's sub-groups (runs of them past kMaxPieceRuns)
  std::vector<int> reads_;        // nvme lane count of each sub-group's read
  double on_nvme_ = 1;            // params on nvme: the fraction of the partition beyond max_in_cpu
};

}  // namespace trainsim
