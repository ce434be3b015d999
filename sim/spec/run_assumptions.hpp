// The assumptions a run's verdict (step time and memory fits) depended on, for
// summary.txt and summary.json (docs/design.md §3 "Outputs"): the cluster
// card's assumed values (ClusterSpec::assumptions) that the scenario's
// features read, and the defaults the loader and importers resolved
// (ImportLog::assumptions).
#pragma once

#include <string>
#include <vector>

#include "sim/spec/scenario.hpp"

namespace trainsim {

struct RunAssumptions {
  std::vector<CardAssumption> card;  // in the card's key order
  std::vector<std::string> imports;  // ImportLog::assumptions, as said on stderr
};

// A card value counts when the step reads it:
//  host memory, its bandwidth, the CPUs' interconnect and the PCIe tree: with
//  any offload; CPU-Adam throughput: with the optimizer offloaded; node.nvme_*
//  and node.aio_*: with an NVMe offload; node.nics.* and fabric.*: on more
//  than one node over InfiniBand, node.ethernet.* (and node.nics.count, whose
//  share sets a group's share of the ports) over NCCL's socket transport;
//  node.nvswitch.*: with more than one GPU on a node.
RunAssumptions run_assumptions(const Scenario& s);

// The same for the memory verdict alone (`trainsim mem`): of the card, only
// the capacities it compares against (node.host_memory, node.nvme_capacity),
// when run_assumptions keeps them.
RunAssumptions memory_assumptions(const Scenario& s);

}  // namespace trainsim
