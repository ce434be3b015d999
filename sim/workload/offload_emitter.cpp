// Offload instructions; what moves when is documented in offload_plan.hpp.
#include "sim/workload/offload_emitter.hpp"

#include <algorithm>
#include <cmath>

namespace trainsim {

OffloadEmitter::OffloadEmitter(const StepPlan& p, Emitter& e)
    : p_(p),
      e_(e),
      o_(p.offload),
      shard_(std::max(1, p.shard_group.ranks)),
      stage_(static_cast<std::size_t>(e.program().stage)),
      label_grads_(e.label("grads to host")),
      label_adam_(e.label("cpu adam")),
      label_params_(e.label("params to gpu")),
      label_swap_(e.label("optimizer swap")),
      label_fetch_(e.label("param fetch")) {
  const double partition = static_cast<double>(p.memory.stages[static_cast<size_t>(e.program().stage)].params) / shard_;
  if (partition > 0) on_nvme_ = std::max(0.0, partition - o_.max_in_cpu) / partition;
}

void OffloadEmitter::grads_reduced(double params, int mb, bool per_micro_batch) {
  if (!o_.optimizer || params <= 0) return;
  const double part = params / shard_;
  const int m = p_.micro_batches;
  const OffloadRates& r = o_.rates;
  e_.after(Lane::dp_comm, e_.queued(Lane::dp_comm));
  if (per_micro_batch && m > 1) {
    // stage_1_and_2 async_accumulate_grad_in_cpu_via_gpu / stage3 partition_grads:
    // the first micro-batch's partition goes down, later ones fetch the sum and add on the GPU.
    const Bytes b(part * o_.grad_accum_bytes);
    if (mb == 0)
      e_.copy(CopyKind::d2h, b, copy_seconds(b, r.d2h), label_grads_);
    else
      e_.copy(CopyKind::h2d, b, copy_seconds(b, r.h2d), label_grads_);
  }
  if (mb == m - 1) {
    const Bytes b(part * o_.grad_boundary_bytes);  // fp32 partition for CPU-Adam
    e_.copy(CopyKind::d2h, b, copy_seconds(b, r.d2h), label_grads_);
  }
}

// One sub-group (or a run of equal sub-groups, piece_runs.hpp) of n
// parameters: its states are read (issued ahead), stepped on the CPU, written
// back, and its updated 16-bit weights go up to the GPU (or stay on the host /
// go to NVMe when the parameters are offloaded). Every cost is linear in n, so
// a run costs what its sub-groups cost one after another.
void OffloadEmitter::sub_group(std::size_t index) {
  const OffloadRates& r = o_.rates;
  const double n = groups_[index].elements();
  if (o_.optimizer_nvme) {
    e_.wait(Lane::nvme, reads_[index]);
  }
  e_.compute(Seconds(n / r.cpu_adam), Category::optimizer, label_adam_, true);
  if (o_.optimizer_nvme) {
    const Bytes b(n * o_.state_bytes);
    e_.copy(CopyKind::nvme_write, b, copy_seconds(b, r.nvme_write), label_swap_);
    const std::size_t next = index + static_cast<std::size_t>(o_.swap_ahead) + 1;
    if (next < groups_.size()) read_ahead(next);
  }
  const Bytes w(n * o_.weight_bytes);
  if (o_.params_nvme)
    e_.copy(CopyKind::nvme_write, w * on_nvme_, copy_seconds(w * on_nvme_, r.nvme_write), label_swap_);
  else if (!o_.params)
    e_.copy(CopyKind::h2d, w, copy_seconds(w, r.h2d), label_params_);
}

void OffloadEmitter::read_ahead(std::size_t index) {
  const Bytes b(groups_[index].elements() * o_.state_bytes);
  reads_[index] = e_.copy(CopyKind::nvme_read, b, copy_seconds(b, o_.rates.nvme_read), label_swap_);
}

// ZeRO-1/2 step the whole partition as one group. ZeRO-3 cuts it into
// sub_group_size pieces, but a sub-group closes only at the end of a tensor
// (stage3.py _create_fp16_sub_groups: a group takes tensors until it holds at
// least sub_group_size elements, so 0 gives one group per tensor): never more
// groups than the stage has tensors, each then one tensor's share.
std::vector<PieceRun> OffloadEmitter::sub_groups(double local, int zero_stage) const {
  if (zero_stage < 3) return piece_runs(local, std::max(local, 1.0));
  const double tensors = std::max(1.0, o_.stage_tensors.empty() ? 1.0 : o_.stage_tensors[stage_]);
  if (o_.sub_group > 0 && piece_count(local, o_.sub_group) <= tensors) return piece_runs(local, o_.sub_group);
  return equal_piece_runs(local, tensors);
}

int OffloadEmitter::step(double local, int zero_stage) {
  e_.wait(Lane::pcie, e_.queued(Lane::pcie));  // the fp32 gradients are on the host
  groups_ = sub_groups(local, zero_stage);
  reads_.assign(groups_.size(), 0);
  if (o_.optimizer_nvme)
    for (std::size_t g = 0; g < std::min(groups_.size(), static_cast<std::size_t>(o_.swap_ahead) + 1); ++g)
      read_ahead(g);
  for (std::size_t g = 0; g < groups_.size(); ++g) sub_group(g);
  // stage_1_and_2 copies the updated partition with a blocking copy_ before the all-gather.
  if (zero_stage <= 2) e_.wait(Lane::pcie, e_.queued(Lane::pcie));
  return e_.queued(Lane::pcie);
}

int OffloadEmitter::fetch(double params) {
  if (!o_.params || params <= 0) return 0;
  const Bytes b(params / shard_ * o_.weight_bytes);
  if (o_.params_nvme && on_nvme_ > 0) {
    const Bytes nb = b * on_nvme_;
    const int read = e_.copy(CopyKind::nvme_read, nb, copy_seconds(nb, o_.rates.nvme_read), label_fetch_);
    e_.after(Lane::nvme, read);
  }
  const int up = e_.copy(CopyKind::h2d, b, copy_seconds(b, o_.rates.h2d), label_fetch_);
  e_.after(Lane::pcie, up);
  return up;
}

void OffloadEmitter::drain() {
  e_.wait(Lane::pcie, e_.queued(Lane::pcie));
  e_.wait(Lane::nvme, e_.queued(Lane::nvme));
}

}  // namespace trainsim
