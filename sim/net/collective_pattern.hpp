// What a collective moves, for the flow mode: its phases (one NCCL call, or the
// three calls of a hierarchical one), each with the transfers of one step of
// its algorithm and the analytical time it stands for.
//
// A step is the pattern the algorithm repeats, every transfer of it in flight
// at once (NCCL pipelines its chunks, so in the steady state every edge of the
// algorithm carries data together):
//   ring (all-reduce, all-gather, reduce-scatter; NVLS too, whose GPU <-> switch
//     load is the ring's): rank i -> i+1 on each channel, S / (n C) bytes,
//     repeated 2 (n-1) times (all-reduce) or n-1 times;
//   chain (broadcast, reduce): the ring from the root (to the root for reduce),
//     S / C per edge, once;
//   tree (all-reduce): NCCL's double binary tree: a chain inside each node, a
//     binary tree over the nodes whose mirror image serves every other channel;
//     S / C up and S / C down each edge, once;
//   all-to-all: every rank to every other, S / n each, once;
//   send/recv: rank i -> i+1 (nccl-tests' sendrecv), S each, once.
// C, the channels, is 1 inside a node and the node's NIC count when the group
// spans nodes (NCCL spreads its channels over every NIC; channel c leaves each
// node through NIC c where one of the group's GPUs sits next to it, else
// through the group's own NIC, routed in the fabric on its own path).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "sim/net/collective.hpp"
#include "sim/topology/topology.hpp"

namespace trainsim {

struct GroupCollective {
  CollectiveOp op = CollectiveOp::all_reduce;
  std::vector<int> gpus;  // global GPU ids, in ring order; gpus[0] is the root of broadcast / reduce
  double bytes = 0;       // nccl-tests' size
};

struct Transfer {
  int src = 0, dst = 0;  // global GPU ids
  double bytes = 0;
  std::uint64_t spread = 0;  // equal-cost path choice (Topology::route)
};

struct FlowPhase {
  std::vector<Transfer> step;  // one step: every sub-communicator, every channel
  double steps = 1;            // times the phase repeats the step
  double fixed_s = 0;          // analytical fixed time of the phase (launch + NCCL latency)
  double bytes_s = 0;          // analytical time that moves bytes: what contention stretches
};

struct CollectivePlan {
  CollectiveResult analytic;      // predict_collective's answer for the whole call
  std::vector<FlowPhase> phases;  // in order; their times add up to analytic's
};

// Plans `r` on `t`: NCCL's choice for the group (or what `algo` / `proto`
// force) and its phases. `salt` varies the equal-cost path choice between
// requests. Throws std::invalid_argument for a group of fewer than two GPUs or
// a forced choice the group cannot run.
CollectivePlan plan_collective(const Topology& t, const GroupCollective& r, std::optional<NcclAlgo> algo,
                               std::optional<NcclProto> proto, std::uint64_t salt = 0);

}  // namespace trainsim
