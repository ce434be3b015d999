#include "sim/workload/grad_buckets.hpp"

namespace trainsim {

GradBuckets::GradBuckets(const StepPlan& p, int zero_stage, CommCost& comm, Emitter& e, OffloadEmitter& off,
                         Bytes backward_buffers, int label)
    : p_(p), zero_(zero_stage), comm_(comm), e_(e), off_(off), backward_buffers_(backward_buffers), label_(label) {}

bool GradBuckets::reduces_in(const PassItem& item) const {
  if (!p_.grad_reduction.in_backward) return false;
  return p_.grad_reduction.every_micro_batch || item.micro_batch == p_.micro_batches - 1;
}

bool GradBuckets::begin_backward(const PassItem& item) {
  if (first_backward_) e_.memory(true, MemKind::comm_buffers, backward_buffers_);
  first_backward_ = false;
  const bool reduce = reduces_in(item);
  mb_ = item.micro_batch;
  per_mb_ = reduce && p_.grad_reduction.every_micro_batch;
  return reduce;
}

void GradBuckets::ready(double params, bool reduce) {
  if (!reduce) return;
  ready_ += params;
  if (ready_ >= p_.bucket_params && !p_.grad_reduction.after_pass) flush();
}

void GradBuckets::flush() {
  if (ready_ <= 0) return;
  const CollectiveOp op = zero_ == 0 || p_.grads_all_reduced ? CollectiveOp::all_reduce : CollectiveOp::reduce_scatter;
  const Bytes bytes(ready_ * p_.grad_bytes_per_param);
  int n = e_.launch(GroupKind::shard, op, bytes, comm_.time(op, bytes, p_.shard_group), label_);
  if (p_.replicate_group.ranks > 1) {
    // HSDP: the shard (or, all-reduced, the whole bucket) all-reduced across
    // the replica groups after the reduce-scatter (FSDP2 _fsdp_collectives.py
    // foreach_reduce: all_reduce over the replicate group of the reduce-scatter
    // output when the mesh is 2-D; DeepSpeed's hpZ/MiCS and Megatron's
    // partial distributed optimizer do the same).
    const double shard = op == CollectiveOp::reduce_scatter ? p_.shard_group.ranks : 1;
    const Bytes part(ready_ * p_.grad_bytes_per_param / shard);
    n = e_.launch(GroupKind::replicate, CollectiveOp::all_reduce, part,
                  comm_.time(CollectiveOp::all_reduce, part, p_.replicate_group), label_);
  }
  if (p_.grad_reduction.blocking) e_.wait_dp(n);  // the backward resumes when the reduction ends
  off_.grads_reduced(ready_, mb_, per_mb_);
  ready_ = 0;
}

void GradBuckets::reduce_all(double params) {
  ready_ = params;
  mb_ = p_.micro_batches - 1;
  per_mb_ = false;
  flush();
}

}  // namespace trainsim
