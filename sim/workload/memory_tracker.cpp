#include "sim/workload/memory_tracker.hpp"

#include <algorithm>

namespace trainsim {

Bytes MemoryTracker::change(bool alloc, MemKind k, Bytes bytes) {
  double& slot = use(k);
  slot = std::max(0.0, slot + (alloc ? bytes.value() : -bytes.value()));
  const double overhead = overhead_ * use(MemKind::activations);
  double total = overhead;
  for (double v : in_use_) total += v;
  if (total <= peak_.value()) return Bytes(total);
  peak_ = Bytes(total);
  MemoryBreakdown& b = at_peak_;
  b.params = Bytes(use(MemKind::params));
  b.grads = Bytes(use(MemKind::grads));
  b.optimizer_states = Bytes(use(MemKind::optimizer_states));
  b.activations = Bytes(use(MemKind::activations));
  b.zero3_gathered = Bytes(use(MemKind::zero3_gathered));
  b.comm_buffers = Bytes(use(MemKind::comm_buffers)) + b.zero3_gathered;
  b.other = Bytes(use(MemKind::other) + overhead);
  return Bytes(total);
}

}  // namespace trainsim
