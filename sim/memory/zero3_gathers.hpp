// ZeRO-3 gathered parameters, unit by unit: which units of a pass are
// gathered when, and the most memory they hold at once. One source for the
// step's program (program_builder.cpp: when all-gathers launch, when their
// buffers are allocated and freed) and for the analytic model
// (memory_model.cpp), so that `trainsim run` and `trainsim mem` agree.
//
// Units: a pass over a model chunk gathers its transformer layers one at a
// time, the embedding folded into the first layer and the output layer into
// the last (params.hpp stage_params); a chunk without layers is one unit.
// Tensors under memory.param_persistence_threshold stay gathered for the
// whole step (DeepSpeed ds_persist; they are counted in params) and are not
// part of a unit's gather.
//
// Gathers (DeepSpeed runtime/zero/partitioned_param_coordinator.py,
// fetch_sub_module / release_sub_module): before unit j runs its own
// parameters are gathered, then upcoming units are prefetched: at least unit
// j + 1, and more while the units gathered ahead of j hold fewer than
// memory.prefetch_bucket_size (stage3_prefetch_bucket_size) elements; a
// prefetch also needs unit j, the units ahead and the new one to stay within
// memory.max_live_parameters (stage3_max_live_parameters; DeepSpeed bounds a
// prefetch by max_available_parameters_in_numel - n_available_params); 0 =
// no cap. Unit j itself is always gathered. A gather never reaches into the
// next pass (the trainsim step plans passes one at a time), but units within
// memory.max_reuse_distance of their next use stay gathered into it
// (zero3_kept below).
//
// Memory (partition_parameters.py all_gather_coalesced allocates the full
// ds_numel 16-bit tensor when the all-gather is issued; param.partition()
// frees it on release): a unit's gathered parameters, `units` x weight bytes,
// are allocated when its all-gather launches and freed when its compute
// finishes. In backward the unit's full (unpartitioned) gradients exist from
// its backward compute until they are copied into the reduce bucket and
// freed (stage3.py reduce_independent_p_g_buckets_and_remove_grads:
// param.grad = None after the copy), at the unit's release.
// With one GPU in the shard group (dp x cp = 1) nothing is gathered: the
// whole model is resident.
#pragma once

#include <cstddef>
#include <vector>

#include "sim/spec/scenario.hpp"
#include "sim/core/quantity.hpp"
#include "sim/model/stage_split.hpp"

namespace trainsim {

// The units of a pass over `layers` transformer layers of one TP rank, in
// forward order, in parameters; `first` / `last`: the chunk holds the
// embedding / the output layer. `gathered` is what each unit's all-gather
// moves: the unit less its persistent tensors. `trainable` is what of each
// unit trains and gets a gradient: all of it, or with LoRA its adapters only
// (the frozen base is gathered all the same).
struct Zero3Units {
  std::vector<double> params;
  std::vector<double> gathered;
  std::vector<double> trainable;
};
Zero3Units zero3_units(const Scenario& s, int layers, bool first, bool last);

// One past the last unit whose gather has launched once unit j may run,
// given that units [0, launched) had launched before (launched <= j is
// allowed: unit j is always gathered). `gathered`: the units of the pass.
std::size_t zero3_gather_end(const std::vector<double>& gathered, std::size_t j, std::size_t launched,
                             const MemoryOptions& m);

// DeepSpeed stage3_max_reuse_distance (partitioned_param_coordinator.py: a
// parameter whose reuse distance, the elements fetched before its next use, is
// within the limit is not partitioned after use), in whole units, across two
// consecutive passes of one step over the same units: which units (by forward
// index) stay gathered at the end of a pass (`forward`) into the next pass
// (`next_forward`). The distance counts the gathered units of the rest of this
// pass and of the next pass before the unit, none of them held. A unit is kept
// only inside the window the next pass gathers before its first unit runs
// (zero3_gather_end), so the units live at the boundary are those the next
// pass would gather anyway and max_live_parameters holds (DeepSpeed may keep
// more). `fwd_gathered`: the pass's units in forward order.
std::vector<char> zero3_kept(const std::vector<double>& fwd_gathered, bool forward, bool next_forward,
                             const MemoryOptions& m);

// True when consecutive passes of the stage's step can keep units gathered:
// ZeRO-3 gathers, one chunk per stage and no pipeline (the passes of the step
// alternate over the same units), and a positive reuse distance; DeepSpeed's
// rule, neither under FSDP's life cycle nor the fsdp convention (FSDP2 keeps
// no parameter by reuse distance and shards small ones too).
bool zero3_reuses(const Scenario& s);

// The gathered bytes held at the end of a forward pass for the backward pass
// that follows (zero3_kept), on the stage; 0 when nothing is reused.
Bytes zero3_held_after_forward(const Scenario& s, const StageSplit& split, int stage);

// Bytes per element of a gathered unit and of a unit's full gradient.
double zero3_weight_bytes(const Scenario& s);
double zero3_grad_bytes(const Scenario& s);

// True when ZeRO-3 gathers parameters (stage 3 and more than one GPU in the shard group).
bool zero3_gathers(const Scenario& s);

// FSDP2's life cycle of a gathered unit (torch/distributed/fsdp/_fully_shard/
// _fsdp_param_group.py: unshard / post_forward / post_backward) where it
// differs from DeepSpeed's release after every use: reshard_after_forward
// false or N (sharding.hpp resolved_reshard), or pipeline parallelism
// (pipeline_defers_reduction). Units then live per model chunk across the
// passes of the step:
//  - forward: a unit not gathered is all-gathered over the shard group; after
//    its forward it is freed (true), kept gathered (false), or freed with an
//    N-sharded copy of unit / N elements kept (N: _fsdp_param.py
//    to_sharded_post_forward), which the backward all-gathers over the N ranks
//    of the reshard group instead of the shard group;
//  - backward: a gathered unit is not gathered again; after its backward it is
//    freed, except with pipeline parallelism before the chunk's last
//    micro-batch (set_reshard_after_backward(False)): it stays gathered into
//    the next pass, whose forward frees it again when reshard is true.
// With pipeline parallelism the unsharded gradients of the chunk accumulate
// from its first backward to the reduction after its last (zero3_grad_bytes
// each; FSDPParam.to_accumulated_grad_if_needed keeps them in reduce_dtype).
bool zero3_fsdp_lifecycle(const Scenario& s);

// Bytes of the unsharded gradients one GPU of `stage` holds while the
// pipeline defers their reduction (pipeline_defers_reduction): every
// parameter of its chunks at zero3_grad_bytes; 0 otherwise.
Bytes deferred_grads(const Scenario& s, const StageSplit& split, int stage);

// The most ZeRO-3 memory one GPU of `stage` holds during a backward pass:
// gathered units (current and prefetched) and the current unit's gradients.
// Under FSDP's life cycle: the units kept from the forward too (reshard false:
// all of the chunk's; N: their N-sharded copies), and with pipeline
// parallelism every unit of every chunk gathered (a bound: a chunk whose
// backward kept its units gathered loses them only in its next forward) and no
// per-unit gradients (deferred_grads holds them).
struct Zero3Peak {
  Bytes gathered;
  Bytes grads;
  Bytes total() const { return gathered + grads; }
};
Zero3Peak zero3_backward_peak(const Scenario& s, const StageSplit& split, int stage);

}  // namespace trainsim
