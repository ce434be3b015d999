// ZeRO-3's parameter gathers and releases over the passes of one stage's step
// (sim/memory/zero3_gathers.hpp decides what is gathered when): before each
// unit of a pass it launches the all-gathers the prefetch allows and waits for
// the unit's; after the unit it releases the gathered parameters unless the
// next pass keeps them (stage3_max_reuse_distance). The gathered parameters
// are allocated when their all-gather is launched, and in backward each unit's
// full gradients live from before its compute until they are copied into the
// reduce bucket. Under FSDP's life cycle (zero3_gathers.hpp
// zero3_fsdp_lifecycle) the units' state lives per model chunk across passes
// instead. Private to sim/workload; the program builder calls it around every
// unit of every pass.
#pragma once

#include <cstddef>
#include <vector>

#include "sim/memory/zero3_gathers.hpp"
#include "sim/parallel/schedule.hpp"
#include "sim/workload/comm_cost.hpp"
#include "sim/workload/emitter.hpp"
#include "sim/workload/offload_emitter.hpp"
#include "sim/workload/step_plan.hpp"

namespace trainsim {

class Zero3Passes {
 public:
  Zero3Passes(const Scenario& s, const StepPlan& p, CommCost& comm, Emitter& e, OffloadEmitter& off);

  // The pass after the one being built (nullptr after the step's last pass).
  void set_next(const PassItem* next) { next_ = next; }
  // The pass being built (FSDP's life cycle: its chunk, and whether it is the
  // chunk's last backward).
  void set_pass(const PassItem& it) {
    chunk_ = it.chunk;
    last_backward_ = !it.forward && it.micro_batch == p_.micro_batches - 1;
  }
  // The model layer of the pass's unit 0 and the step to the next unit (+1
  // forward, -1 backward): the trace names a gather "L12 params".
  void set_layers(int unit0, int step) {
    layer0_ = unit0;
    layer_step_ = step;
  }
  // Before unit j of a pass over units `u` (in pass order; ZeRO-3 only):
  // launches the gathers zero3_gather_end allows (unit j and the prefetched
  // ones), then waits for unit j's; in backward the unit's full gradients come
  // into being. j = 0 starts the pass.
  void before_unit(const Zero3Units& u, std::size_t j, bool forward, int lbl);
  // After unit j's compute: its gathered parameters are released (partition()),
  // and in backward its gradients, copied into the reduce bucket, freed. A unit
  // the next pass reuses soon (zero3_kept) stays gathered into it, and that
  // pass neither gathers nor fetches it.
  void release_unit(const Zero3Units& u, std::size_t j, bool forward);

 private:
  // A unit is ready when its all-gather (dp lane) and, with parameter
  // offload, its partition's copy to the GPU (pcie lane) have finished.
  struct Ticket {
    int dp = 0, pcie = 0;
  };
  Ticket gather(double params, int lbl, GroupKind group = GroupKind::shard);
  void start_pass(const Zero3Units& u, bool forward);
  // FSDP's life cycle (zero3_fsdp_lifecycle): unit k of the pass.
  enum : char { kSharded = 0, kGathered = 1, kResharded = 2 };  // by unit, per chunk
  Ticket fsdp_gather(const Zero3Units& u, std::size_t k, bool forward, int lbl);
  void fsdp_release(const Zero3Units& u, std::size_t j, bool forward);
  std::size_t fwd_index(std::size_t j, bool forward) const { return forward ? j : held_.size() - 1 - j; }

  const Scenario& s_;
  const StepPlan& p_;
  CommCost& comm_;
  Emitter& e_;
  OffloadEmitter& off_;
  int zero_;
  bool gathers_;                          // ZeRO-3 gathers parameters (zero3_gathers)
  std::vector<Ticket> done_;              // by unit of the current pass: what its use waits for
  std::size_t next_gather_ = 0;           // next unit of the current pass to gather
  int layer0_ = 0, layer_step_ = 1;       // set_layers
  const PassItem* next_ = nullptr;        // the pass after the one being built
  std::vector<char> held_;                // by forward unit index: still gathered from the previous pass
  std::vector<char> hold_next_;           // by forward unit index: kept gathered for the next pass
  std::vector<char> kept_[2][2];          // zero3_kept by [this pass forward][next pass forward]
  bool fsdp_;                             // zero3_fsdp_lifecycle
  bool defers_;                           // pipeline_defers_reduction: no per-unit gradients here
  int reshard_;                           // resolved_reshard
  int chunk_ = 0;                         // set_pass
  bool last_backward_ = false;            // set_pass
  std::vector<std::vector<char>> state_;  // FSDP: by chunk, by forward unit index
};

}  // namespace trainsim
