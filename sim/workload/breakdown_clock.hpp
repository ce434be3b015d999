// Classifies every second of one simulated GPU's compute stream into
// StepBreakdown as the step engine (step_engine.cpp) passes it, so the
// breakdown sums to the time the GPU's program ends: work it runs (compute,
// recompute, the optimizer, exposed TP collectives, blocking pipeline sends),
// and waits (on another stage: bubble; on a send in flight: pipeline comm; on
// a collective's members or the DP lane: DP comm; on copies: offload).
// Also counts the seconds the stream is busy (GpuStats::busy_s). Private to
// sim/workload.
#pragma once

#include "sim/core/quantity.hpp"
#include "sim/core/sim_time.hpp"
#include "sim/workload/async_lane.hpp"
#include "sim/workload/program.hpp"
#include "sim/workload/step_result.hpp"

namespace trainsim {

class BreakdownClock {
 public:
  // The stream ran `d` of an instruction of category `c` (Category::pp: a
  // blocking pipeline send; recompute and optimizer their own fields; every
  // other category is compute).
  void computed(Category c, Seconds d);
  // A blocking collective of category `c` over group `g`: the stream waited
  // `wait` for the members to arrive (bubble when the group spans pipeline
  // stages), then `run` while it ran (TP comm, busy; else DP comm).
  void collective(GroupKind g, Category c, Seconds wait, Seconds run);
  // The stream waited `waited` for items of async lane `lane` to finish.
  void waited_on(AsyncLaneId lane, Seconds waited);
  // A receive that blocked at `blocked` was satisfied at `now` by a send that
  // began at `sent`: the wait overlapping the transfer is exposed pipeline
  // communication, the rest is bubble.
  void received(SimTime blocked, SimTime sent, SimTime now);

  const StepBreakdown& breakdown() const { return b_; }
  Seconds busy() const { return busy_; }

 private:
  StepBreakdown b_;
  Seconds busy_;
};

}  // namespace trainsim
