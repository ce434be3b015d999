#include "sim/workload/zero3_passes.hpp"

#include <algorithm>

#include "sim/spec/sharding.hpp"

namespace trainsim {

Zero3Passes::Zero3Passes(const Scenario& s, const StepPlan& p, CommCost& comm, Emitter& e, OffloadEmitter& off)
    : s_(s),
      p_(p),
      comm_(comm),
      e_(e),
      off_(off),
      zero_(s.parallel.zero_stage),
      gathers_(zero3_gathers(s)),
      fsdp_(zero3_fsdp_lifecycle(s)),
      defers_(pipeline_defers_reduction(s)),
      reshard_(resolved_reshard(s)),
      state_(p.split.chunks()) {}

Zero3Passes::Ticket Zero3Passes::gather(double params, int lbl, GroupKind group) {
  Ticket t;
  t.pcie = off_.fetch(params);
  const Bytes bytes(params * p_.weight_bytes_per_param);  // the gathered unit (nccl-tests size)
  const GroupPlacement& where = group == GroupKind::reshard ? p_.reshard_group : p_.shard_group;
  const Seconds secs = comm_.time(CollectiveOp::all_gather, bytes, where);
  if (e_.detail())
    e_.name_next_launch("L" + std::to_string(layer0_ + layer_step_ * static_cast<int>(next_gather_)) + " params");
  t.dp = e_.launch(group, CollectiveOp::all_gather, bytes, secs, lbl);
  if (gathers_) e_.memory(true, MemKind::zero3_gathered, Bytes(params * zero3_weight_bytes(s_)));
  return t;
}

void Zero3Passes::before_unit(const Zero3Units& u, std::size_t j, bool forward, int lbl) {
  if (zero_ < 3) return;
  if (j == 0) start_pass(u, forward);
  const std::size_t end = zero3_gather_end(u.gathered, j, next_gather_, s_.memory);
  for (; next_gather_ < end; ++next_gather_) {
    const std::size_t k = next_gather_;
    if (fsdp_)
      done_[k] = fsdp_gather(u, k, forward, lbl);
    else
      done_[k] = held_[fwd_index(k, forward)] ? Ticket{} : gather(u.gathered[k], lbl);
  }
  e_.wait(Lane::pcie, done_[j].pcie);  // waiting on the copy is offload; what is left is the all-gather
  e_.wait_dp(done_[j].dp);
  if (gathers_ && !forward && !defers_)
    e_.memory(true, MemKind::comm_buffers, Bytes(u.trainable[j] * zero3_grad_bytes(s_)));
}

void Zero3Passes::release_unit(const Zero3Units& u, std::size_t j, bool forward) {
  if (!gathers_) return;
  if (!forward && !defers_) e_.memory(false, MemKind::comm_buffers, Bytes(u.trainable[j] * zero3_grad_bytes(s_)));
  if (fsdp_) return fsdp_release(u, j, forward);
  if (hold_next_[fwd_index(j, forward)]) return;
  e_.memory(false, MemKind::zero3_gathered, Bytes(u.gathered[j] * zero3_weight_bytes(s_)));
}

// At the first unit of a pass: the units the previous pass kept are held;
// which of this pass's units stay gathered for the next pass (within the step).
void Zero3Passes::start_pass(const Zero3Units& u, bool forward) {
  const std::size_t n = u.gathered.size();
  done_.assign(u.params.size(), Ticket{});
  next_gather_ = 0;
  if (fsdp_) {
    state_[chunk_].resize(n, kSharded);
    return;
  }
  held_ = hold_next_;
  held_.resize(n, 0);
  hold_next_.assign(n, 0);
  if (next_ == nullptr || !zero3_reuses(s_)) return;
  // The same for every pass of a direction pair: computed once per pair.
  std::vector<char>& kept = kept_[forward][next_->forward];
  if (kept.empty()) {
    std::vector<double> fwd(u.gathered);
    if (!forward) std::reverse(fwd.begin(), fwd.end());
    kept = zero3_kept(fwd, forward, next_->forward, s_.memory);
  }
  hold_next_ = kept;
}

// A unit the chunk holds gathered needs no all-gather; an N-sharded copy is
// gathered over the reshard group and replaced by the full unit.
Zero3Passes::Ticket Zero3Passes::fsdp_gather(const Zero3Units& u, std::size_t k, bool forward, int lbl) {
  char& st = state_[chunk_][forward ? k : u.gathered.size() - 1 - k];
  if (st == kGathered) return Ticket{};
  const bool resharded = st == kResharded;
  const Ticket t = gather(u.gathered[k], lbl, resharded ? GroupKind::reshard : GroupKind::shard);
  if (resharded) e_.memory(false, MemKind::zero3_gathered, Bytes(u.gathered[k] / reshard_ * zero3_weight_bytes(s_)));
  st = kGathered;
  return t;
}

// After the forward: freed (true), kept (false) or kept as an N-sharded copy;
// after the backward: freed, except before the chunk's last backward under
// pipeline parallelism (set_reshard_after_backward(False)).
void Zero3Passes::fsdp_release(const Zero3Units& u, std::size_t j, bool forward) {
  char& st = state_[chunk_][forward ? j : u.gathered.size() - 1 - j];
  const double w = zero3_weight_bytes(s_);
  if (forward ? reshard_ == 0 : defers_ && !last_backward_) return;
  e_.memory(false, MemKind::zero3_gathered, Bytes(u.gathered[j] * w));
  st = kSharded;
  if (!forward || reshard_ == 1) return;
  e_.memory(true, MemKind::zero3_gathered, Bytes(u.gathered[j] / reshard_ * w));
  st = kResharded;
}

}  // namespace trainsim
