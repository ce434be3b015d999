// Flow mode of the collectives: the same predictions as the analytical mode
// (collective.hpp), stretched by what the flow network says contention costs.
//
// Each ring collective (all-reduce, all-gather, reduce-scatter) is decomposed
// into NCCL-like rings: one channel per NIC when the group spans nodes (each
// channel carries 1/C of the data), one ring inside a node. Every step of a
// ring moves the same pattern, rank i -> rank i+1 with S/(n·C) bytes, so one
// step is simulated (all channels of all concurrent collectives at once, as
// flows over the topology's routes) and stands for all of them: this symmetry
// makes a 16,384-GPU ring one water-fill, not 2(n-1) of them.
//   stretch  = step time with every requested collective running
//              / step time of this collective alone on the same topology
//   time     = analytical latency + analytical byte time x stretch
// With nothing contending the stretch is exactly 1 and both modes agree.
#pragma once

#include <optional>
#include <vector>

#include "sim/net/collective.hpp"
#include "sim/topology/topology.hpp"

namespace trainsim {

struct GroupCollective {
  CollectiveOp op = CollectiveOp::all_reduce;
  std::vector<int> gpus;   // global GPU ids, in ring order
  double bytes = 0;        // nccl-tests' size
};

struct FlowCollectiveResult {
  CollectiveResult result;     // stretched prediction
  double stretch = 1;          // contended / alone step time (>= 1)
  double step_time_s = 0;      // simulated step, with contention
  double bytes_sent = 0;       // bytes handed to the flow network for the step (all requests together)
  double bytes_delivered = 0;  // bytes it delivered for the step (equal when all flows finished)
};

// Simulates the requests concurrently on `topology`. Ops other than the three
// ring collectives get the analytical answer with stretch 1. `algo` / `proto`
// force NCCL's algorithm / protocol for every request (NCCL_ALGO, NCCL_PROTO);
// throws std::invalid_argument when a group cannot run them.
std::vector<FlowCollectiveResult> simulate_collectives(const Topology& topology,
                                                       const std::vector<GroupCollective>& requests,
                                                       std::optional<NcclAlgo> algo = std::nullopt,
                                                       std::optional<NcclProto> proto = std::nullopt);

}  // namespace trainsim
