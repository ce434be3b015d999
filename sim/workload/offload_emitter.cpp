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

// One sub-group of n parameters: its states are read (issued ahead), stepped
// on the CPU, written back, and its updated 16-bit weights go up to the GPU
// (or stay on the host / go to NVMe when the parameters are offloaded).
void OffloadEmitter::sub_group(double n, int index, int groups) {
  const OffloadRates& r = o_.rates;
  if (o_.optimizer_nvme) {
    e_.wait(Lane::nvme, reads_[index]);
  }
  e_.compute(Seconds(n / r.cpu_adam), Category::optimizer, label_adam_, true);
  if (o_.optimizer_nvme) {
    const Bytes b(n * o_.state_bytes);
    e_.copy(CopyKind::nvme_write, b, copy_seconds(b, r.nvme_write), label_swap_);
    const int next = index + o_.swap_ahead + 1;
    if (next < groups) {
      const Bytes nb(std::min(o_.sub_group, local_ - next * o_.sub_group) * o_.state_bytes);
      reads_[next] = e_.copy(CopyKind::nvme_read, nb, copy_seconds(nb, r.nvme_read), label_swap_);
    }
  }
  const Bytes w(n * o_.weight_bytes);
  if (o_.params_nvme)
    e_.copy(CopyKind::nvme_write, w * on_nvme_, copy_seconds(w * on_nvme_, r.nvme_write), label_swap_);
  else if (!o_.params)
    e_.copy(CopyKind::h2d, w, copy_seconds(w, r.h2d), label_params_);
}

int OffloadEmitter::step(double local, int zero_stage) {
  e_.wait(Lane::pcie, e_.queued(Lane::pcie));  // the fp32 gradients are on the host
  const double group = zero_stage >= 3 ? o_.sub_group : std::max(local, 1.0);
  const int groups = std::max(1, static_cast<int>(std::ceil(local / group)));
  reads_.assign(groups, 0);
  local_ = local;
  if (o_.optimizer_nvme) {
    for (int g = 0; g < std::min(groups, o_.swap_ahead + 1); ++g) {
      const Bytes b(std::min(group, local - g * group) * o_.state_bytes);
      reads_[g] = e_.copy(CopyKind::nvme_read, b, copy_seconds(b, o_.rates.nvme_read), label_swap_);
    }
  }
  for (int g = 0; g < groups; ++g) sub_group(std::min(group, local - g * group), g, groups);
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
