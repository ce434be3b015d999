// Flow mode of the collectives: the same predictions as the analytical mode
// (collective.hpp), stretched by what the flow network says contention costs.
//
// Each call is planned into phases (collective_pattern.hpp: one NCCL call, or
// the three of a hierarchical one), each with the transfers of one step of its
// algorithm (ring, chain, double binary tree, all-pairs, shift). Every step of
// a phase moves the same pattern, so one step is simulated and stands for all
// of them: this symmetry makes a 16,384-GPU ring one water-fill, not 2(n-1) of
// them. Phase p of every request is simulated at once, as flows over the
// topology's routes sharing its links (requests run their phases in lockstep,
// exact for the identical collectives of `trainsim collective --concurrent`):
//   stretch_p = phase p's step time with every request running
//               / its step time with this request alone on the same topology
//   time      = analytical time + sum over phases of byte time_p x (stretch_p - 1)
// With nothing contending every stretch is exactly 1 and both modes agree.
#pragma once

#include <optional>
#include <vector>

#include "sim/net/collective.hpp"
#include "sim/net/collective_pattern.hpp"
#include "sim/topology/topology.hpp"

namespace trainsim {

struct FlowCollectiveResult {
  CollectiveResult result;           // stretched prediction
  double stretch = 1;                // contended / alone byte time (>= 1)
  double step_time_s = 0;            // simulated steps (one per phase), with contention, added up
  double bytes_sent = 0;             // bytes handed to the flow network for the steps (all requests together)
  double bytes_delivered = 0;        // bytes it delivered for the steps (equal when all flows finished)
  double network_bytes_per_gpu = 0;  // bytes this call's GPUs send over the fabric (through a NIC), whole call, per GPU
};

// Simulates the requests concurrently on `topology`. `algo` / `proto` force
// NCCL's algorithm / protocol for every request (NCCL_ALGO, NCCL_PROTO; or
// hierarchical); throws std::invalid_argument when a group cannot run them.
std::vector<FlowCollectiveResult> simulate_collectives(const Topology& topology,
                                                       const std::vector<GroupCollective>& requests,
                                                       std::optional<NcclAlgo> algo = std::nullopt,
                                                       std::optional<NcclProto> proto = std::nullopt);

}  // namespace trainsim
